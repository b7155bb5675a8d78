/** One entry of a container directory (the app's Files tab). */
export interface ContainerFileView {
  name: string;
  kind: 'file' | 'dir' | 'symlink' | 'other';
  size: number;
  /** `rwxr-xr-x` style, with the type letter first (`drwxr-xr-x`). */
  mode: string;
  /** ISO time. */
  modified: string;
  /** Where a symlink points, as written in the container. */
  linkTarget?: string;
}

/** A text file's content for the viewer (capped). */
export interface ContainerFileTextView {
  text: string;
  size: number;
  truncated: boolean;
  /** True when the content does not look like text (NUL bytes or invalid UTF-8): `text` is empty. */
  binary: boolean;
}

/** Bytes the renderer saves as a download: the file itself, or a tar of a folder (or of a saved image). */
export interface DownloadView {
  fileName: string;
  mimeType: string;
  base64: string;
}
