import { createHash } from 'node:crypto';
import { closeSync, constants, createReadStream, openSync, readSync, writeSync } from 'node:fs';
import { Readable } from 'node:stream';
import { invalidArgument } from '../../lib/errors';
import { resolveIn, type EntryStat, type SourceEntry, type SourceRoot } from './source-root';

/** One name of the context. Hardlinked names share one node, as they would share an inode. */
interface Node {
  type: 'file' | 'dir' | 'symlink';
  /** Permission bits (07777). */
  perm: number;
  mtime: Date;
  size: number;
  /** Where a file's bytes start in the spool. */
  offset: number;
  /** sha256 (hex) of a file's bytes. */
  digest: string;
  linkname: string;
  children?: Map<string, Node>;
}

const TYPE_BITS = { file: constants.S_IFREG, dir: constants.S_IFDIR, symlink: constants.S_IFLNK } as const;

function statOf(n: Node): EntryStat {
  return {
    mode: TYPE_BITS[n.type] | n.perm,
    size: n.type === 'file' ? n.size : n.type === 'symlink' ? Buffer.byteLength(n.linkname) : 4096,
    mtime: n.mtime,
    // The daemon owned the files it unpacked; COPY gives them the --chown identity anyway.
    uid: 0,
    gid: 0,
    rdev: 0,
    isDirectory: () => n.type === 'dir',
    isFile: () => n.type === 'file',
    isSymbolicLink: () => n.type === 'symlink',
    isCharacterDevice: () => false,
  };
}

function dirNode(perm: number, mtime: Date): Node {
  return { type: 'dir', perm, mtime, size: 0, offset: 0, digest: '', linkname: '', children: new Map() };
}

function split(rel: string): string[] {
  const parts = rel.split('/');
  // Paths from the reader are clean already; only others (COPY sources) need the filter.
  return parts.includes('') || parts.includes('.') ? parts.filter((p) => p !== '' && p !== '.') : parts;
}

/**
 * The build context as COPY/ADD read it, kept in memory while the tar streams in: names, types,
 * modes, link targets, and each file's sha256 computed on the way. File bytes go, one after the
 * other, into a single spool file, read back only when a step that runs copies them. So a build
 * answered from the cache writes no file per context entry, and one that runs writes none either:
 * the COPY layer is packed straight from the spool.
 *
 * Paths are already clean (context-reader checks names, symlink parents and hardlink targets).
 */
export class ContextTree implements SourceRoot {
  private readonly root = dirNode(0o755, new Date());
  private readonly nodes = new WeakMap<SourceEntry, Node>();
  private fd: number | undefined;
  private spoolSize = 0;

  /** `spool` is created (exclusively) for file bytes; `close` releases it, the caller removes it. */
  constructor(spool: string) {
    this.fd = openSync(spool, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL, 0o600);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private spoolFd(): number {
    if (this.fd === undefined) throw new Error('the build context is closed');
    return this.fd;
  }

  /** The directory holding `parts` (made as needed, 0755 with the current time, as mkdir -p). */
  private parentOf(parts: string[], shown: string): Map<string, Node> {
    let cur = this.root;
    for (const p of parts.slice(0, -1)) {
      let next = cur.children?.get(p);
      if (!next) {
        next = dirNode(0o755, new Date());
        cur.children?.set(p, next);
      } else if (next.type !== 'dir') {
        throw invalidArgument('BUILD_CONTEXT', `invalid build context: a parent of ${JSON.stringify(shown)} is not a directory`);
      }
      cur = next;
    }
    return cur.children as Map<string, Node>;
  }

  private lookup(parts: string[]): Node | undefined {
    let cur: Node | undefined = this.root;
    for (const p of parts) {
      if (cur?.type !== 'dir') return undefined;
      cur = cur.children?.get(p);
    }
    return cur;
  }

  private put(rel: string, node: Node): void {
    const parts = split(rel);
    const dir = this.parentOf(parts, rel);
    dir.set(parts.at(-1) as string, node);
  }

  /** A directory entry: an existing directory keeps its contents and takes the new metadata. */
  addDir(rel: string, perm: number, mtime: Date): void {
    const parts = split(rel);
    const dir = this.parentOf(parts, rel);
    const name = parts.at(-1) as string;
    const old = dir.get(name);
    if (old?.type === 'dir') {
      old.perm = perm;
      old.mtime = mtime;
    } else dir.set(name, dirNode(perm, mtime));
  }

  addSymlink(rel: string, linkname: string, mtime: Date): void {
    this.put(rel, { type: 'symlink', perm: 0o777, mtime, size: 0, offset: 0, digest: '', linkname });
  }

  /** A hardlink: the name shares the target's node (false when there is no such non-directory). */
  addLink(rel: string, target: string): boolean {
    const t = this.lookup(split(target));
    if (!t || t.type === 'dir') return false;
    this.put(rel, t);
    return true;
  }

  /** A regular file, its bytes arriving in chunks (spooled and hashed as they come). */
  async addFile(rel: string, perm: number, mtime: Date, chunks: AsyncIterable<Buffer> | Buffer[]): Promise<void> {
    const fd = this.spoolFd();
    const h = createHash('sha256');
    const offset = this.spoolSize;
    for await (const c of chunks) {
      h.update(c);
      for (let done = 0; done < c.length; ) done += writeSync(fd, c, done, c.length - done, this.spoolSize + done);
      this.spoolSize += c.length;
    }
    this.put(rel, { type: 'file', perm, mtime, size: this.spoolSize - offset, offset, digest: h.digest('hex'), linkname: '' });
  }

  /** Removes a name (and what is below it). */
  remove(rel: string): void {
    const parts = split(rel);
    const parent = this.lookup(parts.slice(0, -1));
    parent?.children?.delete(parts.at(-1) as string);
  }

  /** Whether `rel` is a directory with nothing in it. */
  isEmptyDir(rel: string): boolean {
    const n = this.lookup(split(rel));
    return n?.type === 'dir' && (n.children?.size ?? 0) === 0;
  }

  /** Every path (directories before their contents, names sorted). */
  walk(): { path: string; dir: boolean }[] {
    const out: { path: string; dir: boolean }[] = [];
    const visit = (n: Node, rel: string): void => {
      for (const name of [...(n.children?.keys() ?? [])].sort()) {
        const c = n.children?.get(name) as Node;
        const p = rel === '' ? name : `${rel}/${name}`;
        out.push({ path: p, dir: c.type === 'dir' });
        if (c.type === 'dir') visit(c, p);
      }
    };
    visit(this.root, '');
    return out;
  }

  /** A regular file's text (the Dockerfile, the ignore file); undefined when it is not one. */
  readText(rel: string): string | undefined {
    const n = this.lookup(split(rel));
    return n?.type === 'file' ? this.bytes(n).toString('utf8') : undefined;
  }

  private entry(rel: string, n: Node): SourceEntry {
    const e: SourceEntry = { rel, st: statOf(n) };
    this.nodes.set(e, n);
    return e;
  }

  private nodeOf(e: SourceEntry): Node {
    const n = this.nodes.get(e);
    if (!n) throw new Error(`entry ${e.rel} does not belong to the build context`);
    return n;
  }

  private bytes(n: Node): Buffer {
    const buf = Buffer.allocUnsafe(n.size);
    for (let done = 0; done < n.size; ) {
      const r = readSync(this.spoolFd(), buf, done, n.size - done, n.offset + done);
      if (r === 0) throw new Error('the build context spool is truncated');
      done += r;
    }
    return buf;
  }

  // ---- SourceRoot ---------------------------------------------------------------------------

  async lstat(rel: string): Promise<SourceEntry | undefined> {
    const parts = split(rel);
    let cur: Node = this.root;
    for (let i = 0; i < parts.length; i++) {
      const next = cur.children?.get(parts[i] as string);
      if (!next) return undefined;
      if (i < parts.length - 1 && next.type === 'symlink') {
        // A symlink on the way is followed as the kernel would, but only within the context.
        const parent = await this.resolve(parts.slice(0, -1).join('/'), true);
        if (!parent?.st.isDirectory()) return undefined;
        return this.lstat(parent.rel === '' ? (parts.at(-1) as string) : `${parent.rel}/${parts.at(-1) as string}`);
      }
      if (i < parts.length - 1 && next.type !== 'dir') return undefined;
      cur = next;
    }
    return this.entry(parts.join('/'), cur);
  }

  async list(rel: string): Promise<string[]> {
    const e = await this.resolve(rel, true);
    const n = e ? this.nodeOf(e) : undefined;
    if (n?.type !== 'dir') throw invalidArgument('BUILD_CONTEXT', `${rel} is not a directory in the build context`);
    return [...(n.children?.keys() ?? [])].sort();
  }

  resolve(rel: string, followFinal: boolean): Promise<SourceEntry | undefined> {
    return resolveIn(this, rel, followFinal, false, rel);
  }

  async readlink(e: SourceEntry): Promise<string> {
    return this.nodeOf(e).linkname;
  }

  async readFile(e: SourceEntry): Promise<Buffer> {
    return this.bytes(this.nodeOf(e));
  }

  openRead(e: SourceEntry): Readable {
    const n = this.nodeOf(e);
    if (n.size === 0) return Readable.from([]);
    return createReadStream('', { fd: this.spoolFd(), start: n.offset, end: n.offset + n.size - 1, autoClose: false });
  }

  async digest(e: SourceEntry): Promise<string> {
    return this.nodeOf(e).digest;
  }
}
