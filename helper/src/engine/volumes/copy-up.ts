/**
 * Copy-up: a new (empty) volume mounted over a path that holds content in the image gets that
 * content, with owners, modes, times and xattrs, as dockerd's `CopyImagePathContent` does. The
 * image's layers are mounted read-only (overlay, lowerdirs only) on a private temp dir for the
 * copy, so whiteouts and opaque directories read exactly as the container will see them, and the
 * destination is resolved inside that root (symlinks in the image cannot point the copy at the host).
 */
import { execFile } from 'node:child_process';
import { lstat, mkdtemp, readlink, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { errnoCode, internal, invalidArgument } from '../../lib/errors';
import type { HostMounter } from '../../platform/host-mounts';
import type { RwLayer } from '../containers/container-ports';

const execFileP = promisify(execFile);
const MAX_SYMLINKS = 255;

/** `path` resolved under `root` as chroot would (moby `FollowSymlinkInScope`); absent tails are kept. */
export async function resolveInRoot(root: string, path: string): Promise<string> {
  let rest = path.split('/').filter((p) => p !== '');
  let cur: string[] = [];
  let links = 0;
  while (rest.length > 0) {
    const part = rest.shift() as string;
    if (part === '.') continue;
    if (part === '..') {
      cur.pop();
      continue;
    }
    const full = join(root, ...cur, part);
    let isLink: boolean;
    try {
      isLink = (await lstat(full)).isSymbolicLink();
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT' && errnoCode(err) !== 'ENOTDIR') throw err;
      return join(root, ...cur, part, ...rest);
    }
    if (!isLink) {
      cur.push(part);
      continue;
    }
    if (++links > MAX_SYMLINKS) throw invalidArgument('SYMLINK_LOOP', `too many levels of symbolic links resolving ${path}`);
    const target = await readlink(full);
    if (target.startsWith('/')) cur = [];
    rest = [...target.split('/').filter((p) => p !== ''), ...rest];
  }
  return join(root, ...cur);
}

/** Whether any layer has the path, or a symlink on the way to it (then only the merged view can tell). */
async function mayHaveContent(layerDirs: string[], destination: string): Promise<boolean> {
  const parts = destination.split('/').filter((p) => p !== '');
  for (const dir of layerDirs) {
    for (let i = 1; i <= parts.length; i++) {
      try {
        const st = await lstat(join(dir, ...parts.slice(0, i)));
        if (st.isSymbolicLink() || i === parts.length) return true;
      } catch {
        break;
      }
    }
  }
  return false;
}

function lowerDirsOf(rootfs: RwLayer): { option: string; dirs: string[] } {
  const opt = rootfs.mountOptions.find((o) => o.startsWith('lowerdir=')) ?? `lowerdir=${rootfs.lowerDirs.join(':')}`;
  const dirs = opt.slice('lowerdir='.length).split(':').filter((d) => d !== '');
  return { option: opt, dirs: dirs.map((d) => resolve(rootfs.mountCwd ?? '/', d)) };
}

/**
 * Copies the image's content at `destination` into `target` (the volume's `_data`). Nothing to
 * copy (absent, or not a directory) is not an error.
 */
export async function copyUp(mounter: HostMounter, rootfs: RwLayer, destination: string, target: string): Promise<void> {
  const { option, dirs } = lowerDirsOf(rootfs);
  if (dirs.length === 0 || !(await mayHaveContent(dirs, destination))) return;
  if (dirs.length === 1) {
    await copyDir(await resolveInRoot(dirs[0] as string, destination), target);
    return;
  }
  const mnt = await mkdtemp(join(tmpdir(), 'berth-copyup-'));
  try {
    await mounter.mount('overlay', 'overlay', mnt, `ro,${option}`, rootfs.mountCwd);
    try {
      await copyDir(await resolveInRoot(mnt, destination), target);
    } finally {
      await mounter.unmount(mnt, true);
    }
  } finally {
    await rmdir(mnt).catch(() => undefined);
  }
}

async function copyDir(src: string, target: string): Promise<void> {
  try {
    if (!(await lstat(src)).isDirectory()) return;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return;
    throw err;
  }
  // `src/.` onto `target`: the contents, and the directory's own owner/mode/times onto the volume root.
  try {
    await execFileP('cp', ['-a', '--', `${src}/.`, `${target}/`]);
  } catch (err) {
    throw internal('COPYUP_FAILED', `copying the image's content into the volume failed: ${(err as { stderr?: string }).stderr ?? (err as Error).message}`, err);
  }
}
