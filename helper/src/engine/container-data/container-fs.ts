import { posix } from 'node:path';
import { forbidden, invalidArgument, notFound } from '../../lib/errors';
import { CfsError, CfsProcess, type CfsEntry, type CfsMount } from '../../platform/cfs-process';
import type { ContainerRecord } from '../../store/containers/container-record';
import { defaultOverlayOptions } from '../containers/container-helpers';
import { containerMounts, type ContainerMountView } from '../containers/container-mounts';
import type { RootfsGate } from '../containers/rootfs-gate';
import { containerIdMapsOf, idOnHost, type ContainerIdMaps } from './container-ids';

/** How the container filesystem finds a container and its mounts (main.ts wires the engine). */
export interface ContainerFsDeps {
  /** helper/native/build/berth-cfs. */
  cfsBinary: string;
  record(ref: string): Promise<ContainerRecord>;
  /** Host PID of a running container's init; undefined when it is not running. */
  runningPid(id: string): number | undefined;
  /** Keeps views of a stopped rootfs apart from that container's start (the containers engine's gate). */
  rootfsGate?: Pick<RootfsGate, 'openView'>;
}

/** A mount as the container sees it (binds and volumes: host source -> destination; tmpfs). */
export type SeenMount = ContainerMountView;

/** The container's mounts, parents first (vol's containerMounts). */
export function mountsOf(rec: ContainerRecord): SeenMount[] {
  return containerMounts(rec);
}

/** Filesystems a walk of a running container lists but never enters (kernel views, not files). */
export const KERNEL_FS_MAGICS = [
  0x9fa0, // proc
  0x62656572, // sysfs
  0x1cd1, // devpts
  0x19800202, // mqueue
  0x27e0eb, // cgroup
  0x63677270, // cgroup2
  0x64626720, // debugfs
  0x73636673, // securityfs
];

/** An open view of one container's filesystem (close it). */
export interface OpenContainerFs {
  rec: ContainerRecord;
  cfs: CfsProcess;
  running: boolean;
  /** A running remapped container: its maps (the view shows host ids). */
  ids?: ContainerIdMaps;
  close(): Promise<void>;
}

/**
 * Opens the container's filesystem as the container sees it: a running container through its
 * own mount namespace (`/proc/<pid>/root`: volumes and binds included); a stopped one by mounting
 * its overlay (and, with `withMounts`, its binds, volumes and tmpfs) in a private mount namespace
 * of the berth-cfs process, so nothing is ever mounted on the host.
 */
export async function openContainerFs(deps: ContainerFsDeps, ref: string, opts: { withMounts: boolean }): Promise<OpenContainerFs> {
  const rec = await deps.record(ref);
  const release = (await deps.rootfsGate?.openView(rec.id)) ?? (() => undefined);
  const pid = deps.runningPid(rec.id);
  if (pid !== undefined && pid > 0) {
    release();
    const ids = await containerIdMapsOf(pid);
    // Remapped: what cp writes is created as container root's host ids (then chowned as the archive says).
    const cfs = await CfsProcess.openRoot(deps.cfsBinary, `/proc/${pid}/root`, ids ? { uid: idOnHost(ids.uid, 0), gid: idOnHost(ids.gid, 0) } : undefined);
    return { rec, cfs, running: true, ...(ids ? { ids } : {}), close: () => cfs.close() };
  }
  const plan: CfsMount[] = [
    { kind: 'overlay', target: rec.rootfs.mergedDir, data: (rec.rootfs.mountOptions ?? defaultOverlayOptions(rec)).join(','), ...(rec.rootfs.mountCwd ? { cwd: rec.rootfs.mountCwd } : {}) },
  ];
  if (opts.withMounts) {
    for (const m of mountsOf(rec)) {
      if (m.type === 'tmpfs') plan.push({ kind: 'tmpfs', destination: m.destination, data: 'mode=1777' });
      else plan.push({ kind: 'bind', source: m.source, destination: m.destination, readOnly: m.readOnly, directory: true });
    }
  }
  let cfs: CfsProcess;
  try {
    cfs = await CfsProcess.openMounted(deps.cfsBinary, plan);
  } catch (err) {
    release();
    throw err;
  }
  return { rec, cfs, running: false, close: () => cfs.close().finally(release) };
}

/** The path as an absolute container path, keeping a trailing `/` or `/.` (moby PreserveTrailingDotOrSeparator). */
export function absContainerPath(path: string): string {
  if (path === '') throw invalidArgument('INVALID_PATH', 'path is required');
  const clean = posix.join('/', path);
  if (path.endsWith('/.') && !clean.endsWith('/.')) return clean === '/' ? '/.' : `${clean}/.`;
  if (path.endsWith('/') && !clean.endsWith('/')) return `${clean}/`;
  return clean;
}

/** True when the path asks for the final symlink to be followed (a trailing `/` or `/.`). */
export function followsFinal(abs: string): boolean {
  return abs.endsWith('/') || abs.endsWith('/.');
}

/** Go's os.FileMode bits for the stat header (Docker's `X-Docker-Container-Path-Stat`). */
export function goFileMode(e: Pick<CfsEntry, 'type' | 'mode'>): number {
  let m = e.mode & 0o777;
  if (e.mode & 0o4000) m |= 1 << 23;
  if (e.mode & 0o2000) m |= 1 << 22;
  if (e.mode & 0o1000) m |= 1 << 20;
  switch (e.type) {
    case 'dir':
      m |= 2 ** 31;
      break;
    case 'symlink':
      m |= 1 << 27;
      break;
    case 'fifo':
      m |= 1 << 25;
      break;
    case 'socket':
      m |= 1 << 24;
      break;
    case 'char':
      m |= (1 << 26) | (1 << 21);
      break;
    case 'block':
      m |= 1 << 26;
      break;
    default:
      break;
  }
  return m >>> 0;
}

/**
 * The container path a path leads to, every symlink followed inside the root (moby's
 * `GetResourcePath` made relative to the root, as `linkTarget` reports it). The lookups go
 * through berth-cfs, so this only names paths; opening them is again resolved by the kernel.
 */
export async function resolveInRoot(cfs: CfsProcess, abs: string): Promise<string> {
  const pending = abs.split('/').filter((p) => p !== '' && p !== '.');
  const done: string[] = [];
  let hops = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '..') {
      done.pop();
      continue;
    }
    const candidate = `/${[...done, part].join('/')}`;
    let st: CfsEntry;
    try {
      st = await cfs.stat(candidate, false);
    } catch (err) {
      if (err instanceof CfsError && err.errno === 2) {
        // Missing: the rest is taken literally, as filepath.EvalSymlinks-in-scope does.
        done.push(part, ...pending.filter((p) => p !== '.'));
        return posix.normalize(`/${done.join('/')}`);
      }
      throw err;
    }
    if (st.type === 'symlink') {
      if (++hops > 255) throw invalidArgument('TOO_MANY_LINKS', `too many levels of symbolic links: ${abs}`);
      const target = st.linkTarget.split('/').filter((p) => p !== '' && p !== '.');
      if (st.linkTarget.startsWith('/')) done.length = 0;
      pending.unshift(...target);
      continue;
    }
    done.push(part);
  }
  return `/${done.join('/')}`;
}

/** Maps a berth-cfs errno to the error dockerd gives for that path. */
export function pathError(err: unknown, path: string, containerName: string): unknown {
  if (!(err instanceof CfsError)) return err;
  switch (err.errno) {
    case 2: // ENOENT
      return notFound('CONTAINER_PATH_NOT_FOUND', `Could not find the file ${path} in container ${containerName}`);
    case 20: // ENOTDIR
      return invalidArgument('CONTAINER_PATH_NOT_DIR', `${path}: not a directory`);
    case 40: // ELOOP
      return invalidArgument('CONTAINER_PATH_LOOP', `${path}: too many levels of symbolic links`);
    case 30: // EROFS
      return forbidden('CONTAINER_PATH_READONLY', `${path}: read-only file system`);
    case 21: // EISDIR (noOverwriteDirNonDir)
      return invalidArgument('CONTAINER_PATH_OVERWRITE', `cannot overwrite directory with non-directory: ${err.message.replace(/^[^:]*: /, '')}`);
    case 13: // EACCES
    case 1: // EPERM
      return forbidden('CONTAINER_PATH_DENIED', `${path}: permission denied`);
    default:
      return err;
  }
}
