import { invalidArgument } from '../../lib/errors';

/** The runtime defaults an image carries (`config` in the image config JSON; Docker's ContainerConfig subset). */
export interface ImageRuntimeConfig {
  Hostname?: string;
  Domainname?: string;
  User?: string;
  Env?: string[] | null;
  Cmd?: string[] | null;
  Entrypoint?: string[] | null;
  WorkingDir?: string;
  Labels?: Record<string, string> | null;
  ExposedPorts?: Record<string, object> | null;
  Volumes?: Record<string, object> | null;
  StopSignal?: string;
  OnBuild?: string[] | null;
  ArgsEscaped?: boolean;
  Shell?: string[];
  Healthcheck?: unknown;
}

export interface HistoryRow {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

/** The image config document (OCI image-spec config.md / Docker image JSON), as stored verbatim. */
export interface ImageConfigDoc {
  architecture?: string;
  os?: string;
  variant?: string;
  created?: string;
  author?: string;
  comment?: string;
  docker_version?: string;
  config?: ImageRuntimeConfig;
  /** The build container's config (classic builder); dockerd shows it as ContainerConfig before API 1.45. */
  container_config?: ImageRuntimeConfig;
  container?: string;
  rootfs: { type: string; diff_ids: string[] };
  history?: HistoryRow[];
}

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

/** Parses and checks an image config: it must be a container image with sha256 diff IDs. */
export function parseImageConfig(bytes: Buffer): ImageConfigDoc {
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw invalidArgument('INVALID_IMAGE_CONFIG', 'invalid image config: not JSON');
  }
  if (typeof doc !== 'object' || doc === null) throw invalidArgument('INVALID_IMAGE_CONFIG', 'invalid image config: not an object');
  const d = doc as Record<string, unknown>;
  const rootfs = d.rootfs as { type?: unknown; diff_ids?: unknown } | undefined;
  if (!rootfs || !Array.isArray(rootfs.diff_ids) || !rootfs.diff_ids.every((x) => typeof x === 'string' && DIGEST_RE.test(x))) {
    throw invalidArgument('INVALID_IMAGE_CONFIG', 'invalid image config: rootfs.diff_ids missing or not sha256 digests');
  }
  return doc as ImageConfigDoc;
}

/** History rows that own a layer, matched in order against rootfs.diff_ids. */
export function layerHistory(cfg: ImageConfigDoc): { row: HistoryRow; layerIndex: number | undefined }[] {
  const rows = cfg.history ?? [];
  let next = 0;
  return rows.map((row) => {
    if (row.empty_layer) return { row, layerIndex: undefined };
    const idx = next < cfg.rootfs.diff_ids.length ? next : undefined;
    next++;
    return { row, layerIndex: idx };
  });
}
