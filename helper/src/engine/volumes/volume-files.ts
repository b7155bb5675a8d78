/**
 * Read-only browsing of a volume's content for the app (Berth extension): list a directory, read
 * the head of a file. Paths are resolved inside the volume's `_data` as a container would see them
 * (symlinks followed in scope, `..` clamped at the root), and the result is re-checked with
 * realpath so a link swapped in by a running container cannot walk the listing out of the volume.
 */
import { lstat, open, readdir, readlink, realpath } from 'node:fs/promises';
import { join, posix, relative } from 'node:path';
import { errnoCode, forbidden, invalidArgument, notFound } from '../../lib/errors';
import { resolveInRoot } from './copy-up';

export interface VolumeFileEntry {
  name: string;
  type: 'file' | 'dir' | 'symlink' | 'other';
  size: number;
  mode: number;
  uid: number;
  gid: number;
  /** ISO-8601. */
  mtime: string;
  linkTarget?: string;
}

/** At most this much of a file is returned for viewing. */
export const MAX_VIEW_BYTES = 256 * 1024;
const MAX_ENTRIES = 5000;

async function resolveChecked(root: string, path: string): Promise<string> {
  if (!path.startsWith('/')) throw invalidArgument('PATH_NOT_ABSOLUTE', `path must be absolute inside the volume: "${path}"`);
  const resolved = await resolveInRoot(root, path);
  let real: string;
  try {
    real = await realpath(resolved);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') throw notFound('VOLUME_PATH_NOT_FOUND', `no such file or directory in the volume: ${path}`);
    throw err;
  }
  const realRoot = await realpath(root);
  const rel = relative(realRoot, real);
  if (rel.startsWith('..') || posix.isAbsolute(rel)) throw forbidden('VOLUME_PATH_ESCAPES', `path leaves the volume: ${path}`);
  return real;
}

export async function listVolumeDir(root: string, path: string): Promise<{ path: string; entries: VolumeFileEntry[]; truncated: boolean }> {
  const dir = await resolveChecked(root, path);
  if (!(await lstat(dir)).isDirectory()) throw invalidArgument('NOT_A_DIRECTORY', `not a directory: ${path}`);
  const names = (await readdir(dir)).sort();
  const entries: VolumeFileEntry[] = [];
  for (const name of names.slice(0, MAX_ENTRIES)) {
    const p = join(dir, name);
    const st = await lstat(p).catch(() => undefined);
    if (!st) continue;
    const type = st.isDirectory() ? 'dir' : st.isFile() ? 'file' : st.isSymbolicLink() ? 'symlink' : 'other';
    entries.push({
      name,
      type,
      size: st.size,
      mode: st.mode & 0o7777,
      uid: st.uid,
      gid: st.gid,
      mtime: st.mtime.toISOString(),
      ...(type === 'symlink' ? { linkTarget: await readlink(p).catch(() => '') } : {}),
    });
  }
  return { path: posix.normalize(path), entries, truncated: names.length > MAX_ENTRIES };
}

export async function readVolumeFile(root: string, path: string): Promise<{ content: Buffer; size: number; truncated: boolean }> {
  const file = await resolveChecked(root, path);
  const st = await lstat(file);
  if (!st.isFile()) throw invalidArgument('NOT_A_FILE', `not a regular file: ${path}`);
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(Math.min(st.size, MAX_VIEW_BYTES));
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    return { content: buf.subarray(0, bytesRead), size: st.size, truncated: st.size > bytesRead };
  } finally {
    await fh.close();
  }
}
