import type { BigIntStats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode } from '../../lib/errors';
import type { XattrSource } from '../../store/layers/layer-tar-writer';

/** One row of `docker diff`: 0 = modified (C), 1 = added (A), 2 = deleted (D), as the Engine API. */
export interface FsChange {
  path: string;
  kind: 0 | 1 | 2;
}

const MODIFY = 0;
const ADD = 1;
const DELETE = 2;

/** Opens an xattr reader (overlay's opaque marker) rooted at a directory. */
export type OpenXattrs = (root: string) => XattrSource;

/**
 * A container's changes against its image as dockerd reports them: the comparison of the
 * container's merged tree with its image's (moby pkg/archive/changes.go `ChangesDirs` /
 * `addChanges`, the "naive diff" dockerd's overlay2 uses), computed from the overlay directories
 * without mounting anything. Only paths present in the upper dir can differ, so only those are
 * visited:
 *   - a path absent from the image is added (A), and so is everything below it;
 *   - a path present in both is modified (C) when mode, owner, rdev, or (non-directories) size or
 *     mtime differ;
 *   - a path the container removed (a whiteout, or a child hidden by an opaque directory) is
 *     deleted (D), reported once at its top;
 *   - a directory with changes inside that is not itself A or C is reported C before them.
 * Rows come in lexical depth-first order (dockerd's order follows a Go map and varies).
 * `lowerDirs` are topmost first: the init layer, then the image's layers.
 */
export async function containerChanges(upperDir: string, lowerDirs: string[], openXattrs: OpenXattrs): Promise<FsChange[]> {
  const tree = new LowerTree(lowerDirs, openXattrs);
  const upperXattrs = openXattrs(upperDir);
  const out: FsChange[] = [];
  try {
    await diffDir(upperDir, '', tree, upperXattrs, out, false);
  } finally {
    await upperXattrs.close();
    await tree.close();
  }
  return out;
}

async function lstatOrNull(path: string): Promise<BigIntStats | null> {
  try {
    return await lstat(path, { bigint: true });
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw err;
  }
}

async function sortedNames(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw err;
  }
}

const isWhiteout = (st: BigIntStats): boolean => st.isCharacterDevice() && st.rdev === 0n;

async function isOpaque(xattrs: XattrSource, rel: string): Promise<boolean> {
  const [v] = await xattrs.get(rel);
  return v !== undefined && v.length === 1 && v[0] === 0x79;
}

/** moby's statDifferent: mode, owner, rdev; and for non-directories size and mtime. */
function statDifferent(a: BigIntStats, b: BigIntStats): boolean {
  if (a.mode !== b.mode || a.uid !== b.uid || a.gid !== b.gid || a.rdev !== b.rdev) return true;
  if (a.isDirectory()) return false;
  return a.size !== b.size || !sameFsTime(a, b);
}

/** moby's sameFsTimeSpec: equal seconds, and equal nanoseconds unless either side has none. */
function sameFsTime(a: BigIntStats, b: BigIntStats): boolean {
  const G = 1_000_000_000n;
  if (a.mtimeNs / G !== b.mtimeNs / G) return false;
  const an = a.mtimeNs % G;
  const bn = b.mtimeNs % G;
  return an === bn || an === 0n || bn === 0n;
}

/**
 * Compares upper dir `rel` (a directory in the container's tree) with the image tree. `added`: the
 * directory itself is new, so everything in it is A. Returns whether anything was reported.
 */
async function diffDir(upper: string, rel: string, tree: LowerTree, xattrs: XattrSource, out: FsChange[], added: boolean): Promise<void> {
  const names = await sortedNames(rel === '' ? upper : join(upper, rel));
  const present = new Set<string>();
  const opaque = rel !== '' && !added && (await isOpaque(xattrs, rel));
  for (const name of names) {
    const path = rel === '' ? name : `${rel}/${name}`;
    const st = await lstat(join(upper, path), { bigint: true });
    if (isWhiteout(st)) {
      if (!added && (await tree.lookup(path))) out.push({ path: `/${path}`, kind: DELETE });
      continue;
    }
    present.add(name);
    const old = added ? null : await tree.lookup(path);
    const mark = out.length;
    let self: FsChange['kind'] | undefined;
    if (!old) self = ADD;
    else if (statDifferent(old, st)) self = MODIFY;
    if (self !== undefined) out.push({ path: `/${path}`, kind: self });
    if (st.isDirectory()) {
      await diffDir(upper, path, tree, xattrs, out, self === ADD || (old !== null && !old.isDirectory()));
      // Changes inside an unchanged directory: the directory is reported modified before them.
      if (self === undefined && out.length > mark) out.splice(mark, 0, { path: `/${path}`, kind: MODIFY });
    }
  }
  if (opaque) {
    // An opaque directory hides every image entry below it that the container did not recreate.
    for (const name of await tree.children(rel)) {
      if (!present.has(name)) out.push({ path: `/${rel}/${name}`, kind: DELETE });
    }
  }
}

/**
 * The image's merged tree (the container's lower dirs, topmost first) as overlayfs shows it:
 * whiteouts hide, opaque directories hide everything below them, a non-directory hides what
 * lower layers have beneath its path.
 */
class LowerTree {
  private readonly readers = new Map<number, XattrSource>();
  private readonly opaqueCache = new Map<string, boolean>();

  constructor(
    private readonly layers: string[],
    private readonly openXattrs: OpenXattrs,
  ) {}

  /** lstat of `rel` in the merged image tree; null when it does not exist there. */
  async lookup(rel: string): Promise<BigIntStats | null> {
    const parts = rel.split('/');
    for (let li = 0; li < this.layers.length; li++) {
      const layer = this.layers[li] as string;
      let hidesBelow = false;
      let missing = false;
      for (let i = 1; i <= parts.length; i++) {
        const prefix = parts.slice(0, i).join('/');
        const st = await lstatOrNull(join(layer, prefix));
        if (!st) {
          missing = true;
          break;
        }
        if (isWhiteout(st)) return null;
        if (i === parts.length) return st;
        if (!st.isDirectory()) return null;
        if (await this.opaque(li, prefix)) hidesBelow = true;
      }
      if (missing && hidesBelow) return null;
    }
    return null;
  }

  /** Names visible in directory `rel` of the merged image tree. */
  async children(rel: string): Promise<string[]> {
    const names = new Set<string>();
    for (const layer of this.layers) for (const n of await sortedNames(join(layer, rel))) names.add(n);
    const out: string[] = [];
    for (const n of [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))) {
      if (await this.lookup(rel === '' ? n : `${rel}/${n}`)) out.push(n);
    }
    return out;
  }

  private async opaque(layerIndex: number, rel: string): Promise<boolean> {
    const key = `${layerIndex}\0${rel}`;
    const cached = this.opaqueCache.get(key);
    if (cached !== undefined) return cached;
    let reader = this.readers.get(layerIndex);
    if (!reader) {
      reader = this.openXattrs(this.layers[layerIndex] as string);
      this.readers.set(layerIndex, reader);
    }
    const v = await isOpaque(reader, rel);
    this.opaqueCache.set(key, v);
    return v;
  }

  async close(): Promise<void> {
    await Promise.all([...this.readers.values()].map((r) => r.close()));
  }
}
