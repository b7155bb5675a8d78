/** Volume view models (camelCase), built in main from the Engine API DTOs. */

export interface VolumeUserView {
  id: string;
  name: string;
  running: boolean;
}

export interface VolumeView {
  name: string;
  driver: string;
  /** Host path of the content (`…/volumes/<name>/_data`). */
  mountpoint: string;
  /** Epoch ms; 0 when the engine did not say. */
  created: number;
  labels: Record<string, string>;
  /** Driver options (`type`, `device`, `o`); empty for a plain directory volume. */
  options: Record<string, string>;
  /** Made for one container (`-v /path`, an image VOLUME): removed with it by `rm -v`. */
  anonymous: boolean;
  /** Bytes of content; null when the engine did not compute it. */
  size: number | null;
  /** Containers whose mounts name it (running or not). */
  containers: VolumeUserView[];
}

export interface VolumeCreateArgs {
  hostId: string;
  /** Empty: the engine generates one. */
  name?: string;
  labels?: Record<string, string>;
  /** The local driver's `type`, `device`, `o`. */
  driverOpts?: Record<string, string>;
}

export interface VolumeFileEntryView {
  name: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
  size: number;
  /** Permission bits, e.g. 0o640. */
  mode: number;
  uid: number;
  gid: number;
  /** Epoch ms. */
  mtime: number;
  linkTarget?: string;
}

export interface VolumeFilesView {
  /** The directory listed, absolute inside the volume. */
  path: string;
  entries: VolumeFileEntryView[];
  truncated: boolean;
}

export interface VolumeFileView {
  path: string;
  /** UTF-8 text of the file's head; null when it looks binary. */
  text: string | null;
  size: number;
  truncated: boolean;
}
