import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { lstat, mkdir, readFile, readdir, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { conflict, errnoCode, invalidArgument, notFound } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import { AsyncMutex } from '../atomic-file';
import { applyLayerTar, type ApplyResult } from './apply-layer';
import { chainId as computeChainId } from './chain-id';
import { FsUtil } from './fsutil';

/**
 * A committed, read-only image layer. Identified by its ChainID (the layer and everything below
 * it); `diffId` is the sha256 of its own uncompressed tar. Stored overlay2-style under
 * `overlay2/<cacheId>/{diff,link,lower,work}` with metadata in `image/overlay2/layerdb/sha256/<chainId>/`.
 */
export interface Layer {
  chainId: string;
  diffId: string;
  /** ChainID of the layer below, absent for a base layer. */
  parent?: string;
  cacheId: string;
  /** Sum of the layer's regular file sizes (Docker's layer size). */
  size: number;
  /** The 26-char short name: `overlay2/l/<link>` points at `../<cacheId>/diff`. */
  link: string;
}

/**
 * A container's read-write layer as plain values, ready for `mount -t overlay`. `lowerDirs` are
 * absolute, topmost first: the `<mountId>-init` diff, then the image layers from top to base.
 * `lowerLinks` are the same directories as `l/<id>` names relative to `overlayRoot`, for when the
 * absolute option string would exceed a page (see `overlayMountOptions`).
 */
export interface OverlayMount {
  /** The container ID the layer was created for (its key). */
  id: string;
  mountId: string;
  parentChainId?: string;
  lowerDirs: string[];
  lowerLinks: string[];
  upperDir: string;
  workDir: string;
  mergedDir: string;
  overlayRoot: string;
}

/** A layer being written: private until `commit`; `abort` (or a crash) leaves nothing visible. */
export interface LayerIngest {
  /** The private directory the layer's content goes to. */
  readonly diffDir: string;
  /** Applies an uncompressed layer tar (see `applyLayerTar` for the safety rules). */
  apply(tar: Readable): Promise<ApplyResult>;
  /** Empties `diffDir` again (after a failed attempt, before a retry). */
  reset(): Promise<void>;
  /**
   * Publishes the layer as ChainID(parent, diffId) holding ONE reference for the caller. When the
   * chain already exists (another pull won the race) the private copy is dropped and the existing
   * layer is referenced instead (`existed: true`). `parent` must be committed and referenced.
   */
  commit(parent: string | undefined, diffId: string, size: number): Promise<{ layer: Layer; existed: boolean }>;
  abort(): Promise<void>;
}

/**
 * Placeholders Docker puts in every container's init layer (moby daemon/initlayer): mount points
 * and files the runtime bind-mounts over, so they exist even in images that lack them.
 */
const INIT_PATHS: { path: string; type: 'dir' | 'file' | 'symlink'; target?: string }[] = [
  { path: 'dev/pts', type: 'dir' },
  { path: 'dev/shm', type: 'dir' },
  { path: 'proc', type: 'dir' },
  { path: 'sys', type: 'dir' },
  { path: '.dockerenv', type: 'file' },
  { path: 'etc/resolv.conf', type: 'file' },
  { path: 'etc/hosts', type: 'file' },
  { path: 'etc/hostname', type: 'file' },
  { path: 'dev/console', type: 'file' },
  { path: 'etc/mtab', type: 'symlink', target: '/proc/mounts' },
];

const HEX64 = /^[0-9a-f]{64}$/;
const LINK_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function newLinkId(): string {
  const bytes = randomBytes(26);
  let s = '';
  for (const b of bytes) s += LINK_ALPHABET[b & 31];
  return s;
}

function hexOf(digest: string): string {
  const hex = digest.replace(/^sha256:/, '');
  if (!HEX64.test(hex)) throw invalidArgument('INVALID_DIGEST', `invalid chain ID ${JSON.stringify(digest)}`);
  return hex;
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

export interface LayerStoreOptions {
  /** berthd's data root; the store owns `overlay2/` and `image/overlay2/layerdb/` below it. */
  dataRoot: string;
  /** Path of the built helper/native berth-fsutil binary. */
  fsutilBinary: string;
  log: Logger;
}

/**
 * Read-only image layers and containers' read-write layers in moby's overlay2 layout
 * (a containerd-snapshotter-like contract, specialised to overlay):
 *
 * Identity and lifecycle of image layers
 *   - `prepare()` gives a private ingest; `commit(parent, diffId)` publishes it as ChainID
 *     atomically (content dir renamed into `overlay2/<cacheId>`, then the layerdb entry renamed into
 *     `layerdb/sha256/<chainId>`: the entry is the commit point). Committed layers never change.
 *   - References: every holder of a layer counts once — an image (`retain` by the image engine),
 *     an in-flight pull (the reference `commit` returns), a child layer, a container RW layer.
 *     `release` drops one; at zero the layer is deleted and its parent released in turn.
 *   - Counts live in memory. After a restart, `init()` counts children and RW layers; the image
 *     engine then `retain`s each image's top layer and calls `sweep()`, which deletes whatever
 *     nobody holds (e.g. layers of a pull killed before its image was written).
 *
 * Containers' read-write layers (key = container ID)
 *   - `createRwLayer(id, parentChainId)` makes `<mountId>-init` (placeholders) and `<mountId>`
 *     with `diff`, `work`, `merged`, holding a reference on the parent chain, and returns the
 *     `OverlayMount` to mount; `getRwLayer(id)` returns it again (e.g. after a restart);
 *     `removeRwLayer(id)` deletes both and releases the parent. Mounting/unmounting is the
 *     runtime's job; remove only after unmounting.
 *
 * Crash safety: anything under `overlay2/` or `layerdb/` not reachable from a committed entry
 * is removed by `init()`; temp dirs (`overlay2/.tmp`, `layerdb/tmp`) are emptied.
 */
export class LayerStore {
  readonly overlayRoot: string;
  private readonly layerdb: string;
  private readonly layers = new Map<string, Layer>();
  private readonly refs = new Map<string, number>();
  private readonly mounts = new Map<string, { mountId: string; parent?: string }>();
  private readonly mutex = new AsyncMutex();
  private readonly tmpDir: string;
  private readonly dbTmp: string;
  private readonly log: Logger;

  constructor(private readonly opts: LayerStoreOptions) {
    this.overlayRoot = join(opts.dataRoot, 'overlay2');
    this.layerdb = join(opts.dataRoot, 'image', 'overlay2', 'layerdb');
    this.tmpDir = join(this.overlayRoot, '.tmp');
    this.dbTmp = join(this.layerdb, 'tmp');
    this.log = opts.log.child({ module: 'layer-store' });
  }

  async init(): Promise<void> {
    await rm(this.tmpDir, { recursive: true, force: true });
    await rm(this.dbTmp, { recursive: true, force: true });
    for (const d of [this.tmpDir, this.dbTmp, join(this.overlayRoot, 'l'), join(this.layerdb, 'sha256'), join(this.layerdb, 'mounts')]) await mkdir(d, { recursive: true });

    for (const hex of await readdir(join(this.layerdb, 'sha256'))) {
      const dir = join(this.layerdb, 'sha256', hex);
      if (!HEX64.test(hex)) {
        await rm(dir, { recursive: true, force: true });
        continue;
      }
      const [diffId, cacheId, size, parent] = await Promise.all(['diff', 'cache-id', 'size', 'parent'].map((f) => readText(join(dir, f))));
      const link = cacheId ? await readText(join(this.overlayRoot, cacheId, 'link')) : undefined;
      if (!diffId || !cacheId || !link || !(await exists(join(this.overlayRoot, cacheId, 'diff')))) {
        this.log.warn({ chainId: `sha256:${hex}` }, 'dropping incomplete layer');
        await rm(dir, { recursive: true, force: true });
        continue;
      }
      const layer: Layer = { chainId: `sha256:${hex}`, diffId, cacheId, size: Number(size ?? 0), link };
      if (parent) layer.parent = parent;
      this.layers.set(layer.chainId, layer);
    }
    // A layer whose parent vanished cannot be mounted: drop it (and, transitively, its children).
    let changed = true;
    while (changed) {
      changed = false;
      for (const l of [...this.layers.values()]) {
        if (l.parent !== undefined && !this.layers.has(l.parent)) {
          this.layers.delete(l.chainId);
          await rm(join(this.layerdb, 'sha256', hexOf(l.chainId)), { recursive: true, force: true });
          changed = true;
        }
      }
    }
    for (const l of this.layers.values()) {
      this.refs.set(l.chainId, this.refs.get(l.chainId) ?? 0);
      if (l.parent) this.refs.set(l.parent, (this.refs.get(l.parent) ?? 0) + 1);
    }
    for (const id of await readdir(join(this.layerdb, 'mounts'))) {
      const dir = join(this.layerdb, 'mounts', id);
      const mountId = await readText(join(dir, 'mount-id'));
      const parent = await readText(join(dir, 'parent'));
      if (!mountId || (parent && !this.layers.has(parent)) || !(await exists(join(this.overlayRoot, mountId, 'diff')))) {
        await rm(dir, { recursive: true, force: true });
        continue;
      }
      this.mounts.set(id, { mountId, ...(parent ? { parent } : {}) });
      if (parent) this.refs.set(parent, (this.refs.get(parent) ?? 0) + 1);
    }
    // Content dirs and short links nothing refers to are leftovers of interrupted work.
    const live = new Set<string>(['l', '.tmp']);
    for (const l of this.layers.values()) live.add(l.cacheId);
    for (const m of this.mounts.values()) {
      live.add(m.mountId);
      live.add(`${m.mountId}-init`);
    }
    for (const name of await readdir(this.overlayRoot)) {
      if (!live.has(name)) await rm(join(this.overlayRoot, name), { recursive: true, force: true });
    }
    for (const name of await readdir(join(this.overlayRoot, 'l'))) {
      const p = join(this.overlayRoot, 'l', name);
      const target = await readlink(p).catch(() => undefined);
      const owner = target?.match(/^\.\.\/([^/]+)\/diff$/)?.[1];
      if (!owner || !live.has(owner)) await rm(p, { force: true });
    }
  }

  /** The berth-fsutil binary, for appliers running outside this store (layer workers). */
  get fsutilBinary(): string {
    return this.opts.fsutilBinary;
  }

  get(chainId: string): Layer | undefined {
    return this.layers.get(chainId);
  }

  has(chainId: string): boolean {
    return this.layers.has(chainId);
  }

  list(): Layer[] {
    return [...this.layers.values()];
  }

  refCount(chainId: string): number {
    return this.refs.get(chainId) ?? 0;
  }

  diffDir(chainId: string): string {
    return join(this.overlayRoot, this.require(chainId).cacheId, 'diff');
  }

  /** The chain from `chainId` down to the base layer, topmost first. */
  chain(chainId: string): Layer[] {
    const out: Layer[] = [];
    let cur: string | undefined = chainId;
    while (cur !== undefined) {
      const l = this.require(cur);
      out.push(l);
      cur = l.parent;
    }
    return out;
  }

  async prepare(): Promise<LayerIngest> {
    const tmp = join(this.tmpDir, randomBytes(16).toString('hex'));
    const diffDir = join(tmp, 'diff');
    await mkdir(diffDir, { recursive: true, mode: 0o755 });
    let closed = false;
    const abort = async (): Promise<void> => {
      closed = true;
      await rm(tmp, { recursive: true, force: true });
    };
    return {
      diffDir,
      apply: async (tar) => {
        const fsutil = new FsUtil(this.opts.fsutilBinary, diffDir);
        try {
          return await applyLayerTar(tar, diffDir, fsutil);
        } finally {
          await fsutil.close();
        }
      },
      reset: async () => {
        await rm(diffDir, { recursive: true, force: true });
        await mkdir(diffDir, { mode: 0o755 });
      },
      commit: async (parent, diffId, size) => {
        if (closed) throw conflict('LAYER_INGEST_CLOSED', 'layer ingest already committed or aborted');
        closed = true;
        try {
          return await this.mutex.run(() => this.commitLocked(tmp, parent, diffId, size));
        } catch (err) {
          await rm(tmp, { recursive: true, force: true });
          throw err;
        }
      },
      abort,
    };
  }

  private async commitLocked(tmp: string, parent: string | undefined, diffId: string, size: number): Promise<{ layer: Layer; existed: boolean }> {
    const chainId = computeChainId(parent, diffId);
    const existing = this.layers.get(chainId);
    if (existing) {
      await rm(tmp, { recursive: true, force: true });
      this.retain(chainId);
      return { layer: existing, existed: true };
    }
    const parentLayer = parent !== undefined ? this.require(parent) : undefined;
    const cacheId = randomBytes(32).toString('hex');
    const link = newLinkId();
    await writeFile(join(tmp, 'link'), link);
    // `work` and `merged` exist for every layer (moby creates them on first mount), so the
    // GraphDriver paths `docker image inspect` shows are all real directories.
    await mkdir(join(tmp, 'work'));
    await mkdir(join(tmp, 'merged'));
    if (parentLayer) {
      await writeFile(join(tmp, 'lower'), this.lowerString(parentLayer));
      await writeFile(join(this.overlayRoot, parentLayer.cacheId, 'committed'), '');
    }
    await rename(tmp, join(this.overlayRoot, cacheId));
    await symlink(`../${cacheId}/diff`, join(this.overlayRoot, 'l', link));
    const dbTmp = join(this.dbTmp, randomBytes(8).toString('hex'));
    await mkdir(dbTmp);
    await Promise.all([
      writeFile(join(dbTmp, 'diff'), diffId),
      writeFile(join(dbTmp, 'cache-id'), cacheId),
      writeFile(join(dbTmp, 'size'), String(size)),
      parent !== undefined ? writeFile(join(dbTmp, 'parent'), parent) : Promise.resolve(),
    ]);
    await rename(dbTmp, join(this.layerdb, 'sha256', hexOf(chainId)));
    const layer: Layer = { chainId, diffId, cacheId, size, link, ...(parent !== undefined ? { parent } : {}) };
    this.layers.set(chainId, layer);
    this.refs.set(chainId, 1);
    if (parent !== undefined) this.retain(parent);
    return { layer, existed: false };
  }

  /** `l/<link>:l/<parent link>:…` for layers above `top` (moby's `lower` file). */
  private lowerString(top: Layer): string {
    return this.chain(top.chainId)
      .map((l) => `l/${l.link}`)
      .join(':');
  }

  retain(chainId: string): void {
    this.require(chainId);
    this.refs.set(chainId, (this.refs.get(chainId) ?? 0) + 1);
  }

  /** Drops one reference; deletes layers that reach zero. Returns the ChainIDs deleted, top first. */
  release(chainId: string): Promise<string[]> {
    return this.mutex.run(async () => {
      const deleted: string[] = [];
      let cur: string | undefined = chainId;
      while (cur !== undefined) {
        const n = (this.refs.get(cur) ?? 0) - 1;
        if (n > 0) {
          this.refs.set(cur, n);
          break;
        }
        const layer = this.require(cur);
        await this.deleteLayer(layer);
        deleted.push(cur);
        cur = layer.parent;
      }
      return deleted;
    });
  }

  /** Deletes every layer nobody references (after the image engine re-retained its images at start-up). */
  sweep(): Promise<string[]> {
    return this.mutex.run(async () => {
      const deleted: string[] = [];
      let again = true;
      while (again) {
        again = false;
        for (const layer of [...this.layers.values()]) {
          if ((this.refs.get(layer.chainId) ?? 0) > 0) continue;
          await this.deleteLayer(layer);
          deleted.push(layer.chainId);
          if (layer.parent !== undefined) this.refs.set(layer.parent, (this.refs.get(layer.parent) ?? 1) - 1);
          again = true;
        }
      }
      return deleted;
    });
  }

  private async deleteLayer(layer: Layer): Promise<void> {
    // Invisible at once (before any await), so a concurrent pull cannot retain a layer being deleted.
    this.layers.delete(layer.chainId);
    this.refs.delete(layer.chainId);
    // The layerdb entry goes first (the commit point in reverse): a crash after this leaves only
    // an orphan content dir, which init() removes.
    const gone = join(this.dbTmp, `del-${randomBytes(6).toString('hex')}`);
    await rename(join(this.layerdb, 'sha256', hexOf(layer.chainId)), gone);
    await rm(join(this.overlayRoot, 'l', layer.link), { force: true });
    await rm(join(this.overlayRoot, layer.cacheId), { recursive: true, force: true });
    await rm(gone, { recursive: true, force: true });
  }

  private require(chainId: string): Layer {
    const l = this.layers.get(chainId);
    if (!l) throw notFound('LAYER_NOT_FOUND', `layer ${chainId} does not exist`);
    return l;
  }

  // ---- containers' read-write layers -------------------------------------------------------

  async createRwLayer(id: string, parentChainId: string | undefined): Promise<OverlayMount> {
    if (!/^[0-9a-zA-Z][0-9a-zA-Z_.-]*$/.test(id)) throw invalidArgument('INVALID_ID', `invalid RW layer key ${JSON.stringify(id)}`);
    return this.mutex.run(async () => {
      if (this.mounts.has(id)) throw conflict('RW_LAYER_EXISTS', `read-write layer for ${id} already exists`);
      const parent = parentChainId !== undefined ? this.require(parentChainId) : undefined;
      const mountId = randomBytes(32).toString('hex');
      const initDir = join(this.overlayRoot, `${mountId}-init`);
      const rwDir = join(this.overlayRoot, mountId);
      const initLink = newLinkId();
      const rwLink = newLinkId();
      const parentLower = parent ? this.lowerString(parent) : '';
      try {
        await mkdir(join(initDir, 'diff'), { recursive: true });
        await mkdir(join(initDir, 'work'));
        await writeFile(join(initDir, 'link'), initLink);
        if (parentLower) await writeFile(join(initDir, 'lower'), parentLower);
        await this.populateInit(join(initDir, 'diff'), parent);
        await symlink(`../${mountId}-init/diff`, join(this.overlayRoot, 'l', initLink));
        for (const d of ['diff', 'work', 'merged']) await mkdir(join(rwDir, d), { recursive: true });
        await writeFile(join(rwDir, 'link'), rwLink);
        await writeFile(join(rwDir, 'lower'), [`l/${initLink}`, ...(parentLower ? [parentLower] : [])].join(':'));
        await symlink(`../${mountId}/diff`, join(this.overlayRoot, 'l', rwLink));
        const dbTmp = join(this.dbTmp, randomBytes(8).toString('hex'));
        await mkdir(dbTmp);
        await writeFile(join(dbTmp, 'mount-id'), mountId);
        await writeFile(join(dbTmp, 'init-id'), `${mountId}-init`);
        if (parentChainId !== undefined) await writeFile(join(dbTmp, 'parent'), parentChainId);
        await rename(dbTmp, join(this.layerdb, 'mounts', id));
      } catch (err) {
        await rm(initDir, { recursive: true, force: true });
        await rm(rwDir, { recursive: true, force: true });
        await rm(join(this.overlayRoot, 'l', initLink), { force: true });
        await rm(join(this.overlayRoot, 'l', rwLink), { force: true });
        throw err;
      }
      this.mounts.set(id, { mountId, ...(parentChainId !== undefined ? { parent: parentChainId } : {}) });
      if (parentChainId !== undefined) this.refs.set(parentChainId, (this.refs.get(parentChainId) ?? 0) + 1);
      return this.mountOf(id);
    });
  }

  getRwLayer(id: string): OverlayMount | undefined {
    return this.mounts.has(id) ? this.mountOf(id) : undefined;
  }

  listRwLayers(): string[] {
    return [...this.mounts.keys()];
  }

  /** Deletes a container's init and RW layers (unmount first) and releases its image chain. */
  async removeRwLayer(id: string): Promise<void> {
    const m = this.mounts.get(id);
    if (!m) throw notFound('RW_LAYER_NOT_FOUND', `read-write layer for ${id} does not exist`);
    await this.mutex.run(async () => {
      const gone = join(this.dbTmp, `del-${randomBytes(6).toString('hex')}`);
      await rename(join(this.layerdb, 'mounts', id), gone);
      this.mounts.delete(id);
      for (const dir of [m.mountId, `${m.mountId}-init`]) {
        const link = await readText(join(this.overlayRoot, dir, 'link'));
        if (link) await rm(join(this.overlayRoot, 'l', link), { force: true });
        await rm(join(this.overlayRoot, dir), { recursive: true, force: true });
      }
      await rm(gone, { recursive: true, force: true });
    });
    if (m.parent !== undefined) await this.release(m.parent);
  }

  private mountOf(id: string): OverlayMount {
    const m = this.mounts.get(id);
    if (!m) throw notFound('RW_LAYER_NOT_FOUND', `read-write layer for ${id} does not exist`);
    const chain = m.parent !== undefined ? this.chain(m.parent) : [];
    const initCache = `${m.mountId}-init`;
    return {
      id,
      mountId: m.mountId,
      ...(m.parent !== undefined ? { parentChainId: m.parent } : {}),
      lowerDirs: [join(this.overlayRoot, initCache, 'diff'), ...chain.map((l) => join(this.overlayRoot, l.cacheId, 'diff'))],
      lowerLinks: [`l/${this.linkOfSync(initCache)}`, ...chain.map((l) => `l/${l.link}`)],
      upperDir: join(this.overlayRoot, m.mountId, 'diff'),
      workDir: join(this.overlayRoot, m.mountId, 'work'),
      mergedDir: join(this.overlayRoot, m.mountId, 'merged'),
      overlayRoot: this.overlayRoot,
    };
  }

  private readonly initLinks = new Map<string, string>();
  private linkOfSync(cacheDir: string): string {
    let link = this.initLinks.get(cacheDir);
    if (link === undefined) {
      // Read once and cache: mount descriptions are built synchronously.
      link = readLinkFileSync(join(this.overlayRoot, cacheDir, 'link'));
      this.initLinks.set(cacheDir, link);
    }
    return link;
  }

  /** Creates the init placeholders unless a lower layer already has a non-directory on the way. */
  private async populateInit(diff: string, parent: Layer | undefined): Promise<void> {
    const lowers = parent ? this.chain(parent.chainId).map((l) => join(this.overlayRoot, l.cacheId, 'diff')) : [];
    for (const p of INIT_PATHS) {
      if (await blockedInLowers(lowers, p.path)) continue;
      const abs = join(diff, p.path);
      await mkdir(join(abs, '..'), { recursive: true, mode: 0o755 });
      if (p.type === 'dir') await mkdir(abs, { recursive: true, mode: 0o755 });
      else if (p.type === 'file') await writeFile(abs, '', { mode: 0o755 });
      else await symlink(p.target as string, abs);
    }
  }
}

/** True when, in the topmost lower that has it, some component of `path` (or the path itself, for files) is not a directory. */
async function blockedInLowers(lowers: string[], path: string): Promise<boolean> {
  const parts = path.split('/');
  for (let i = 1; i <= parts.length; i++) {
    const prefix = parts.slice(0, i).join('/');
    for (const lower of lowers) {
      const st = await lstat(join(lower, prefix)).catch(() => undefined);
      if (!st) continue;
      if (i < parts.length && !st.isDirectory()) return true;
      if (i === parts.length) return true;
      break;
    }
  }
  return false;
}

function readLinkFileSync(path: string): string {
  return readFileSync(path, 'utf8').trim();
}

/**
 * The `mount -t overlay` data for an `OverlayMount`. With absolute paths when they fit in a page
 * (the kernel's limit for mount data); else with `l/` names relative to `cwd` (= overlayRoot),
 * which the mounting process must chdir into, as moby's `mountFrom` does.
 */
export function overlayMountOptions(m: OverlayMount): { options: string; cwd?: string } {
  const abs = `index=off,lowerdir=${m.lowerDirs.join(':')},upperdir=${m.upperDir},workdir=${m.workDir}`;
  if (abs.length < 4000) return { options: abs };
  const rel = `index=off,lowerdir=${m.lowerLinks.join(':')},upperdir=${m.mountId}/diff,workdir=${m.mountId}/work`;
  return { options: rel, cwd: m.overlayRoot };
}
