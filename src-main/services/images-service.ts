import type {
  ImageDetailView,
  ImageHistoryEntryView,
  ImageLayersView,
  ImageView,
  LayerView,
  RegistryAuthArgs,
  RemoveImageResultView,
  TransferProgressView,
} from '../../src-shared/ipc/models/images';
import type { PruneResultView } from '../../src-shared/ipc/models/containers';
import type { EngineClient } from '../engine-client/engine-client';
import type { BerthImageLayersResponse, ImageInspectDto, ImagePruneResponse, ImageSummaryDto } from '../../src-shared/docker-api/images';
import { containersPerImage } from './disk-usage';
import { AppError } from '../lib/app-error';
import type { HostsService } from './hosts-service';
import { pid1Warning } from './pid1';
import { TransferAggregator } from './transfer-progress';

const shortId = (id: string): string => id.replace(/^sha256:/, '').slice(0, 12);

export function toImageView(i: ImageSummaryDto): ImageView {
  const shared = typeof i.SharedSize === 'number' && i.SharedSize >= 0 ? i.SharedSize : null;
  const repoTags = (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>');
  return {
    id: i.Id,
    shortId: shortId(i.Id),
    repoTags,
    repoDigests: (i.RepoDigests ?? []).filter((d) => d !== '<none>@<none>'),
    size: i.Size,
    sharedSize: shared,
    uniqueSize: shared === null ? null : Math.max(0, i.Size - shared),
    created: i.Created * 1000,
    containers: typeof i.Containers === 'number' ? i.Containers : -1,
    dangling: repoTags.length === 0,
  };
}

export function toImageDetailView(i: ImageInspectDto): ImageDetailView {
  const c = i.Config ?? {};
  return {
    id: i.Id,
    repoTags: i.RepoTags ?? [],
    repoDigests: i.RepoDigests ?? [],
    created: Date.parse(i.Created) || 0,
    size: i.Size,
    architecture: i.Architecture,
    os: i.Os,
    config: {
      cmd: c.Cmd ?? null,
      entrypoint: c.Entrypoint ?? null,
      env: c.Env ?? [],
      workingDir: c.WorkingDir ?? '',
      user: c.User ?? '',
      labels: c.Labels ?? {},
      ...(c.StopSignal ? { stopSignal: c.StopSignal } : {}),
      exposedPorts: Object.keys(c.ExposedPorts ?? {}),
    },
    layers: i.RootFS?.Layers ?? [],
    pid1Warning: pid1Warning(c.Entrypoint, c.Cmd),
    raw: i,
  };
}

/** A failed pull/push message as an error the UI can branch on. */
export function transferError(ref: string, message: string): AppError {
  if (/not found|does not exist|manifest unknown|no such/i.test(message)) return new AppError('NotFound', 'IMAGE_NOT_FOUND', message);
  if (/unauthorized|denied|authentication required/i.test(message)) return new AppError('Unauthorized', 'REGISTRY_UNAUTHORIZED', message);
  return new AppError('Unavailable', 'TRANSFER_FAILED', `${ref}: ${message}`);
}

/** Berth's layer endpoint (`{imageId, layers}`, src-shared's BerthImageLayersResponse) as the Layers tab's rows. */
export function toBerthLayerViews(r: BerthImageLayersResponse): LayerView[] {
  return r.layers.map((l) => ({ diffId: l.diffId, size: l.size, createdBy: l.createdBy, sharedWith: l.sharedWith }));
}

/**
 * The list's rows with the container count filled in: the Engine's /images/json says -1 (only
 * /system/df counts), so the containers of every state are counted by image ID, as `system df` does.
 */
export function withContainerCounts(images: readonly ImageSummaryDto[], containers: readonly { ImageID: string }[]): ImageView[] {
  const counts = containersPerImage(containers);
  return images.map((i) => ({ ...toImageView(i), containers: i.Containers >= 0 ? i.Containers : (counts.get(i.Id) ?? 0) }));
}

/**
 * A prune's report as dockerd gives it: `Deleted` lines name images AND their layers, so images are
 * the deleted IDs that were images before the prune; the rest are layers.
 */
export function toImagePruneResult(r: ImagePruneResponse, imageIdsBefore: ReadonlySet<string>): PruneResultView {
  const items = r.ImagesDeleted ?? [];
  const deletedIds = items.flatMap((i) => ('Deleted' in i && i.Deleted ? [i.Deleted] : []));
  return {
    deleted: deletedIds.filter((id) => imageIdsBefore.has(id)),
    untagged: items.flatMap((i) => ('Untagged' in i && i.Untagged ? [i.Untagged] : [])),
    layersDeleted: deletedIds.filter((id) => !imageIdsBefore.has(id)).length,
    spaceReclaimed: r.SpaceReclaimed ?? 0,
  };
}

/** Images: list, inspect, history, layers, tag, remove, prune, and pull/push with aggregated progress. */
export class ImagesService {
  constructor(
    private readonly hosts: HostsService,
    private readonly progressIntervalMs = 100,
  ) {}

  async list(hostId: string): Promise<ImageView[]> {
    const client = this.hosts.client(hostId);
    const [images, containers] = await Promise.all([client.listImages({ sharedSize: true }), client.listContainers({ all: true })]);
    return withContainerCounts(images, containers);
  }

  async inspect(hostId: string, ref: string): Promise<ImageDetailView> {
    return toImageDetailView(await this.hosts.client(hostId).inspectImage(ref));
  }

  async history(hostId: string, ref: string): Promise<ImageHistoryEntryView[]> {
    const rows = await this.hosts.client(hostId).imageHistory(ref);
    return rows.map((r) => ({
      id: r.Id,
      created: r.Created * 1000,
      createdBy: r.CreatedBy,
      size: r.Size,
      comment: r.Comment ?? '',
      tags: r.Tags ?? [],
      empty: r.Size === 0,
    }));
  }

  /**
   * Layers with which other images share them. Berth answers directly (with sizes); on other
   * daemons sharing is computed from every image's RootFS.Layers (sizes unknown).
   */
  async layers(hostId: string, ref: string): Promise<ImageLayersView> {
    const client = this.hosts.client(hostId);
    const berth = await client.berthLayers(ref);
    if (berth) return { source: 'berth', layers: toBerthLayerViews(berth) };
    return { source: 'computed', layers: await this.computeLayers(client, ref) };
  }

  private async computeLayers(client: EngineClient, ref: string): Promise<LayerView[]> {
    const [target, history, all] = await Promise.all([client.inspectImage(ref), client.imageHistory(ref), client.listImages()]);
    const others = await Promise.all(all.filter((i) => i.Id !== target.Id).map((i) => client.inspectImage(i.Id).catch(() => null)));
    const nameOf = (i: ImageInspectDto): string => i.RepoTags?.[0] ?? shortId(i.Id);
    const diffIds = target.RootFS?.Layers ?? [];
    // History is newest first; its non-empty rows, oldest first, line up with the layers when counts match.
    const nonEmpty = [...history].reverse().filter((h) => h.Size > 0);
    const aligned = nonEmpty.length === diffIds.length;
    return diffIds.map((diffId, i) => ({
      diffId,
      size: aligned ? (nonEmpty[i]?.Size ?? null) : null,
      createdBy: aligned ? (nonEmpty[i]?.CreatedBy ?? null) : null,
      sharedWith: others.filter((o): o is ImageInspectDto => !!o && (o.RootFS?.Layers ?? []).includes(diffId)).map(nameOf),
    }));
  }

  tag(hostId: string, ref: string, repo: string, tag?: string): Promise<void> {
    return this.hosts.client(hostId).tagImage(ref, repo, tag);
  }

  async remove(hostId: string, ref: string, force?: boolean, noPrune?: boolean): Promise<RemoveImageResultView> {
    const items = await this.hosts.client(hostId).removeImage(ref, { ...(force !== undefined ? { force } : {}), ...(noPrune !== undefined ? { noPrune } : {}) });
    return {
      untagged: items.flatMap((i) => ('Untagged' in i && i.Untagged ? [i.Untagged] : [])),
      deleted: items.flatMap((i) => ('Deleted' in i && i.Deleted ? [i.Deleted] : [])),
    };
  }

  async prune(hostId: string, all?: boolean): Promise<PruneResultView> {
    const client = this.hosts.client(hostId);
    const before = new Set((await client.listImages({ all: true })).map((i) => i.Id));
    return toImagePruneResult(await client.pruneImages({ all: all ?? false }), before);
  }

  pull(hostId: string, ref: string, auth: RegistryAuthArgs | undefined, emit: (p: TransferProgressView) => void, signal: AbortSignal): Promise<TransferProgressView> {
    return this.transfer('pull', hostId, ref, auth, emit, signal);
  }

  push(hostId: string, ref: string, auth: RegistryAuthArgs | undefined, emit: (p: TransferProgressView) => void, signal: AbortSignal): Promise<TransferProgressView> {
    return this.transfer('push', hostId, ref, auth, emit, signal);
  }

  /** Emits throttled snapshots and a final one; rejects (after emitting the error snapshot) when the engine reported a failure. */
  private async transfer(
    kind: 'pull' | 'push',
    hostId: string,
    ref: string,
    auth: RegistryAuthArgs | undefined,
    emit: (p: TransferProgressView) => void,
    signal: AbortSignal,
  ): Promise<TransferProgressView> {
    const client = this.hosts.client(hostId);
    const agg = new TransferAggregator(ref);
    let dirty = false;
    const timer = setInterval(() => {
      if (dirty) {
        dirty = false;
        emit(agg.snapshot());
      }
    }, this.progressIntervalMs);
    try {
      const onMessage = (m: Parameters<TransferAggregator['apply']>[0]): void => {
        agg.apply(m);
        dirty = true;
      };
      const opts = { ...(auth ? { auth } : {}), signal };
      if (kind === 'pull') await client.pullImage(ref, opts, onMessage);
      else await client.pushImage(ref, opts, onMessage);
    } finally {
      clearInterval(timer);
    }
    if (signal.aborted) return agg.snapshot();
    const failed = agg.failed;
    if (!failed) agg.finish();
    const last = agg.snapshot();
    emit(last);
    if (failed) throw transferError(ref, failed);
    return last;
  }
}
