import { constants } from 'node:fs';
import { chmod, chown, lchown, link, lutimes, mkdir, open, rm, symlink, unlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { extract, type Header } from 'tar-stream';
import { BerthError, invalidArgument } from '../../lib/errors';
import type { FsUtil } from './fsutil';

/** What one tar entry asks for, decided from its name alone (pure; unit-tested). */
export type EntryPlan =
  | { action: 'skip' }
  /** `<dir>/.wh..wh..opq`: mark `dir` opaque (hide everything below it in lower layers). */
  | { action: 'opaque'; dir: string }
  /** `<dir>/.wh.<name>`: a 0/0 character device at `path` hides it in lower layers. */
  | { action: 'whiteout'; path: string }
  | { action: 'write'; path: string };

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_MARKER = '.wh..wh..opq';
/** The xattr overlayfs reads for opaque directories (as root, outside a user namespace). */
export const OPAQUE_XATTR = 'trusted.overlay.opaque';

function refuse(name: string, why: string): never {
  throw invalidArgument('LAYER_PATH_ESCAPE', `refusing layer entry ${JSON.stringify(name)}: ${why}`);
}

/**
 * Normalises a tar path to a relative path under the layer root ('' is the root itself). Absolute
 * paths and any `..` component are refused: a layer may never name anything outside its root.
 */
export function normalizeLayerPath(name: string): string {
  if (name.startsWith('/')) refuse(name, 'absolute path');
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') refuse(name, "path contains '..'");
    parts.push(part);
  }
  return parts.join('/');
}

/** Classifies an entry by name: AUFS whiteouts become overlay form, AUFS metadata is skipped. */
export function planEntry(name: string): EntryPlan {
  const path = normalizeLayerPath(name);
  const parts = path === '' ? [] : path.split('/');
  const base = parts[parts.length - 1] ?? '';
  const dir = parts.slice(0, -1).join('/');
  if (base === OPAQUE_MARKER) return { action: 'opaque', dir };
  // `.wh..wh.plnk` and friends: AUFS hardlink bookkeeping, meaningless for overlay.
  if (parts.some((p) => p.startsWith(`${WHITEOUT_PREFIX}${WHITEOUT_PREFIX}`))) return { action: 'skip' };
  if (base.startsWith(WHITEOUT_PREFIX)) {
    const target = base.slice(WHITEOUT_PREFIX.length);
    if (target === '' || target === '.' || target === '..') refuse(name, 'invalid whiteout');
    return { action: 'whiteout', path: dir === '' ? target : `${dir}/${target}` };
  }
  return { action: 'write', path };
}

type NodeKind = 'dir' | 'file' | 'symlink' | 'other';

const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const S_IFIFO = 0o010000;

export interface ApplyResult {
  /** Sum of regular file sizes, Docker's layer "size". */
  size: number;
  entries: number;
}

/**
 * Applies an uncompressed layer tar into `root` (an empty directory the caller owns: a layer's
 * `diff` while it is still private), in overlay form. Owners are numeric, modes (incl. setuid),
 * mtimes, xattrs, hardlinks, symlinks, devices and fifos are kept.
 *
 * Safety: every created path is tracked; an entry whose parent is anything but a directory this
 * layer created (e.g. a symlink to /tmp) is refused, as are absolute and `..` paths and hardlinks
 * to anything not created earlier in this layer. Final components are replaced, never followed
 * (unlink + O_EXCL|O_NOFOLLOW). A refused entry fails the whole layer; the caller discards `root`.
 */
export async function applyLayerTar(tar: Readable, root: string, fsutil: FsUtil): Promise<ApplyResult> {
  const applier = new LayerApplier(root, fsutil);
  const ex = extract();
  ex.on('entry', (header, source, next) => {
    // streamx Readables are async-iterable and resumable like Node's; that is all we use.
    const stream = source as unknown as Readable;
    // When the tar stream fails mid-entry (a gzip blob cut short), extract destroys this entry with
    // the error; the applier sees it through its reads, but an unheard 'error' event would still
    // be an uncaught exception that ends the layer worker.
    stream.on('error', () => undefined);
    applier.apply(header, stream).then(
      () => next(),
      (err: unknown) => {
        stream.resume();
        next(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    let settled = false;
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      tar.unpipe(ex as unknown as NodeJS.WritableStream);
      ex.destroy(err);
      reject(err);
    };
    tar.on('error', fail);
    ex.on('error', fail);
    ex.on('finish', () => {
      if (!settled) {
        settled = true;
        resolve();
      }
    });
    tar.pipe(ex as unknown as NodeJS.WritableStream);
  });
  await applier.finish();
  return { size: applier.size, entries: applier.entries };
}

class LayerApplier {
  size = 0;
  entries = 0;
  private readonly nodes = new Map<string, NodeKind>([['', 'dir']]);
  private readonly dirTimes = new Map<string, Date>();

  constructor(
    private readonly root: string,
    private readonly fsutil: FsUtil,
  ) {}

  private abs(rel: string): string {
    return rel === '' ? this.root : join(this.root, rel);
  }

  async apply(h: Header, body: Readable): Promise<void> {
    this.entries++;
    const plan = planEntry(h.name);
    if (plan.action === 'skip') return drain(body);
    if (plan.action === 'opaque') {
      await this.ensureDir(plan.dir, h.name);
      await this.fsutil.setxattr(plan.dir === '' ? '.' : plan.dir, OPAQUE_XATTR, Buffer.from('y'));
      return drain(body);
    }
    if (plan.action === 'whiteout') {
      await this.ensureParents(plan.path, h.name);
      await this.removeExisting(plan.path, false);
      await this.fsutil.mknod(plan.path, S_IFCHR, 0, 0);
      await lchown(this.abs(plan.path), h.uid, h.gid);
      this.nodes.set(plan.path, 'other');
      return drain(body);
    }
    const path = plan.path;
    const abs = this.abs(path);
    const mode = h.mode & 0o7777;
    if (path !== '') await this.ensureParents(path, h.name);
    switch (h.type) {
      case 'directory': {
        if (this.nodes.get(path) !== 'dir') {
          await this.removeExisting(path, true);
          await mkdir(abs);
          this.nodes.set(path, 'dir');
        }
        await chown(abs, h.uid, h.gid);
        await chmod(abs, mode);
        this.dirTimes.set(path, h.mtime);
        await drain(body);
        break;
      }
      case 'file':
      case 'contiguous-file': {
        if (path === '') refuse(h.name, 'a file cannot replace the layer root');
        await this.removeExisting(path, false);
        await writeFileFrom(abs, body, h);
        this.nodes.set(path, 'file');
        this.size += h.size;
        break;
      }
      case 'symlink': {
        if (path === '') refuse(h.name, 'a symlink cannot replace the layer root');
        await this.removeExisting(path, false);
        await symlink(h.linkname, abs);
        await lchown(abs, h.uid, h.gid);
        await lutimes(abs, h.mtime, h.mtime);
        this.nodes.set(path, 'symlink');
        await drain(body);
        break;
      }
      case 'link': {
        if (path === '') refuse(h.name, 'a hardlink cannot replace the layer root');
        const target = normalizeLayerPath(h.linkname);
        const kind = this.nodes.get(target);
        if (kind === undefined || kind === 'dir') refuse(h.name, `hardlink target ${JSON.stringify(h.linkname)} is not a file of this layer`);
        if (target === path) break;
        await this.removeExisting(path, false);
        await link(this.abs(target), abs);
        this.nodes.set(path, kind);
        await drain(body);
        break;
      }
      case 'character-device':
      case 'block-device':
      case 'fifo': {
        if (path === '') refuse(h.name, 'a device cannot replace the layer root');
        await this.removeExisting(path, false);
        const type = h.type === 'fifo' ? S_IFIFO : h.type === 'block-device' ? S_IFBLK : S_IFCHR;
        await this.fsutil.mknod(path, type | mode, h.devmajor ?? 0, h.devminor ?? 0);
        await lchown(abs, h.uid, h.gid);
        await utimes(abs, h.mtime, h.mtime);
        this.nodes.set(path, 'other');
        await drain(body);
        break;
      }
      default:
        await drain(body);
        return;
    }
    await this.applyXattrs(path, h);
  }

  async finish(): Promise<void> {
    // Directory mtimes last: creating entries inside a directory bumps its mtime.
    const dirs = [...this.dirTimes.entries()].sort((a, b) => b[0].length - a[0].length);
    for (const [path, mtime] of dirs) {
      if (this.nodes.get(path) === 'dir') await utimes(this.abs(path), mtime, mtime);
    }
  }

  private async applyXattrs(path: string, h: Header): Promise<void> {
    const pax = h.pax as Record<string, string> | null | undefined;
    if (!pax) return;
    for (const [key, value] of Object.entries(pax)) {
      if (!key.startsWith('SCHILY.xattr.')) continue;
      const name = key.slice('SCHILY.xattr.'.length);
      // A layer must not forge overlayfs metadata (opaque dirs, redirects) through raw xattrs.
      if (name.startsWith('trusted.overlay.') || name.startsWith('user.overlay.')) continue;
      try {
        await this.fsutil.setxattr(path === '' ? '.' : path, name, Buffer.from(value, 'utf8'));
      } catch (err) {
        const errno = (err as { errno?: number }).errno;
        // Like moby, unsupported xattr namespaces (e.g. security.selinux without SELinux) are dropped.
        if (errno !== 95 && errno !== 1) throw err;
      }
    }
  }

  /** Creates missing parent directories (0755, root) and refuses to go through non-directories. */
  private async ensureParents(path: string, name: string): Promise<void> {
    const parts = path.split('/');
    let cur = '';
    for (let i = 0; i < parts.length - 1; i++) {
      cur = cur === '' ? (parts[i] as string) : `${cur}/${parts[i] as string}`;
      const kind = this.nodes.get(cur);
      if (kind === 'dir') continue;
      if (kind !== undefined) refuse(name, `parent ${JSON.stringify(cur)} is a ${kind === 'symlink' ? 'symlink' : 'non-directory'}`);
      await mkdir(this.abs(cur), { mode: 0o755 });
      this.nodes.set(cur, 'dir');
    }
  }

  private async ensureDir(path: string, name: string): Promise<void> {
    if (path === '') return;
    await this.ensureParents(path, name);
    const kind = this.nodes.get(path);
    if (kind === 'dir') return;
    if (kind !== undefined) refuse(name, `${JSON.stringify(path)} is not a directory`);
    await mkdir(this.abs(path), { mode: 0o755 });
    this.nodes.set(path, 'dir');
  }

  /** Makes room for a new entry at `path`. A directory survives only if the new entry is one too. */
  private async removeExisting(path: string, keepDir: boolean): Promise<void> {
    const kind = this.nodes.get(path);
    if (kind === undefined) return;
    if (kind === 'dir') {
      if (keepDir) return;
      if (path === '') refuse(path, 'cannot replace the layer root');
      await rm(this.abs(path), { recursive: true, force: true });
      const prefix = `${path}/`;
      for (const k of [...this.nodes.keys()]) if (k.startsWith(prefix)) this.nodes.delete(k);
      for (const k of [...this.dirTimes.keys()]) if (k === path || k.startsWith(prefix)) this.dirTimes.delete(k);
    } else {
      await unlink(this.abs(path));
    }
    this.nodes.delete(path);
  }
}

async function drain(body: Readable): Promise<void> {
  for await (const _ of body as AsyncIterable<Buffer>) {
    /* discard */
  }
}

const WRITE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

async function writeFileFrom(abs: string, body: Readable, h: Header): Promise<void> {
  const fh = await open(abs, WRITE_FLAGS, 0o600);
  try {
    let written = 0;
    for await (const chunk of body as AsyncIterable<Buffer>) {
      let off = 0;
      while (off < chunk.length) {
        const { bytesWritten } = await fh.write(chunk, off, chunk.length - off);
        off += bytesWritten;
      }
      written += chunk.length;
    }
    if (written !== h.size) throw new BerthError('InvalidArgument', 'LAYER_TRUNCATED', `layer entry ${JSON.stringify(h.name)} is truncated`);
    await fh.chown(h.uid, h.gid);
    // chmod after chown: chown clears setuid/setgid bits.
    await fh.chmod(h.mode & 0o7777);
    await fh.utimes(h.mtime, h.mtime);
  } finally {
    await fh.close();
  }
}
