/**
 * Volumes in containers: the container engine's `ContainerVolumeSource`, over the volume service.
 * At create it merges every mount source, creates the volumes named (or anonymous ones), and fills
 * each new empty volume from the image; around a run it mounts volumes with driver options; at
 * `rm -v` / `--rm` it removes the anonymous volumes no other container holds.
 */
import { isBerthError } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import type { HostMounter } from '../../platform/host-mounts';
import type { BindMount } from '../../store/containers/container-record';
import type { ContainerMountRequest, ContainerVolumeSource } from '../containers/container-ports';
import { copyUp } from './copy-up';
import { mergeMounts } from './mount-specs';
import type { VolumeService } from './volume-service';

export class ContainerVolumes implements ContainerVolumeSource {
  constructor(
    private readonly volumes: VolumeService,
    private readonly mounter: HostMounter,
    private readonly log: Logger,
  ) {}

  async prepare(req: ContainerMountRequest): Promise<{ mounts: BindMount[]; created: string[] }> {
    const merged = mergeMounts(req);
    const created: string[] = [];
    try {
      const out: BindMount[] = [];
      for (const m of merged) {
        // Binds, tmpfs, and volumes inherited from --volumes-from (already resolved) pass as they are.
        if (m.type !== 'volume' || m.source !== '') {
          out.push(m);
          continue;
        }
        const opts = m.volumeOptions;
        const { view, created: isNew } = await this.volumes.create(
          { name: m.name, driverOpts: opts?.driverOpts, labels: opts?.labels },
          { anonymous: m.name === undefined || m.name === '' },
        );
        if (isNew) created.push(view.volume.name);
        const resolved: BindMount = { ...m, name: view.volume.name, source: view.mountpoint };
        delete resolved.volumeOptions;
        out.push(resolved);
        // dockerd fills a volume only while it is empty, and never with nocopy.
        if (!m.noCopy && Object.keys(view.volume.options).length === 0 && (await this.volumes.isEmpty(view.volume.name))) {
          await copyUp(this.mounter, req.rootfs, m.destination, view.mountpoint);
        }
      }
      return { mounts: out, created };
    } catch (err) {
      await this.discard(created);
      throw err;
    }
  }

  async discard(created: string[]): Promise<void> {
    for (const name of created) {
      await this.volumes.remove(name, { force: true }).catch((err: unknown) => this.log.warn({ err, volume: name }, 'cannot remove volume after failed create'));
    }
  }

  /** A failure leaves earlier volumes mounted: the container engine's start failure deactivates all. */
  async activate(containerId: string, mounts: BindMount[]): Promise<void> {
    for (const m of volumeMounts(mounts)) {
      await this.volumes.activate(m.name as string, { container: containerId, destination: m.destination, readOnly: m.readOnly });
    }
  }

  async deactivate(containerId: string, mounts: BindMount[]): Promise<void> {
    for (const m of volumeMounts(mounts)) {
      await this.volumes.deactivate(m.name as string, containerId).catch((err: unknown) => this.log.warn({ err, volume: m.name }, 'cannot unmount volume'));
    }
  }

  async removeAnonymous(containerId: string, mounts: BindMount[]): Promise<void> {
    for (const m of volumeMounts(mounts)) {
      if (!m.anonymous) continue;
      try {
        await this.volumes.remove(m.name as string, { force: true });
      } catch (err) {
        // Still held by another container (--volumes-from): dockerd leaves it too.
        if (isBerthError(err) && err.code === 'VOLUME_IN_USE') continue;
        this.log.warn({ err, volume: m.name, containerId }, 'cannot remove anonymous volume');
      }
    }
  }
}

const volumeMounts = (mounts: BindMount[]): BindMount[] => mounts.filter((m) => m.type === 'volume' && m.name !== undefined && m.name !== '');
