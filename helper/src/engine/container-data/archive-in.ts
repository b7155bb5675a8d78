import type { Readable } from 'node:stream';
import { extract, type Header } from 'tar-stream';
import { BerthError, invalidArgument } from '../../lib/errors';
import { CFS_IF_MISSING, CFS_NO_OVERWRITE_DIR_NON_DIR, type CfsProcess } from '../../platform/cfs-process';
import { normalizeLayerPath } from '../../store/layers/apply-layer';
import { idOnHost, type ContainerIdMaps } from './container-ids';

export interface ExtractOptions {
  /** dockerd's noOverwriteDirNonDir: never replace a directory with a non-directory or back. */
  noOverwriteDirNonDir: boolean;
  /** Owner for every entry instead of the archive's (copyUIDGID with a container user). */
  chown?: { uid: number; gid: number };
  /** A remapped running container's maps: the archive's (container) ids are stored as host ids. */
  ids?: ContainerIdMaps;
}

type Kind = 'dir' | 'file' | 'symlink' | 'other';

/** The layer applier's name rules (no absolute names, no `..`), worded for `docker cp`. */
function archivePath(name: string): string {
  try {
    return normalizeLayerPath(name);
  } catch (err) {
    throw invalidArgument('ARCHIVE_PATH_ESCAPE', (err as Error).message.replace('layer entry', 'archive entry'));
  }
}

function refuse(name: string, why: string): never {
  throw invalidArgument('ARCHIVE_PATH_ESCAPE', `refusing archive entry ${JSON.stringify(name)}: ${why}`);
}

const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const S_IFIFO = 0o010000;

/**
 * Extracts a tar into directory `dest` of a container (an absolute container path; the caller
 * checked it is a directory). The archive gets the layer applier's checks: absolute names and
 * `..` are refused (normalizeLayerPath), no entry may go through a symlink or file the archive
 * itself created, and a hardlink must point at a non-directory extracted earlier from the same
 * archive. Every path is then resolved by the kernel inside the container's root (berth-cfs), so
 * a symlink already in the container cannot lead outside it either. Parents the archive does not
 * list are created 0755 root-owned, as moby's untar does; directory mtimes are set last.
 *
 * Operations are pipelined to berth-cfs; the first refused entry or failed operation stops the
 * extraction with that error (entries before it stay, as with dockerd).
 */
export async function extractIntoContainer(cfs: CfsProcess, dest: string, tar: Readable, opts: ExtractOptions): Promise<{ entries: number }> {
  const nodes = new Map<string, Kind>([['', 'dir']]);
  const dirTimes: [string, number, number][] = [];
  const flags = opts.noOverwriteDirNonDir ? CFS_NO_OVERWRITE_DIR_NON_DIR : 0;
  let failure: unknown;
  let entries = 0;
  // Answers come back in request order: one reader takes them (a batch at a time, berth-cfs
  // flushes them when it runs out of requests) against the queue of what each request was.
  const whats: string[] = [];
  let head = 0;
  let sending = true;
  let wake: (() => void) | undefined;
  const reader = (async () => {
    for (;;) {
      if (head === whats.length) {
        if (!sending) return;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      const what = whats[head++] as string;
      if (head > 4096 && head * 2 > whats.length) {
        whats.splice(0, head);
        head = 0;
      }
      const quick = cfs.bufferedAck(what);
      if (quick === null) continue;
      if (quick !== undefined) failure ??= quick;
      else await cfs.ack(what).catch((err: unknown) => void (failure ??= err));
    }
  })();
  const ack = (what: string): void => {
    whats.push(what);
    wake?.();
  };
  const acks = async (): Promise<void> => {
    sending = false;
    wake?.();
    await reader;
  };
  const send = async (fields: string[], what: string): Promise<void> => {
    if (failure) throw failure;
    await cfs.send(fields);
    ack(what);
  };
  await cfs.send(['wbegin', dest]);
  await cfs.ack(dest);

  const ensureParents = async (path: string, name: string): Promise<void> => {
    const parts = path.split('/');
    let cur = '';
    for (let i = 0; i < parts.length - 1; i++) {
      cur = cur === '' ? (parts[i] as string) : `${cur}/${parts[i] as string}`;
      const kind = nodes.get(cur);
      if (kind === 'dir') continue;
      if (kind !== undefined) refuse(name, `parent ${JSON.stringify(cur)} is a ${kind === 'symlink' ? 'symlink' : 'non-directory'} of this archive`);
      await send(['mkdir', cur, '755', String(hostUid(0)), String(hostGid(0)), String(flags | CFS_IF_MISSING)], cur);
      nodes.set(cur, 'dir');
    }
  };

  const hostUid = (id: number): number => (opts.ids ? idOnHost(opts.ids.uid, id) : id);
  const hostGid = (id: number): number => (opts.ids ? idOnHost(opts.ids.gid, id) : id);
  const owner = (h: Header): [string, string] => [String(hostUid(opts.chown?.uid ?? h.uid ?? 0)), String(hostGid(opts.chown?.gid ?? h.gid ?? 0))];
  const secs = (d: Date | undefined): [string, string] => {
    const ms = d ? d.getTime() : Date.now();
    return [String(Math.floor(ms / 1000)), String((ms % 1000) * 1e6)];
  };

  const apply = async (h: Header, body: AsyncIterable<Buffer>): Promise<void> => {
    entries++;
    const path = archivePath(h.name);
    const mode = ((h.mode ?? 0o644) & 0o7777).toString(8);
    const [uid, gid] = owner(h);
    const [sec, nsec] = secs(h.mtime);
    if (path === '') {
      // The destination itself ("./"): only its times, as moby applies the header to dest.
      if (h.type === 'directory') dirTimes.push(['', Number(sec), Number(nsec)]);
      for await (const _ of body) void _;
      return;
    }
    await ensureParents(path, h.name);
    // Forget what an entry replaces (its subtree, if it was a directory of this archive).
    const prev = nodes.get(path);
    if (prev === 'dir' && h.type !== 'directory') for (const k of [...nodes.keys()]) if (k.startsWith(`${path}/`)) nodes.delete(k);
    switch (h.type) {
      case 'directory':
        await send(['mkdir', path, mode, uid, gid, String(flags)], path);
        nodes.set(path, 'dir');
        dirTimes.push([path, Number(sec), Number(nsec)]);
        break;
      case 'file':
      case 'contiguous-file': {
        const size = h.size ?? 0;
        if (failure) throw failure;
        await cfs.send(['file', path, mode, uid, gid, sec, nsec, String(size), String(flags)]);
        let sent = 0;
        for await (const chunk of body) {
          sent += chunk.length;
          await cfs.sendBytes(chunk);
        }
        if (sent !== size) throw new BerthError('InvalidArgument', 'ARCHIVE_TRUNCATED', `archive entry ${JSON.stringify(h.name)} is truncated`);
        ack(path);
        nodes.set(path, 'file');
        return;
      }
      case 'symlink':
        await send(['symlink', path, h.linkname ?? '', uid, gid, sec, nsec, String(flags)], path);
        nodes.set(path, 'symlink');
        break;
      case 'link': {
        const target = archivePath(h.linkname ?? '');
        const kind = nodes.get(target);
        if (kind === undefined || kind === 'dir') refuse(h.name, `hardlink target ${JSON.stringify(h.linkname)} is not a file of this archive`);
        if (target !== path) await send(['link', path, target, String(flags)], path);
        nodes.set(path, kind);
        break;
      }
      case 'character-device':
      case 'block-device':
      case 'fifo': {
        const type = h.type === 'fifo' ? S_IFIFO : h.type === 'block-device' ? S_IFBLK : S_IFCHR;
        await send(['mknod', path, (type | parseInt(mode, 8)).toString(8), String(h.devmajor ?? 0), String(h.devminor ?? 0), uid, gid, sec, nsec, String(flags)], path);
        nodes.set(path, 'other');
        break;
      }
      default:
        // pax/gnu metadata entries are consumed by tar-stream; anything else is skipped, as moby does.
        break;
    }
    for await (const _ of body) void _;
  };

  const ex = extract();
  try {
    const source = tar.pipe(ex as unknown as NodeJS.WritableStream) as unknown as AsyncIterable<{ header: Header } & AsyncIterable<Buffer>>;
    for await (const e of source) await apply(e.header, e);
    // Deepest first: setting a directory's times after its children were created.
    for (const [path, sec, nsec] of dirTimes.sort((a, b) => b[0].length - a[0].length)) await send(['times', path, String(sec), String(nsec)], path);
    await send(['wend'], 'end');
  } catch (err) {
    ex.destroy();
    tar.destroy();
    await acks();
    if (err instanceof BerthError) throw err;
    throw failure ?? invalidArgument('INVALID_ARCHIVE', `invalid tar archive: ${(err as Error).message}`, err);
  }
  await acks();
  if (failure) throw failure;
  return { entries };
}
