import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { forbidden, invalidArgument } from '../../lib/errors';
import type { CfsEntry } from '../../platform/cfs-process';
import { extractIntoContainer } from './archive-in';
import { tarFromContainer } from './archive-out';
import { absContainerPath, followsFinal, goFileMode, KERNEL_FS_MAGICS, mountsOf, openContainerFs, pathError, resolveInRoot, type ContainerFsDeps, type OpenContainerFs } from './container-fs';

/** Docker's `X-Docker-Container-Path-Stat` (base64 JSON) and the Files tab's entry. */
export interface PathStat {
  name: string;
  size: number;
  /** Go os.FileMode bits (type flags + permissions), as dockerd sends them. */
  mode: number;
  /** RFC 3339 with nanoseconds, UTC. */
  mtime: string;
  /** For a symlink: the container path it resolves to (inside the root); else ''. */
  linkTarget: string;
}

export interface PutArchiveOptions {
  copyUIDGID: boolean;
  noOverwriteDirNonDir: boolean;
}

function rfc3339(sec: number, nsec: number): string {
  const base = new Date(sec * 1000).toISOString().replace(/\.\d{3}Z$/, '');
  const frac = nsec > 0 ? `.${String(nsec).padStart(9, '0').replace(/0+$/, '')}` : '';
  return `${base}${frac}Z`;
}

function toStat(name: string, e: CfsEntry, linkTarget: string): PathStat {
  return { name, size: e.size, mode: goFileMode(e), mtime: rfc3339(e.mtimeSec, e.mtimeNsec), linkTarget };
}

/** moby's `filepath.Base` of the absolute path (`/` for the root, `.` for a trailing `/.`). */
function baseName(abs: string): string {
  if (abs.endsWith('/.')) return '.';
  const trimmed = abs.replace(/\/+$/, '');
  return trimmed === '' ? '/' : posix.basename(trimmed);
}

async function withFs<T>(deps: ContainerFsDeps, ref: string, fn: (fs: OpenContainerFs) => Promise<T>): Promise<T> {
  const fs = await openContainerFs(deps, ref, { withMounts: true });
  try {
    return await fn(fs);
  } finally {
    await fs.close();
  }
}

async function statIn(fs: OpenContainerFs, path: string): Promise<{ abs: string; entry: CfsEntry; stat: PathStat }> {
  const abs = absContainerPath(path);
  try {
    const entry = await fs.cfs.stat(abs, followsFinal(abs));
    const linkTarget = entry.type === 'symlink' ? await resolveInRoot(fs.cfs, abs) : '';
    return { abs, entry, stat: toStat(baseName(abs), entry, linkTarget) };
  } catch (err) {
    throw pathError(err, path, fs.rec.name);
  }
}

/** `HEAD /containers/{id}/archive`: the path's stat, its final symlink not followed (unless `/` or `/.` ends it). */
export function statContainerPath(deps: ContainerFsDeps, ref: string, path: string): Promise<PathStat> {
  return withFs(deps, ref, async (fs) => (await statIn(fs, path)).stat);
}

/**
 * `GET /containers/{id}/archive`: the path as a tar, its top entry named as the path's base name
 * (moby's rebase), and its stat. The filesystem view stays open until the tar is consumed.
 */
export async function archiveContainerPath(deps: ContainerFsDeps, ref: string, path: string): Promise<{ stat: PathStat; tar: Readable }> {
  const fs = await openContainerFs(deps, ref, { withMounts: true });
  try {
    const { abs, stat } = await statIn(fs, path);
    const base = baseName(abs);
    const tar = tarFromContainer(fs.cfs, abs, {
      follow: followsFinal(abs),
      content: true,
      maxDepth: 4096,
      xdev: false,
      skipFs: fs.running ? KERNEL_FS_MAGICS : [],
      rebase: base === '/' ? '' : base,
      ...(fs.ids ? { ids: fs.ids } : {}),
      onDone: () => fs.close(),
    });
    return { stat, tar };
  } catch (err) {
    await fs.close();
    throw err;
  }
}

/** Lists a directory one level deep (the Files tab), names sorted. */
export async function listContainerDir(deps: ContainerFsDeps, ref: string, path: string): Promise<PathStat[]> {
  return withFs(deps, ref, async (fs) => {
    const abs = absContainerPath(path);
    const out: PathStat[] = [];
    try {
      await fs.cfs.walk(abs, { follow: true, content: false, maxDepth: 1, xdev: false, skipFs: [] }, async (e) => {
        if (e.rel === '') {
          if (e.type !== 'dir') throw invalidArgument('CONTAINER_PATH_NOT_DIR', `${path}: not a directory`);
          return;
        }
        // The raw link text: the tab shows where a link points as the container wrote it.
        out.push(toStat(e.rel, e, e.type === 'symlink' ? e.linkTarget : ''));
      });
    } catch (err) {
      throw pathError(err, path, fs.rec.name);
    }
    return out;
  });
}

/**
 * `PUT /containers/{id}/archive`: extracts a tar into the directory `path` (every symlink,
 * the last included, followed inside the root). Refused, as dockerd does: a destination that is
 * not a directory; a read-only root filesystem unless the destination is in a mount.
 */
export async function extractToContainer(deps: ContainerFsDeps, ref: string, path: string, tar: Readable, opts: PutArchiveOptions): Promise<void> {
  await withFs(deps, ref, async (fs) => {
    const abs = absContainerPath(path);
    let resolved: string;
    try {
      const st = await fs.cfs.stat(abs, true);
      if (st.type !== 'dir') throw invalidArgument('EXTRACT_POINT_NOT_DIR', 'extraction point is not a directory');
      resolved = await resolveInRoot(fs.cfs, abs);
    } catch (err) {
      throw pathError(err, path, fs.rec.name);
    }
    const mounts = mountsOf(fs.rec);
    const inMount = mounts.find((m) => resolved === m.destination || resolved.startsWith(`${m.destination.replace(/\/$/, '')}/`));
    if (!inMount && fs.rec.hostConfig.readonlyRootfs) throw forbidden('ROOTFS_READONLY', 'container rootfs is marked read-only');
    if (inMount?.readOnly) throw forbidden('VOLUME_READONLY', 'mounted volume is marked read-only');
    // copyUIDGID (docker cp -a): everything owned by the container's user when it has one (moby tarCopyOptions).
    const chown = opts.copyUIDGID && fs.rec.config.user !== '' ? { uid: fs.rec.user.uid, gid: fs.rec.user.gid } : undefined;
    try {
      await extractIntoContainer(fs.cfs, resolved, tar, { noOverwriteDirNonDir: opts.noOverwriteDirNonDir, ...(chown ? { chown } : {}), ...(fs.ids ? { ids: fs.ids } : {}) });
    } catch (err) {
      throw pathError(err, path, fs.rec.name);
    }
  });
}

/** `GET /containers/{id}/export`: the container's root filesystem (no mounts) as one tar. */
export async function exportContainer(deps: ContainerFsDeps, ref: string): Promise<Readable> {
  const fs = await openContainerFs(deps, ref, { withMounts: false });
  return tarFromContainer(fs.cfs, '/', { follow: false, content: true, maxDepth: 4096, xdev: true, skipFs: KERNEL_FS_MAGICS, rebase: '', ...(fs.ids ? { ids: fs.ids } : {}), onDone: () => fs.close() });
}
