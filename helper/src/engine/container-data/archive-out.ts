import { Readable } from 'node:stream';
import { pack as tarPack, type Header as FullHeader, type Pack } from 'tar-stream';
import type { CfsEntry, CfsProcess, CfsWalkOptions } from '../../platform/cfs-process';
import { idInContainer, type ContainerIdMaps } from './container-ids';

type Header = Partial<FullHeader> & Pick<FullHeader, 'name'>;

const TAR_TYPES: Record<Exclude<CfsEntry['type'], 'socket'>, FullHeader['type']> = {
  file: 'file',
  dir: 'directory',
  symlink: 'symlink',
  char: 'character-device',
  block: 'block-device',
  fifo: 'fifo',
};

export interface TarWalkOptions extends CfsWalkOptions {
  /**
   * Name of the start in the archive (moby's RebaseNames): '' leaves the start out and names
   * its children from the top (`export`, `cp c:/`).
   */
  rebase: string;
  /** Called once the walk ended (success or not): closes the filesystem view. */
  onDone: () => Promise<void>;
  /** A remapped running container's maps: owners are written as container ids. */
  ids?: ContainerIdMaps;
}

/**
 * Streams `path` of a container filesystem as a tar (numeric owners, modes incl. setuid, mtimes,
 * symlinks, devices, fifos; later names of a hardlinked inode as link entries; sockets skipped, as
 * moby's archive does). The walk and the file bytes come from berth-cfs, so every name is the
 * container's own view; the tar is built here with tar-stream.
 */
export function tarFromContainer(cfs: CfsProcess, path: string, opts: TarWalkOptions): Readable {
  const pack = tarPack();
  const links = new Map<string, string>();
  const nameOf = (rel: string): string => (opts.rebase === '' ? rel : rel === '' ? opts.rebase : `${opts.rebase}/${rel}`);
  const queue = new EntryQueue(pack);
  const run = async (): Promise<void> => {
    try {
      await cfs.walk(path, opts, async (e, content) => {
        if (e.type === 'socket') return;
        const name = nameOf(e.rel);
        if (name === '') return;
        const base: Header = {
          name: e.type === 'dir' ? `${name}/` : name,
          // Type bits kept: tar-stream replaces a falsy mode (a 0000 file) with a default.
          mode: e.mode | (e.type === 'dir' ? 0o040000 : 0o100000),
          uid: opts.ids ? idInContainer(opts.ids.uid, e.uid) : e.uid,
          gid: opts.ids ? idInContainer(opts.ids.gid, e.gid) : e.gid,
          mtime: new Date(e.mtimeSec * 1000),
          type: TAR_TYPES[e.type],
        };
        if (e.type !== 'dir' && e.nlink > 1) {
          const first = links.get(e.inode);
          if (first !== undefined) {
            await queue.add({ ...base, type: 'link', linkname: first, size: 0 });
            return;
          }
          links.set(e.inode, name);
        }
        if (e.type === 'file' && content) {
          if (Buffer.isBuffer(content)) await queue.add({ ...base, size: e.size }, content);
          else {
            await queue.settled();
            await fileEntry(pack, { ...base, size: e.size }, content);
          }
        } else if (e.type === 'symlink') await queue.add({ ...base, linkname: e.linkTarget });
        else if (e.type === 'char' || e.type === 'block') await queue.add({ ...base, devmajor: e.devMajor, devminor: e.devMinor });
        else await queue.add({ ...base, ...(e.type === 'file' ? { size: 0 } : {}) });
      });
      await queue.settled();
      pack.finalize();
    } finally {
      await opts.onDone();
    }
  };
  run().catch((err: unknown) => pack.destroy(err instanceof Error ? err : new Error(String(err))));
  return Readable.from(coalesce(pack as AsyncIterable<Buffer>), { objectMode: false });
}

/**
 * tar-stream pushes every header and body as its own chunk: written as is, a 42k-file tree was
 * ~100k HTTP chunks (a socket write each here, a read each in the client). Sent in 256 KiB pieces.
 */
async function* coalesce(src: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of src) {
    parts.push(chunk);
    size += chunk.length;
    if (size >= COALESCE_BYTES) {
      yield parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, size);
      parts = [];
      size = 0;
    }
  }
  if (size > 0) yield Buffer.concat(parts, size);
}

const COALESCE_BYTES = 256 << 10;

/**
 * Entries whose bytes are at hand (headers, small files) are queued on the pack without waiting for
 * each: tar-stream writes them in order, and the walk waits only when a few MiB or a few hundred
 * entries are outstanding (the client's backpressure reaches the walk through that wait).
 */
class EntryQueue {
  private last: Promise<void> = Promise.resolve();
  private bytes = 0;
  private count = 0;

  constructor(private readonly pack: Pack) {}

  async add(header: Header, data: Buffer = EMPTY): Promise<void> {
    const done = new Promise<void>((resolve, reject) => {
      this.pack.entry(header, data, (err) => (err ? reject(err) : resolve()));
    });
    // Awaited below or by settled(); a destroyed pack must not also raise an unhandled rejection.
    done.catch(() => undefined);
    this.last = done;
    this.bytes += data.length + 512;
    if (++this.count >= 256 || this.bytes >= 4 << 20) await this.settled();
  }

  async settled(): Promise<void> {
    this.count = 0;
    this.bytes = 0;
    await this.last;
  }
}

const EMPTY = Buffer.alloc(0);

async function fileEntry(pack: Pack, header: Header, content: AsyncIterable<Buffer>): Promise<void> {
  let sink!: ReturnType<Pack['entry']>;
  const finished = new Promise<void>((resolve, reject) => {
    sink = pack.entry(header, (err) => (err ? reject(err) : resolve()));
  });
  // A client that goes away destroys the pack while a write waits for 'drain': that rejection is
  // seen by drained() below, and must not also surface as an unhandled one (it ended berthd).
  finished.catch(() => undefined);
  for await (const chunk of content) {
    if (!sink.write(chunk)) await drained(sink as unknown as NodeJS.EventEmitter);
  }
  sink.end(undefined);
  await finished;
}

/** Resolves on 'drain'; rejects when the entry (or the whole pack) is closed first, so the walk ends. */
function drained(sink: NodeJS.EventEmitter): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const settle = (err?: Error) => {
      sink.off('drain', onDrain);
      sink.off('close', onClose);
      sink.off('error', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = () => settle();
    const onClose = (err?: Error) => settle(err ?? new Error('archive stream closed by the client'));
    sink.on('drain', onDrain);
    sink.on('close', onClose);
    sink.on('error', onClose);
  });
}
