import { closeSync, constants, fchmodSync, fchownSync, futimesSync, lchownSync, linkSync, lutimesSync, mkdirSync, openSync, rmSync, symlinkSync, unlinkSync, utimesSync, writeSync, chmodSync, chownSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { extract, type Header } from 'tar-stream';
import { BerthError, invalidArgument } from '../../lib/errors';
import type { FileWriter } from './file-writer';
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
 *
 * Speed: filesystem calls are synchronous (the work per entry is a handful of syscalls on the page
 * cache; a thread-pool round trip per call cost more than the call itself, in CPU and wall time),
 * file metadata is set on the open descriptor, and calls that change nothing are skipped (owner
 * 0:0 and modes the create already gave). Control returns to the event loop between entries and
 * body chunks, so an in-process apply (import, fallback) never holds the loop for long.
 */
export async function applyLayerTar(tar: Readable, root: string, fsutil: FsUtil, opts: { writer?: FileWriter } = {}): Promise<ApplyResult> {
  const applier = new LayerApplier(root, fsutil, opts.writer);
  const ex = extract();
  ex.on('entry', (header, source, next) => {
    const stream = source as unknown as Readable;
    // When the tar stream fails mid-entry (a gzip blob cut short), extract destroys this entry with
    // the error; the applier sees it through its reads, but an unheard 'error' event would still
    // be an uncaught exception that ends the layer worker.
    stream.on('error', () => undefined);
    const done = (err?: unknown): void => {
      if (err === undefined) return next();
      stream.resume();
      // Never fail from inside the 'entry' emit: the extractor is mid-header and would throw it on.
      process.nextTick(() => next(err instanceof Error ? err : new Error(String(err))));
    };
    try {
      const pending = applier.entry(header, stream, done);
      if (pending) pending.then(() => done(), done);
    } catch (err) {
      done(err);
    }
  });
  try {
    await extractInto(tar, ex);
  } catch (err) {
    // Nothing may still be writing into root when the caller discards it.
    await opts.writer?.flush().catch(() => undefined);
    throw err;
  }
  await applier.finish();
  return { size: applier.size, entries: applier.entries };
}

function extractInto(tar: Readable, ex: ReturnType<typeof extract>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
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
}

/** Files up to this size go to the file writer when there is one; bigger ones stream here. */
const HANDOFF_MAX = 256 << 10;
const WRITE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
/** The process umask (read once; reading it is allowed in worker threads, setting is not). */
const UMASK = process.umask();

/** True when creating with `mode & 0o777` under the umask already yields `mode` (no chmod needed). */
function createGives(mode: number): boolean {
  return (mode & 0o7000) === 0 && (mode & UMASK) === 0;
}

class LayerApplier {
  size = 0;
  entries = 0;
  private readonly nodes = new Map<string, NodeKind>([['', 'dir']]);
  private readonly dirTimes = new Map<string, Date>();
  private readonly euid = process.geteuid?.() ?? 0;
  private readonly egid = process.getegid?.() ?? 0;

  constructor(
    private readonly root: string,
    private readonly fsutil: FsUtil,
    private readonly writer?: FileWriter,
  ) {}

  private abs(rel: string): string {
    return rel === '' ? this.root : join(this.root, rel);
  }

  private owned(uid: number, gid: number): boolean {
    return uid === this.euid && gid === this.egid;
  }

  /** berth-fsutil requests sent but not answered yet (they run in order, after the calls made so far). */
  private inflight = 0;
  private queued: Promise<void> = Promise.resolve();
  private fsutilError: unknown;

  /**
   * Sends an fsutil request without waiting for it: the helper process answers in order, and a
   * round trip per xattr or whiteout would make the apply wait on the scheduler once per entry.
   * Failures surface in `finish` (or at the next `flush`).
   */
  private background(op: Promise<void>): void {
    this.inflight++;
    const settled = op.then(
      () => undefined,
      (err: unknown) => {
        this.fsutilError ??= err;
      },
    ).finally(() => this.inflight--);
    this.queued = this.queued.then(() => settled);
  }

  private async flush(): Promise<void> {
    await this.writer?.flush();
    await this.queued;
    if (this.fsutilError !== undefined) throw this.fsutilError;
  }

  /**
   * Applies one entry. Queued fsutil requests name paths; before a path is replaced (or linked to a
   * node fsutil has not created yet) they are waited for, so they never land on a later entry.
   */
  entry(h: Header, body: Readable, done: (err?: unknown) => void): Promise<void> | undefined {
    if ((this.inflight > 0 && this.dependsOnQueued(h)) || this.dependsOnWriter(h)) return this.flush().then(() => this.entry(h, body, done) ?? new Promise<void>(() => undefined));
    return this.apply(h, body, done);
  }

  /** True when the entry touches a path the file writer may not have written yet (rare: links, replacements). */
  private dependsOnWriter(h: Header): boolean {
    const w = this.writer;
    if (w?.busy !== true) return false;
    const plan = planEntry(h.name);
    if (plan.action === 'skip') return false;
    const path = plan.action === 'opaque' ? plan.dir : plan.path;
    if (w.has(this.abs(path))) return true;
    // A directory of this layer replaced by something else takes its subtree with it.
    if (this.nodes.get(path) === 'dir' && plan.action !== 'opaque' && h.type !== 'directory') return true;
    return h.type === 'link' && plan.action === 'write' && w.has(this.abs(normalizeLayerPath(h.linkname)));
  }

  private dependsOnQueued(h: Header): boolean {
    const plan = planEntry(h.name);
    if (plan.action === 'skip') return false;
    const path = plan.action === 'opaque' ? plan.dir : plan.path;
    const kind = this.nodes.get(path);
    if (h.type === 'link' && plan.action === 'write') return this.nodes.get(normalizeLayerPath(h.linkname)) === 'other' || kind !== undefined;
    return kind !== undefined && !(kind === 'dir' && (plan.action === 'opaque' || h.type === 'directory'));
  }

  /**
   * Applies one entry. Regular files are written from `body` as it streams and `done` is called at
   * its end (returns undefined); everything else completes synchronously or through the returned
   * promise (xattrs and device nodes go through berth-fsutil), after which the caller calls `done`.
   */
  private apply(h: Header, body: Readable, done: (err?: unknown) => void): Promise<void> | undefined {
    this.entries++;
    const plan = planEntry(h.name);
    if (plan.action === 'skip') return drain(body);
    if (plan.action === 'opaque') {
      this.ensureDir(plan.dir, h.name);
      this.background(this.fsutil.setxattr(plan.dir === '' ? '.' : plan.dir, OPAQUE_XATTR, Buffer.from('y')));
      return drain(body);
    }
    if (plan.action === 'whiteout') {
      this.ensureParents(plan.path, h.name);
      this.removeExisting(plan.path, false);
      this.nodes.set(plan.path, 'other');
      const made = this.fsutil.mknod(plan.path, S_IFCHR, 0, 0);
      if (this.owned(h.uid, h.gid)) {
        this.background(made);
        return drain(body);
      }
      return made.then(() => {
        lchownSync(this.abs(plan.path), h.uid, h.gid);
        return drain(body);
      });
    }
    const path = plan.path;
    const abs = this.abs(path);
    const mode = h.mode & 0o7777;
    if (path !== '') this.ensureParents(path, h.name);
    switch (h.type) {
      case 'directory': {
        if (this.nodes.get(path) !== 'dir') {
          this.removeExisting(path, true);
          mkdirSync(abs, mode & 0o777);
          this.nodes.set(path, 'dir');
          if (!this.owned(h.uid, h.gid)) chownSync(abs, h.uid, h.gid);
          if (!createGives(mode)) chmodSync(abs, mode);
        } else {
          chownSync(abs, h.uid, h.gid);
          chmodSync(abs, mode);
        }
        this.dirTimes.set(path, h.mtime);
        break;
      }
      case 'file':
      case 'contiguous-file': {
        if (path === '') refuse(h.name, 'a file cannot replace the layer root');
        this.removeExisting(path, false);
        this.nodes.set(path, 'file');
        this.size += h.size;
        if (this.writer && h.size <= HANDOFF_MAX && !hasXattrs(h)) return this.handOff(abs, body, h, done);
        const fd = openSync(abs, WRITE_FLAGS, mode & 0o777);
        return this.writeBody(fd, body, h, done);
      }
      case 'symlink': {
        if (path === '') refuse(h.name, 'a symlink cannot replace the layer root');
        this.removeExisting(path, false);
        symlinkSync(h.linkname, abs);
        if (!this.owned(h.uid, h.gid)) lchownSync(abs, h.uid, h.gid);
        lutimesSync(abs, h.mtime, h.mtime);
        this.nodes.set(path, 'symlink');
        break;
      }
      case 'link': {
        if (path === '') refuse(h.name, 'a hardlink cannot replace the layer root');
        const target = normalizeLayerPath(h.linkname);
        const kind = this.nodes.get(target);
        if (kind === undefined || kind === 'dir') refuse(h.name, `hardlink target ${JSON.stringify(h.linkname)} is not a file of this layer`);
        if (target === path) break;
        this.removeExisting(path, false);
        linkSync(this.abs(target), abs);
        this.nodes.set(path, kind);
        break;
      }
      case 'character-device':
      case 'block-device':
      case 'fifo': {
        if (path === '') refuse(h.name, 'a device cannot replace the layer root');
        this.removeExisting(path, false);
        const type = h.type === 'fifo' ? S_IFIFO : h.type === 'block-device' ? S_IFBLK : S_IFCHR;
        return this.fsutil.mknod(path, type | mode, h.devmajor ?? 0, h.devminor ?? 0).then(() => {
          if (!this.owned(h.uid, h.gid)) lchownSync(abs, h.uid, h.gid);
          utimesSync(abs, h.mtime, h.mtime);
          this.nodes.set(path, 'other');
          return this.applyXattrs(path, h).then(() => drain(body));
        });
      }
      default:
        return drain(body);
    }
    if (hasXattrs(h)) this.background(this.applyXattrs(path, h));
    return drain(body);
  }

  /** Collects a small file's body and gives its creation to the file writer (see FileWriter). */
  private handOff(abs: string, body: Readable, h: Header, done: (err?: unknown) => void): undefined {
    const chunks: Buffer[] = [];
    let size = 0;
    body.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
    });
    body.on('error', (err) => done(err));
    body.on('end', () => {
      if (size !== h.size) {
        done(new BerthError('InvalidArgument', 'LAYER_TRUNCATED', `layer entry ${JSON.stringify(h.name)} is truncated`));
        return;
      }
      const mode = h.mode & 0o7777;
      const owned = this.owned(h.uid, h.gid);
      const wait = (this.writer as FileWriter).add({ path: abs, mode, uid: h.uid, gid: h.gid, mtime: h.mtime, chown: !owned, chmod: !createGives(mode) || !owned, body: chunks, size });
      if (wait) wait.then(() => done(), done);
      else done();
    });
    return undefined;
  }

  /** Streams the body into `fd`, then sets owner, mode and mtime on the descriptor and closes it. */
  private writeBody(fd: number, body: Readable, h: Header, done: (err?: unknown) => void): undefined {
    let written = 0;
    let failed = false;
    const fail = (err: unknown): void => {
      if (failed) return;
      failed = true;
      body.removeAllListeners('data');
      closeSync(fd);
      done(err);
    };
    body.on('data', (chunk: Buffer) => {
      if (failed) return;
      try {
        let off = 0;
        while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
        written += chunk.length;
      } catch (err) {
        fail(err);
      }
    });
    body.on('error', fail);
    body.on('end', () => {
      if (failed) return;
      try {
        if (written !== h.size) throw new BerthError('InvalidArgument', 'LAYER_TRUNCATED', `layer entry ${JSON.stringify(h.name)} is truncated`);
        const mode = h.mode & 0o7777;
        if (!this.owned(h.uid, h.gid)) fchownSync(fd, h.uid, h.gid);
        // chmod after chown: chown clears setuid/setgid bits.
        if (!createGives(mode) || !this.owned(h.uid, h.gid)) fchmodSync(fd, mode);
        futimesSync(fd, h.mtime, h.mtime);
      } catch (err) {
        fail(err);
        return;
      }
      closeSync(fd);
      if (hasXattrs(h)) this.background(this.applyXattrs(normalizeLayerPath(h.name), h));
      done();
    });
    return undefined;
  }

  async finish(): Promise<void> {
    await this.flush();
    // Directory mtimes last: creating entries inside a directory bumps its mtime.
    const dirs = [...this.dirTimes.entries()].sort((a, b) => b[0].length - a[0].length);
    for (const [path, mtime] of dirs) {
      if (this.nodes.get(path) === 'dir') utimesSync(this.abs(path), mtime, mtime);
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
  private ensureParents(path: string, name: string): void {
    let i = path.indexOf('/');
    while (i !== -1) {
      const cur = path.slice(0, i);
      const kind = this.nodes.get(cur);
      if (kind !== 'dir') {
        if (kind !== undefined) refuse(name, `parent ${JSON.stringify(cur)} is a ${kind === 'symlink' ? 'symlink' : 'non-directory'}`);
        mkdirSync(this.abs(cur), 0o755);
        this.nodes.set(cur, 'dir');
      }
      i = path.indexOf('/', i + 1);
    }
  }

  private ensureDir(path: string, name: string): void {
    if (path === '') return;
    this.ensureParents(path, name);
    const kind = this.nodes.get(path);
    if (kind === 'dir') return;
    if (kind !== undefined) refuse(name, `${JSON.stringify(path)} is not a directory`);
    mkdirSync(this.abs(path), 0o755);
    this.nodes.set(path, 'dir');
  }

  /** Makes room for a new entry at `path`. A directory survives only if the new entry is one too. */
  private removeExisting(path: string, keepDir: boolean): void {
    const kind = this.nodes.get(path);
    if (kind === undefined) return;
    if (kind === 'dir') {
      if (keepDir) return;
      if (path === '') refuse(path, 'cannot replace the layer root');
      rmSync(this.abs(path), { recursive: true, force: true });
      const prefix = `${path}/`;
      for (const k of [...this.nodes.keys()]) if (k.startsWith(prefix)) this.nodes.delete(k);
      for (const k of [...this.dirTimes.keys()]) if (k === path || k.startsWith(prefix)) this.dirTimes.delete(k);
    } else {
      unlinkSync(this.abs(path));
    }
    this.nodes.delete(path);
  }
}

function hasXattrs(h: Header): boolean {
  const pax = h.pax as Record<string, string> | null | undefined;
  return pax != null && Object.keys(pax).some((k) => k.startsWith('SCHILY.xattr.'));
}

/** Discards an entry's body (usually empty) and resolves at its end. */
function drain(body: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    body.on('data', () => undefined);
    body.on('error', reject);
    body.on('end', () => resolve());
  });
}
