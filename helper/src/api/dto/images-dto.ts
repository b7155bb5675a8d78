import type {
  BerthImageLayersResponse,
  ImageDeleteItemDto,
  ImageHistoryItemDto,
  ImageInspectDto,
  ImageSummaryDto,
  JsonMessageDto,
} from '../../../../src-shared/docker-api/images';
import type { DeleteItem, HistoryItem, ImageDetails, ImageLayerView, ImageSummary } from '../../engine/images/image-service';
import type { ProgressEvent } from '../../engine/images/progress';
import type { ImageRuntimeConfig } from '../../engine/images/image-config';

const ZERO_TIME = '0001-01-01T00:00:00Z';

export function toImageSummaryDto(s: ImageSummary): ImageSummaryDto {
  return {
    Id: s.id,
    ParentId: '',
    RepoTags: s.repoTags,
    RepoDigests: s.repoDigests,
    Created: s.created,
    Size: s.size,
    VirtualSize: s.size,
    SharedSize: s.sharedSize,
    Labels: s.labels,
    Containers: s.containers,
  };
}

/** An image's runtime config in the Engine API's ContainerConfig shape. */
function containerConfigDto(c: ImageRuntimeConfig): ImageInspectDto['Config'] {
  return {
    Hostname: c.Hostname ?? '',
    Domainname: c.Domainname ?? '',
    User: c.User ?? '',
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    ExposedPorts: c.ExposedPorts ?? null,
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    Env: c.Env ?? null,
    Cmd: c.Cmd ?? null,
    Image: '',
    Volumes: c.Volumes ?? null,
    WorkingDir: c.WorkingDir ?? '',
    Entrypoint: c.Entrypoint ?? null,
    OnBuild: c.OnBuild ?? null,
    Labels: c.Labels ?? null,
    ...(c.StopSignal !== undefined ? { StopSignal: c.StopSignal } : {}),
    ...(c.ArgsEscaped !== undefined ? { ArgsEscaped: c.ArgsEscaped } : {}),
    ...(c.Healthcheck !== undefined ? { Healthcheck: c.Healthcheck } : {}),
    ...(c.Shell !== undefined ? { Shell: c.Shell } : {}),
  };
}

/**
 * `Container` and `ContainerConfig` (the build container's config, empty for images the classic
 * builder did not make) are reported at every API version, although dockerd 25+ drops them from
 * 1.45 on: docker-compose 1.29 (Debian's compose) negotiates the server's version and then reads
 * `ContainerConfig` whenever it recreates a container, so without it every `up` after a change
 * fails with KeyError: 'ContainerConfig' (as it does against dockerd 25+). Newer clients ignore it.
 */
export function toImageInspectDto(d: ImageDetails): ImageInspectDto {
  const c = d.config.config ?? {};
  const data: Record<string, string> = {};
  if (d.graphDriver.lowerDir !== undefined) data.LowerDir = d.graphDriver.lowerDir;
  if (d.graphDriver.mergedDir !== undefined) data.MergedDir = d.graphDriver.mergedDir;
  if (d.graphDriver.upperDir !== undefined) data.UpperDir = d.graphDriver.upperDir;
  if (d.graphDriver.workDir !== undefined) data.WorkDir = d.graphDriver.workDir;
  return {
    Id: d.id,
    RepoTags: d.repoTags,
    RepoDigests: d.repoDigests,
    Parent: d.parent ?? '',
    Comment: d.config.comment ?? '',
    Created: d.config.created ?? ZERO_TIME,
    DockerVersion: d.config.docker_version ?? '',
    Author: d.config.author ?? '',
    Config: containerConfigDto(c),
    Container: d.config.container ?? '',
    ContainerConfig: containerConfigDto(d.config.container_config ?? {}),
    Architecture: d.config.architecture ?? '',
    ...(d.config.variant ? { Variant: d.config.variant } : {}),
    Os: d.config.os ?? '',
    Size: d.size,
    VirtualSize: d.size,
    GraphDriver: { Name: 'overlay2', Data: data },
    RootFS: { Type: 'layers', Layers: d.diffIds },
    Metadata: { LastTagTime: d.lastTagTime !== undefined ? new Date(d.lastTagTime).toISOString() : ZERO_TIME },
  };
}

export function toHistoryDto(h: HistoryItem): ImageHistoryItemDto {
  return { Id: h.id, Created: h.created, CreatedBy: h.createdBy, Tags: h.tags, Size: h.size, Comment: h.comment };
}

export function toDeleteItemDto(d: DeleteItem): ImageDeleteItemDto {
  return 'untagged' in d ? { Untagged: d.untagged } : { Deleted: d.deleted };
}

function humanSize(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 3 : v < 100 ? 2 : 1)}${units[i]}`;
}

/** jsonmessage with dockerd's 50-column bar in `progress` (the CLI draws its own from progressDetail). */
export function toJsonMessage(e: ProgressEvent): JsonMessageDto {
  if (e.aux !== undefined) return { progressDetail: {}, aux: e.aux };
  const m: JsonMessageDto = { status: e.status };
  if (e.id !== undefined) m.id = e.id;
  if (e.current !== undefined) {
    m.progressDetail = { current: e.current, ...(e.total !== undefined ? { total: e.total } : {}) };
    if (e.total !== undefined && e.total > 0) {
      const filled = Math.max(0, Math.min(50, Math.floor((e.current / e.total) * 50)));
      const bar = `${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? '>' : ''}${' '.repeat(50 - filled)}`;
      m.progress = `[${bar}] ${humanSize(e.current)}/${humanSize(e.total)}`;
    }
  } else {
    m.progressDetail = {};
  }
  return m;
}

export function toBerthLayersResponse(imageId: string, layers: ImageLayerView[]): BerthImageLayersResponse {
  return {
    imageId,
    layers: layers.map((l) => ({
      chainId: l.chainId,
      diffId: l.diffId,
      blobDigest: l.blobDigest ?? null,
      size: l.size,
      createdBy: l.createdBy ?? null,
      shared: l.shared,
      sharedWith: l.sharedWith,
      diffDir: l.diffDir,
    })),
  };
}
