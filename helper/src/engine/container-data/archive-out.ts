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
            await entry(pack, { ...base, type: 'link', linkname: first, size: 0 });
            return;
          }
          links.set(e.inode, name);
        }
        if (e.type === 'file' && content) await fileEntry(pack, { ...base, size: e.size }, content);
        else if (e.type === 'symlink') await entry(pack, { ...base, linkname: e.linkTarget });
        else if (e.type === 'char' || e.type === 'block') await entry(pack, { ...base, devmajor: e.devMajor, devminor: e.devMinor });
        else await entry(pack, { ...base, ...(e.type === 'file' ? { size: 0 } : {}) });
      });
      pack.finalize();
    } finally {
      await opts.onDone();
    }
  };
  run().catch((err: unknown) => pack.destroy(err instanceof Error ? err : new Error(String(err))));
  return Readable.from(pack as AsyncIterable<Buffer>, { objectMode: false });
}

async function entry(pack: Pack, header: Header): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    pack.entry(header, Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
  });
}

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
