import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { pack as tarPack, type Header as FullHeader, type Pack } from 'tar-stream';

type Header = Partial<FullHeader> & Pick<FullHeader, 'name'>;

/** Where a layer's xattrs come from (berth-getxattr in production; a map in tests). */
export interface XattrSource {
  /** Values of `EXPORT_XATTRS`, in that order, for `rel`; undefined where absent. */
  get(rel: string): Promise<(Buffer | undefined)[]>;
  close(): Promise<void>;
}

/**
 * The attributes an exported layer needs: overlay's opaque marker. moby also exports
 * `security.capability`, but tar-stream writes PAX values as UTF-8 text, which would corrupt
 * binary capability bytes, so file capabilities of regenerated layers are not exported (layers
 * pushed from their pulled blob keep them).
 */
export const EXPORT_XATTRS = ['trusted.overlay.opaque'] as const;

const WHITEOUT_PREFIX = '.wh.';
const S_IFREG = 0o100000;
const OPAQUE_MARKER = '.wh..wh..opq';

/**
 * Turns a layer's overlay `diff` directory back into a layer tar in the distribution format
 * (moby pkg/archive `overlayWhiteoutConverter.ConvertWrite`):
 *   - a 0/0 character device (an overlay whiteout) becomes an empty regular file `.wh.<name>`, mode 0600;
 *   - a directory with `trusted.overlay.opaque=y` is followed by an empty `<dir>/.wh..wh..opq`
 *     carrying the directory's permission bits and owner.
 * Entries are written in sorted depth-first order with numeric owners, second-precision mtimes
 * and no user/group names, so the same diff always gives the same bytes (and the same diffID).
 * Hardlinks are kept (later names of an inode become link entries), sockets are skipped (as moby
 * does).
 */
export function exportLayerTar(diffDir: string, xattrs: XattrSource): Readable {
  const pack = tarPack();
  const walk = async (): Promise<void> => {
    const links = new Map<string, string>();
    try {
      await writeDir(pack, diffDir, '', xattrs, links);
      pack.finalize();
    } finally {
      await xattrs.close();
    }
  };
  walk().catch((err: unknown) => pack.destroy(err instanceof Error ? err : new Error(String(err))));
  // tar-stream packs are streamx streams; consumers (gzip, hashing) want a Node stream.
  return Readable.from(pack as AsyncIterable<Buffer>, { objectMode: false });
}

async function writeDir(pack: Pack, root: string, rel: string, xattrs: XattrSource, links: Map<string, string>): Promise<void> {
  const names = (await readdir(join(root, rel))).sort();
  for (const name of names) {
    const path = rel === '' ? name : `${rel}/${name}`;
    const st = await lstat(join(root, path));
    // Modes keep their S_IF* type bits: tar-stream replaces a falsy mode (a 0000 file) with 0644,
    // and masks the type bits away when encoding.
    const base: Header = { name: path, mode: st.mode, uid: st.uid, gid: st.gid, mtime: new Date(Math.floor(st.mtimeMs / 1000) * 1000) };
    if (st.isDirectory()) {
      const [opaque] = await xattrs.get(path);
      await entry(pack, { ...base, name: `${path}/`, type: 'directory' });
      if (opaque !== undefined && opaque.toString() === 'y') {
        await entry(pack, { name: `${path}/${OPAQUE_MARKER}`, type: 'file', size: 0, mode: S_IFREG | (st.mode & 0o777), uid: st.uid, gid: st.gid, mtime: new Date(0) });
      }
      await writeDir(pack, root, path, xattrs, links);
      continue;
    }
    if (st.isCharacterDevice() && st.rdev === 0) {
      const dir = path.slice(0, path.length - name.length);
      await entry(pack, { ...base, name: `${dir}${WHITEOUT_PREFIX}${name}`, type: 'file', size: 0, mode: S_IFREG | 0o600 });
      continue;
    }
    if (st.isSocket()) continue;
    const inode = `${st.dev}:${st.ino}`;
    const first = st.nlink > 1 ? links.get(inode) : undefined;
    if (first !== undefined) {
      await entry(pack, { ...base, type: 'link', linkname: first, size: 0 });
      continue;
    }
    if (st.nlink > 1) links.set(inode, path);
    if (st.isFile()) {
      await fileEntry(pack, { ...base, type: 'file', size: st.size }, join(root, path));
    } else if (st.isSymbolicLink()) {
      await entry(pack, { ...base, type: 'symlink', linkname: await readlink(join(root, path)) });
    } else if (st.isCharacterDevice() || st.isBlockDevice()) {
      await entry(pack, { ...base, type: st.isCharacterDevice() ? 'character-device' : 'block-device', devmajor: major(st.rdev), devminor: minor(st.rdev) });
    } else if (st.isFIFO()) {
      await entry(pack, { ...base, type: 'fifo' });
    }
  }
}

/** glibc's gnu_dev_major/minor for the 64-bit dev_t Node reports. */
function major(rdev: number): number {
  const big = BigInt(rdev);
  return Number(((big >> 8n) & 0xfffn) | ((big >> 32n) & ~0xfffn));
}

function minor(rdev: number): number {
  const big = BigInt(rdev);
  return Number((big & 0xffn) | ((big >> 12n) & ~0xffn));
}

async function entry(pack: Pack, header: Header): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    // An explicit empty body: without one tar-stream waits for data on size-0 `file` entries.
    pack.entry(header, Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
  });
}

async function fileEntry(pack: Pack, header: Header, path: string): Promise<void> {
  let sink!: ReturnType<Pack['entry']>;
  const finished = new Promise<void>((resolve, reject) => {
    sink = pack.entry(header, (err) => (err ? reject(err) : resolve()));
  });
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    if (!sink.write(chunk)) await once(sink as unknown as NodeJS.EventEmitter, 'drain');
  }
  sink.end(undefined);
  await finished;
}
