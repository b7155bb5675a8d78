import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract as tarExtract, type Pack, type Header as TarHeaders } from 'tar-stream';
import { invalidArgument } from '../../lib/errors';
import { detectCompression, cleanContextPath, decompressWithTool } from './context-reader';
import type { CopyItem } from './copy-plan';
import type { SourceEntry, SourceRoot } from './source-root';

const SMALL_FILE = 1 << 20;

export interface Identity {
  uid: number;
  gid: number;
}

interface EntryMeta {
  mode: number;
  uid: number;
  gid: number;
  mtime: Date;
}

/** Writes one tar entry and waits until the pack took it (backpressure-friendly). */
function writeEntry(pack: Pack, header: Partial<TarHeaders> & { name: string }, body?: Readable | Buffer): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (body === undefined || Buffer.isBuffer(body)) {
      pack.entry(header, body ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
      return;
    }
    const sink = pack.entry(header, (err) => (err ? reject(err) : resolve()));
    pipeline(body, sink).catch(reject);
  });
}

/**
 * Produces the layer tar of one COPY/ADD, as overlayfs would record it after dockerd's copy in a
 * container: the destination's ancestors (copied up with their existing metadata, or created 0755
 * and owned by the chown identity), then the copied entries owned by that identity (root by
 * default) with their modes (or `--chmod`) and modification times.
 */
export class CopyLayerWriter {
  private readonly emitted = new Set<string>();

  constructor(
    private readonly pack: Pack,
    private readonly target: SourceRoot,
    private readonly root: SourceRoot,
    private readonly opts: { identity: Identity; chmod?: number; now: Date },
  ) {}

  /** Emits the directory chain above (and including, with `includeSelf`) `path`. */
  private async ancestors(path: string, self?: EntryMeta): Promise<void> {
    const parts = path.split('/').filter((p) => p !== '');
    for (let i = 1; i <= parts.length; i++) {
      const rel = parts.slice(0, i).join('/');
      if (this.emitted.has(rel)) continue;
      const isSelf = i === parts.length;
      if (isSelf && self === undefined) break;
      const existing = await this.target.lstat(rel);
      let meta: EntryMeta;
      if (existing?.st.isDirectory()) meta = { mode: existing.st.mode & 0o7777, uid: existing.st.uid, gid: existing.st.gid, mtime: existing.st.mtime };
      else if (isSelf && self) meta = self;
      else meta = { mode: 0o755, uid: this.opts.identity.uid, gid: this.opts.identity.gid, mtime: this.opts.now };
      this.emitted.add(rel);
      await writeEntry(this.pack, { name: `${rel}/`, type: 'directory', mode: meta.mode, uid: meta.uid, gid: meta.gid, mtime: meta.mtime });
    }
  }

  private fileMode(st: { mode: number }): number {
    return this.opts.chmod ?? st.mode & 0o7777;
  }

  private async writeOne(entry: SourceEntry, dest: string): Promise<void> {
    const name = dest.replace(/^\/+/, '');
    const { uid, gid } = this.opts.identity;
    const mtime = entry.st.mtime;
    if (entry.st.isDirectory()) {
      if (!this.emitted.has(name)) {
        this.emitted.add(name);
        await writeEntry(this.pack, { name: `${name}/`, type: 'directory', mode: this.fileMode(entry.st), uid, gid, mtime });
      }
      for (const n of await this.root.list(entry.rel)) {
        const child = await this.root.lstat(entry.rel === '' ? n : `${entry.rel}/${n}`);
        if (child) await this.writeOne(child, `${name}/${n}`);
      }
      return;
    }
    this.emitted.add(name);
    if (entry.st.isSymbolicLink()) {
      await writeEntry(this.pack, { name, type: 'symlink', linkname: await this.root.readlink(entry), mode: 0o777, uid, gid, mtime });
    } else if (entry.st.isFile()) {
      // Most copied files are small: read whole, they go into the pack as one buffer.
      const body = entry.st.size <= SMALL_FILE ? await this.root.readFile(entry) : this.root.openRead(entry);
      await writeEntry(this.pack, { name, type: 'file', size: entry.st.size, mode: this.fileMode(entry.st), uid, gid, mtime }, body);
    }
    // Sockets, FIFOs and devices are not copied (the context reader never creates them).
  }

  /** A directory and its missing ancestors, root-owned 0755 (WORKDIR). */
  async directory(path: string): Promise<void> {
    await this.ancestors(path, { mode: 0o755, uid: 0, gid: 0, mtime: this.opts.now });
  }

  /** Writes one planned item. */
  async write(item: CopyItem): Promise<void> {
    const { entry } = item;
    if (item.extract) {
      await this.ancestors(item.dest, { mode: 0o755, uid: this.opts.identity.uid, gid: this.opts.identity.gid, mtime: this.opts.now });
      await this.extractArchive(entry, item.dest);
      return;
    }
    if (entry.st.isDirectory()) {
      const destRel = item.dest.replace(/^\/+/, '');
      if (destRel === '') {
        for (const n of await this.root.list(entry.rel)) {
          const child = await this.root.lstat(entry.rel === '' ? n : `${entry.rel}/${n}`);
          if (child) await this.writeOne(child, n);
        }
        return;
      }
      await this.ancestors(item.dest, { mode: this.fileMode(entry.st), uid: this.opts.identity.uid, gid: this.opts.identity.gid, mtime: entry.st.mtime });
      for (const n of await this.root.list(entry.rel)) {
        const child = await this.root.lstat(entry.rel === '' ? n : `${entry.rel}/${n}`);
        if (child) await this.writeOne(child, `${destRel}/${n}`);
      }
      return;
    }
    await this.ancestors(posix.dirname(item.dest));
    await this.writeOne(entry, item.dest);
  }

  /** A downloaded file (ADD <url>): mode 0600, as dockerd stores remote sources. */
  async writeBuffer(dest: string, data: Buffer, mtime: Date): Promise<void> {
    await this.ancestors(posix.dirname(dest));
    const name = dest.replace(/^\/+/, '');
    this.emitted.add(name);
    await writeEntry(this.pack, { name, type: 'file', size: data.length, mode: this.opts.chmod ?? 0o600, uid: this.opts.identity.uid, gid: this.opts.identity.gid, mtime }, data);
  }

  /** ADD of a local tar (plain, gzip, bzip2, xz): its entries land below `dest` as they are. */
  private async extractArchive(entry: SourceEntry, dest: string): Promise<void> {
    const comp = detectCompression(await readHead(this.root, entry, 6));
    let input: Readable = this.root.openRead(entry);
    if (comp === 'gzip') input = input.pipe(createGunzip());
    else if (comp !== 'none') input = decompressWithTool(comp, input);
    const ex = tarExtract();
    const base = dest.replace(/^\/+/, '');
    const consume = (async () => {
      for await (const e of ex) {
        const h = e.header;
        const rel = cleanContextPath(h.name);
        if (rel === undefined) {
          e.resume();
          continue;
        }
        const name = base === '' ? rel : `${base}/${rel}`;
        await this.ancestors(posix.dirname(`/${name}`));
        const header: Partial<TarHeaders> & { name: string } = { ...h, name: h.type === 'directory' ? `${name}/` : name };
        if (h.type === 'link') {
          const t = cleanContextPath(h.linkname ?? '');
          if (t === undefined) throw invalidArgument('BUILD_ADD_ARCHIVE', `invalid archive ${entry.rel}: hardlink ${h.name} leaves it`);
          header.linkname = base === '' ? t : `${base}/${t}`;
        }
        this.emitted.add(name);
        if (h.type === 'file' || h.type === 'contiguous-file') await writeEntry(this.pack, { ...header, type: 'file' }, e as unknown as Readable);
        else {
          e.resume();
          if (['directory', 'symlink', 'link'].includes(h.type ?? '')) await writeEntry(this.pack, header);
        }
      }
    })();
    await Promise.all([pipeline(input, ex), consume]);
  }
}

/** Whether a context file is an archive ADD unpacks: a tar, possibly compressed. */
export async function isLocalArchive(root: SourceRoot, e: SourceEntry): Promise<boolean> {
  const head = await readHead(root, e, 512);
  const comp = detectCompression(head);
  if (comp === 'none') return isTarHeader(head);
  if (comp !== 'gzip') return true;
  // A gzip'd file is unpacked only when what is inside is a tar (moby's DecompressStream + tar check).
  const inner: Buffer[] = [];
  let size = 0;
  try {
    for await (const c of root.openRead(e).pipe(createGunzip()) as AsyncIterable<Buffer>) {
      inner.push(c);
      size += c.length;
      if (size >= 512) break;
    }
  } catch {
    return false;
  }
  return isTarHeader(Buffer.concat(inner));
}

/** The first `n` bytes of a file (fewer when it is shorter). */
async function readHead(root: SourceRoot, e: SourceEntry, n: number): Promise<Buffer> {
  if (e.st.size <= SMALL_FILE) return (await root.readFile(e)).subarray(0, n);
  const chunks: Buffer[] = [];
  let size = 0;
  const stream = root.openRead(e);
  for await (const c of stream as AsyncIterable<Buffer>) {
    chunks.push(c);
    size += c.length;
    if (size >= n) break;
  }
  stream.destroy();
  return Buffer.concat(chunks).subarray(0, n);
}

function isTarHeader(head: Buffer): boolean {
  return head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar';
}
