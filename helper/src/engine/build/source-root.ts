import { createHash } from 'node:crypto';
import { createReadStream, type Stats } from 'node:fs';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { errnoCode, forbidden } from '../../lib/errors';

/** The metadata COPY/ADD use (an fs.Stats has it; the in-memory build context makes its own). */
export type EntryStat = Pick<Stats, 'mode' | 'size' | 'mtime' | 'uid' | 'gid' | 'rdev' | 'isDirectory' | 'isFile' | 'isSymbolicLink' | 'isCharacterDevice'>;

/** A visible entry of a root and its metadata; its bytes are read through the root. */
export interface SourceEntry {
  /** Path inside the root, no leading slash ('' = the root). */
  rel: string;
  st: EntryStat;
}

/**
 * A read-only file tree COPY/ADD read from: the build context (a plain directory) or an image
 * (its layer diff directories, merged as overlayfs would show them).
 */
export interface SourceRoot {
  /** The entry at `rel` without following a final symlink; undefined when absent. */
  lstat(rel: string): Promise<SourceEntry | undefined>;
  /** Names in a directory (merged across layers). */
  list(rel: string): Promise<string[]>;
  /**
   * Resolves `rel`, following symlinks in its directories (and the final one when `followFinal`).
   * A context refuses a symlink that leads outside it; an image root clamps, as a chroot would.
   */
  resolve(rel: string, followFinal: boolean): Promise<SourceEntry | undefined>;
  /** A symlink's target. */
  readlink(e: SourceEntry): Promise<string>;
  /** A regular file's bytes (for small files). */
  readFile(e: SourceEntry): Promise<Buffer>;
  /** A regular file's bytes as a stream. */
  openRead(e: SourceEntry): Readable;
  /** sha256 (hex) of a regular file's bytes. */
  digest(e: SourceEntry): Promise<string>;
}

function isMissing(err: unknown): boolean {
  const c = errnoCode(err);
  return c === 'ENOENT' || c === 'ENOTDIR';
}

function isWhiteout(st: Stats): boolean {
  return st.isCharacterDevice() && st.rdev === 0;
}

/**
 * Follows symlinks component by component, within `root` semantics. `scoped` clamps `..` and
 * absolute targets to the root (an image); otherwise a target that leaves refuses the path.
 */
export async function resolveIn(view: Pick<SourceRoot, 'lstat' | 'readlink'>, rel: string, followFinal: boolean, scoped: boolean, shown: string): Promise<SourceEntry | undefined> {
  let parts = rel.split('/').filter((p) => p !== '' && p !== '.');
  let done: string[] = [];
  for (let hops = 0; parts.length > 0; ) {
    const name = parts.shift() as string;
    if (name === '..') {
      if (done.length === 0 && !scoped) throw forbidden('BUILD_PATH_OUTSIDE', `forbidden path outside the build context: ${shown}`);
      done.pop();
      continue;
    }
    const cur = [...done, name].join('/');
    const e = await view.lstat(cur);
    if (!e) return undefined;
    if (e.st.isSymbolicLink() && (parts.length > 0 || followFinal)) {
      if (++hops > 40) throw forbidden('BUILD_PATH_LOOP', `too many levels of symbolic links: ${shown}`);
      const target = await view.readlink(e);
      if (target.startsWith('/')) {
        if (!scoped) throw forbidden('BUILD_PATH_OUTSIDE', `forbidden path outside the build context: ${shown} (a symlink to ${target})`);
        done = [];
      }
      const tparts = target.split('/').filter((p) => p !== '' && p !== '.');
      if (!scoped) {
        // A relative target that climbs above the context root leaves it.
        let depth = done.length;
        for (const p of tparts) {
          depth += p === '..' ? -1 : 1;
          if (depth < 0) throw forbidden('BUILD_PATH_OUTSIDE', `forbidden path outside the build context: ${shown} (a symlink to ${target})`);
        }
      }
      parts = [...tparts, ...parts];
      continue;
    }
    if (parts.length > 0 && !e.st.isDirectory()) return undefined;
    done = [...done, name];
  }
  return view.lstat(done.join('/'));
}

/** Answers whether a directory of one layer is opaque (hides lower layers' contents). */
export type OpaqueCheck = (layerDir: string, rel: string) => Promise<boolean>;

/**
 * An image's root as overlayfs shows it, read straight from the layer diff directories (topmost
 * first): a 0/0 character device whites a name out, an opaque directory hides what lower layers
 * have below it, and a non-directory hides lower directories of the same name.
 */
export class LayeredRoot implements SourceRoot {
  /** Host paths of the entries this root handed out. */
  private readonly paths = new WeakMap<SourceEntry, string>();

  constructor(
    private readonly layers: string[],
    private readonly opaque: OpaqueCheck,
  ) {}

  async lstat(rel: string): Promise<SourceEntry | undefined> {
    const clean = rel.split('/').filter((p) => p !== '' && p !== '.');
    if (clean.length === 0) {
      const top = this.layers[0];
      if (!top) return undefined;
      return this.entry('', top, await lstat(top));
    }
    for (const layer of this.layers) {
      for (let i = 1; i <= clean.length; i++) {
        const prefix = clean.slice(0, i).join('/');
        let st: Stats;
        try {
          st = await lstat(join(layer, prefix));
        } catch (err) {
          if (isMissing(err)) break;
          throw err;
        }
        if (isWhiteout(st)) return undefined;
        if (i === clean.length) return this.entry(clean.join('/'), join(layer, prefix), st);
        if (!st.isDirectory()) return undefined;
      }
      // Opaque directories on the way stop the search in lower layers.
      for (let i = clean.length - 1; i >= 1; i--) {
        const prefix = clean.slice(0, i).join('/');
        const st = await lstat(join(layer, prefix)).catch(() => undefined);
        if (st?.isDirectory() && (await this.opaque(layer, prefix))) return undefined;
      }
    }
    return undefined;
  }

  async list(rel: string): Promise<string[]> {
    const clean = rel.split('/').filter((p) => p !== '' && p !== '.').join('/');
    const names = new Set<string>();
    const hidden = new Set<string>();
    for (const layer of this.layers) {
      const dir = join(layer, clean);
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (err) {
        if (isMissing(err)) continue;
        throw err;
      }
      for (const e of entries) {
        if (names.has(e.name) || hidden.has(e.name)) continue;
        if (e.isCharacterDevice()) {
          const st = await lstat(join(dir, e.name));
          if (isWhiteout(st)) {
            hidden.add(e.name);
            continue;
          }
        }
        names.add(e.name);
      }
      if (clean !== '' && (await this.opaque(layer, clean))) break;
    }
    // Entries that a non-directory or whiteout hides higher up are handled by the caller's lstat.
    const visible: string[] = [];
    for (const n of [...names].sort()) if (await this.lstat(clean === '' ? n : `${clean}/${n}`)) visible.push(n);
    return visible;
  }

  resolve(rel: string, followFinal: boolean): Promise<SourceEntry | undefined> {
    return resolveIn(this, rel, followFinal, true, rel);
  }

  private entry(rel: string, abs: string, st: Stats): SourceEntry {
    const e: SourceEntry = { rel, st };
    this.paths.set(e, abs);
    return e;
  }

  private hostPath(e: SourceEntry): string {
    const abs = this.paths.get(e);
    if (abs === undefined) throw new Error(`entry ${e.rel} does not belong to this root`);
    return abs;
  }

  readlink(e: SourceEntry): Promise<string> {
    return readlink(this.hostPath(e));
  }

  readFile(e: SourceEntry): Promise<Buffer> {
    return readFile(this.hostPath(e));
  }

  openRead(e: SourceEntry): Readable {
    return createReadStream(this.hostPath(e));
  }

  async digest(e: SourceEntry): Promise<string> {
    const h = createHash('sha256');
    for await (const c of this.openRead(e) as AsyncIterable<Buffer>) h.update(c);
    return h.digest('hex');
  }
}
