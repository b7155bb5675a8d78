import type { BerthVolumeDto, VolumeDto } from '../../src-shared/docker-api/volumes';
import type { ContainerSummaryDto } from '../../src-shared/docker-api/containers';
import type { PruneResultView } from '../../src-shared/ipc/models/containers';
import type { VolumeCreateArgs, VolumeFilesView, VolumeFileView, VolumeView } from '../../src-shared/ipc/models/volumes';
import { AppError } from '../lib/app-error';
import type { HostsService } from './hosts-service';

const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';

/** Users of each volume from a container list (what the engine reports in each container's Mounts). */
export function usersByVolume(containers: ContainerSummaryDto[]): Map<string, VolumeView['containers']> {
  const out = new Map<string, VolumeView['containers']>();
  for (const c of containers) {
    for (const m of c.Mounts ?? []) {
      if (m.Type !== 'volume' || !m.Name) continue;
      const list = out.get(m.Name) ?? [];
      list.push({ id: c.Id, name: (c.Names[0] ?? '').replace(/^\//, ''), running: c.State === 'running' });
      out.set(m.Name, list);
    }
  }
  return out;
}

export function toVolumeView(v: VolumeDto, users: VolumeView['containers']): VolumeView {
  const labels = v.Labels ?? {};
  const size = v.UsageData && v.UsageData.Size >= 0 ? v.UsageData.Size : null;
  return {
    name: v.Name,
    driver: v.Driver,
    mountpoint: v.Mountpoint,
    created: Date.parse(v.CreatedAt ?? '') || 0,
    labels,
    options: v.Options ?? {},
    // dockerd before 23 did not label anonymous volumes; their generated names are 64 hex.
    anonymous: ANONYMOUS_LABEL in labels || /^[0-9a-f]{64}$/.test(v.Name),
    size,
    containers: users,
  };
}

function fromBerth(v: BerthVolumeDto): VolumeView {
  return toVolumeView(v, v.Containers.map((c) => ({ id: c.Id, name: c.Name, running: c.Running })));
}

/** Valid UTF-8 without NULs is text (a multi-byte character cut at the truncation point is dropped); else null. */
export function asText(content: Buffer, truncated: boolean): string | null {
  if (content.includes(0)) return null;
  for (let cut = 0; cut <= (truncated ? 3 : 0) && cut < content.length + 1; cut++) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(content.subarray(0, content.length - cut));
    } catch {
      // try a shorter head
    }
  }
  return null;
}

/**
 * Volumes of a host: list with size and users, create, remove, prune, and read-only browsing.
 * Berth answers the list in one call; other daemons are served from `system df` (sizes) and the
 * container list (users). Browsing uses Berth's file endpoints over the same engine connection,
 * so it works over SSH too; other daemons get NotImplemented.
 */
export class VolumesService {
  constructor(private readonly hosts: HostsService) {}

  async list(hostId: string): Promise<VolumeView[]> {
    const client = this.hosts.client(hostId);
    const berth = await client.berthVolumes();
    if (berth) return berth.map(fromBerth).sort((a, b) => a.name.localeCompare(b.name));
    const [vols, containers] = await Promise.all([client.volumesDiskUsage(), client.listContainers({ all: true })]);
    const users = usersByVolume(containers);
    return vols.map((v) => toVolumeView(v, users.get(v.Name) ?? [])).sort((a, b) => a.name.localeCompare(b.name));
  }

  async create(args: VolumeCreateArgs): Promise<VolumeView> {
    const v = await this.hosts.client(args.hostId).createVolume({
      Name: args.name ?? '',
      Driver: 'local',
      DriverOpts: args.driverOpts ?? {},
      Labels: args.labels ?? {},
    });
    return toVolumeView(v, []);
  }

  remove(hostId: string, name: string, force?: boolean): Promise<void> {
    return this.hosts.client(hostId).removeVolume(name, { ...(force !== undefined ? { force } : {}) });
  }

  async prune(hostId: string, all?: boolean): Promise<PruneResultView> {
    const r = await this.hosts.client(hostId).pruneVolumes({ all: all ?? false });
    return { deleted: r.VolumesDeleted ?? [], spaceReclaimed: r.SpaceReclaimed ?? 0 };
  }

  async files(hostId: string, name: string, path: string): Promise<VolumeFilesView> {
    const r = await this.hosts.client(hostId).berthVolumeFiles(name, path);
    if (!r) throw new AppError('NotImplemented', 'VOLUME_BROWSE_UNSUPPORTED', 'Browsing volume files needs a Berth engine on this host.');
    return { path: r.path, truncated: r.truncated, entries: r.entries.map((e) => ({ ...e, mtime: Date.parse(e.mtime) || 0 })) };
  }

  async read(hostId: string, name: string, path: string): Promise<VolumeFileView> {
    const r = await this.hosts.client(hostId).berthVolumeFile(name, path);
    return { path, text: asText(r.content, r.truncated), size: r.size, truncated: r.truncated };
  }
}
