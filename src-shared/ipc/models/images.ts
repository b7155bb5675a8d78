/** Image view models (camelCase), built in main from the Engine API DTOs. */
import type { Pid1WarningView } from './containers';

export interface ImageView {
  /** `sha256:...` */
  id: string;
  /** 12 hex chars after `sha256:`. */
  shortId: string;
  /** `repo:tag` entries; empty for a dangling image. */
  repoTags: string[];
  repoDigests: string[];
  /** Bytes (unpacked). */
  size: number;
  /** Bytes shared with other images; null when the engine did not compute it. */
  sharedSize: number | null;
  /** Bytes unique to this image (`size - sharedSize`); null when unknown. */
  uniqueSize: number | null;
  /** Epoch ms. */
  created: number;
  /** Containers using it; -1 when not computed. */
  containers: number;
  dangling: boolean;
}

export interface ImageDetailView {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  /** Epoch ms. */
  created: number;
  size: number;
  architecture: string;
  os: string;
  config: {
    cmd: string[] | null;
    entrypoint: string[] | null;
    env: string[];
    workingDir: string;
    user: string;
    labels: Record<string, string>;
    stopSignal?: string;
    exposedPorts: string[];
  };
  /** Diff IDs of the layers, bottom first. */
  layers: string[];
  pid1Warning: Pid1WarningView | null;
  /** Full inspect JSON. */
  raw: unknown;
}

export interface ImageHistoryEntryView {
  /** Image id of that step, or `<missing>`. */
  id: string;
  /** Epoch ms. */
  created: number;
  createdBy: string;
  size: number;
  comment: string;
  tags: string[];
  /** True for steps that did not create a filesystem layer (size 0 metadata steps). */
  empty: boolean;
}

export interface LayerView {
  /** Diff ID (`sha256:` of the uncompressed tar). */
  diffId: string;
  /** Unpacked size in bytes; null when unknown (non-Berth daemon). */
  size: number | null;
  /** The history step that created it, if known. */
  createdBy: string | null;
  /** Other images (repo:tag, or short id when untagged) that share this layer. */
  sharedWith: string[];
}

export interface ImageLayersView {
  /** `berth`: from Berth's layers endpoint (sizes known); `computed`: from inspect of all images (sizes null). */
  source: 'berth' | 'computed';
  layers: LayerView[];
}

/** Progress of one layer during a pull or push. */
export interface LayerProgressView {
  /** Short layer id as the engine reports it. */
  id: string;
  /** Last status text: `Waiting`, `Downloading`, `Verifying Checksum`, `Download complete`, `Extracting`, `Pull complete`, `Already exists`, `Pushing`, `Pushed`, ... */
  status: string;
  /** Phase for the progress bar. */
  phase: 'waiting' | 'downloading' | 'extracting' | 'done' | 'exists';
  current: number;
  /** 0 when unknown. */
  total: number;
}

/**
 * The aggregated state of a pull or push; emitted as a whole (throttled) so the renderer just
 * renders the latest snapshot.
 */
export interface TransferProgressView {
  ref: string;
  state: 'running' | 'done' | 'error';
  layers: LayerProgressView[];
  /** Sum over layers with known totals. */
  current: number;
  total: number;
  /** Non-layer status lines (`Pulling from library/busybox`, `Digest: ...`, `Status: ...`), last ones last. */
  messages: string[];
  /** The mirror or endpoint that served the pull (from the engine's messages), null when not said. */
  mirror: string | null;
  /** Mirrors that were tried and failed before it, with why. */
  mirrorFailures: { mirror: string; message: string }[];
  digest: string | null;
  error: string | null;
}

export interface RemoveImageResultView {
  untagged: string[];
  deleted: string[];
}

export interface RegistryAuthArgs {
  username: string;
  password: string;
  serveraddress?: string;
}
