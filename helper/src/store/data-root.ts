import { chmod, lstat, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../lib/logger';

/**
 * Modes of the data root and its top-level stores, as dockerd lays them out. 0710 root:root lets
 * nobody but root traverse into a store: a setuid binary a container wrote into its upper dir (or
 * an image shipped) is out of every host user's reach (the CVE-2021-41091 pattern), and layer
 * files are not readable through the data root. Anything else created under the data root
 * (volumes, build cache, …) goes below one of these or is created 0700 (see NOTES.md).
 */
export const DATA_ROOT_MODE = 0o710;
export const STORE_DIR_MODES: Readonly<Record<string, number>> = {
  overlay2: 0o710,
  containers: 0o710,
  image: 0o710,
  volumes: 0o710,
  /** Blobs by digest (compressed layers, manifests, configs): no one but root reads them. */
  content: 0o700,
  tmp: 0o700,
};
/** Files and directories that hold blobs and image configs. */
export const BLOB_FILE_MODE = 0o600;
export const BLOB_DIR_MODE = 0o700;

/** Paths below the data root whose files are blobs or configs (tightened on an old data root). */
const BLOB_TREES = ['content/blobs', 'image/overlay2/imagedb/content'];

async function modeOf(path: string): Promise<number | undefined> {
  try {
    return (await lstat(path)).mode & 0o7777;
  } catch {
    return undefined;
  }
}

async function ensureDir(path: string, mode: number): Promise<boolean> {
  const before = await modeOf(path);
  if (before === undefined) await mkdir(path, { recursive: true, mode });
  // mkdir's mode passes through the umask; chmod states it exactly.
  if (before !== mode) await chmod(path, mode);
  return before !== undefined && before !== mode;
}

async function tightenTree(dir: string): Promise<number> {
  let changed = 0;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      await chmod(p, BLOB_DIR_MODE);
      changed += 1 + (await tightenTree(p));
    } else if (e.isFile()) {
      await chmod(p, BLOB_FILE_MODE);
      changed++;
    }
  }
  return changed;
}

/**
 * Creates the data root with dockerd's modes, and tightens an existing one at start: a data root
 * made by an older berthd (0755 everywhere) gets the modes above, and its blobs and image
 * configs 0600 (their directories 0700). Cheap when already tight: only the top dirs are checked.
 */
export async function secureDataRoot(dataRoot: string, log: Logger): Promise<void> {
  let loosened = await ensureDir(dataRoot, DATA_ROOT_MODE);
  for (const [name, mode] of Object.entries(STORE_DIR_MODES)) loosened = (await ensureDir(join(dataRoot, name), mode)) || loosened;
  if (!loosened) return;
  let files = 0;
  for (const tree of BLOB_TREES) {
    const root = join(dataRoot, tree);
    if ((await modeOf(root)) === undefined) continue;
    await chmod(root, BLOB_DIR_MODE);
    files += await tightenTree(root);
  }
  log.warn({ dataRoot, files }, 'data root had loose permissions: tightened to 0710 (blobs and image configs 0600)');
}
