import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { conflict, errnoCode, invalidArgument, notFound } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import { AsyncMutex, writeFileAtomic } from '../atomic-file';
import { BLOB_DIR_MODE, BLOB_FILE_MODE } from '../data-root';

/** One layer of an image, base first. */
export interface ImageLayerRecord {
  diffId: string;
  /** ChainID of the stack up to this layer (the layer store's key). */
  chainId: string;
  /** The compressed blob it came from (in the content store), for push and blob GC. */
  blobDigest?: string;
  blobSize?: number;
  blobMediaType?: string;
}

/**
 * Berth's metadata about an image, beside its config. `id` is `sha256:<hex of config bytes>`.
 * References (tags, digests) are not here: they live in `repositories.json` and map to IDs.
 */
export interface ImageRecord {
  id: string;
  layers: ImageLayerRecord[];
  /** The single-platform manifest (bytes in the content store), when the image came from or went to a registry. */
  manifestDigest?: string;
  manifestMediaType?: string;
  /** Unix ms when it was stored here; `Metadata.LastTagTime` uses `lastTagTime`. */
  storedAt: number;
  lastTagTime?: number;
  /** The image this one was built on by a build step (dockerd's `parent`); absent for pulled images. */
  parent?: string;
}

interface RepositoriesFile {
  Repositories: Record<string, Record<string, string>>;
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * Images by ID plus the reference table, under `image/overlay2/`:
 *   - `imagedb/content/sha256/<hex>`: the config bytes, verbatim (the image's commit point);
 *   - `imagedb/metadata/sha256/<hex>/berth.json`: the `ImageRecord` (written before the config);
 *   - `repositories.json`: `{"Repositories": {repo: {ref: imageID}}}` as moby writes it, with refs
 *     fully qualified (`docker.io/library/busybox:latest`, `…@sha256:…`).
 *
 * References are opaque strings here: parsing and name resolution are the image engine's. Every
 * file is replaced atomically; `init()` drops metadata without config and references to missing
 * images, so a crash never leaves a half-written image visible.
 */
export class ImageStore {
  private readonly base: string;
  private readonly contentDir: string;
  private readonly metaDir: string;
  private readonly reposFile: string;
  private readonly images = new Map<string, { record: ImageRecord; config: Buffer }>();
  /** ref → image ID. */
  private readonly refs = new Map<string, string>();
  private readonly mutex = new AsyncMutex();

  constructor(
    dataRoot: string,
    private readonly log: Logger,
  ) {
    this.base = join(dataRoot, 'image', 'overlay2');
    this.contentDir = join(this.base, 'imagedb', 'content', 'sha256');
    this.metaDir = join(this.base, 'imagedb', 'metadata', 'sha256');
    this.reposFile = join(this.base, 'repositories.json');
  }

  async init(): Promise<void> {
    await mkdir(this.contentDir, { recursive: true, mode: BLOB_DIR_MODE });
    await mkdir(this.metaDir, { recursive: true });
    const configs = new Set((await readdir(this.contentDir)).filter((n) => HEX64.test(n)));
    for (const hex of await readdir(this.metaDir)) {
      if (!configs.has(hex)) await rm(join(this.metaDir, hex), { recursive: true, force: true });
    }
    for (const hex of await readdir(this.contentDir)) {
      if (!HEX64.test(hex)) {
        await rm(join(this.contentDir, hex), { force: true });
        continue;
      }
      try {
        const config = await readFile(join(this.contentDir, hex));
        const record = JSON.parse(await readFile(join(this.metaDir, hex, 'berth.json'), 'utf8')) as ImageRecord;
        if (createHash('sha256').update(config).digest('hex') !== hex || record.id !== `sha256:${hex}`) throw new Error('config does not match its ID');
        this.images.set(record.id, { record, config });
      } catch (err) {
        this.log.warn({ imageId: `sha256:${hex}`, err }, 'dropping unreadable image');
        await rm(join(this.contentDir, hex), { force: true });
        await rm(join(this.metaDir, hex), { recursive: true, force: true });
      }
    }
    let repos: RepositoriesFile = { Repositories: {} };
    try {
      repos = JSON.parse(await readFile(this.reposFile, 'utf8')) as RepositoriesFile;
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') this.log.warn({ err }, 'repositories.json unreadable; starting with no tags');
    }
    for (const [repo, refs] of Object.entries(repos.Repositories ?? {})) {
      for (const [ref, id] of Object.entries(refs)) {
        if (!this.images.has(id)) continue;
        this.refs.set(ref, id);
        this.refRepo.set(ref, repo);
      }
    }
  }

  list(): ImageRecord[] {
    return [...this.images.values()].map((v) => v.record);
  }

  get(id: string): ImageRecord | undefined {
    return this.images.get(id)?.record;
  }

  /** The config bytes (the image's identity). */
  config(id: string): Buffer {
    const v = this.images.get(id);
    if (!v) throw notFound('IMAGE_NOT_FOUND', `No such image: ${id}`);
    return v.config;
  }

  /** IDs starting with `prefix` (hex, without `sha256:`). */
  findByIdPrefix(prefix: string): string[] {
    const p = `sha256:${prefix}`;
    return [...this.images.keys()].filter((id) => id.startsWith(p));
  }

  /** Stores an image (idempotent for an existing ID: the record is kept, the ID returned). */
  async put(config: Buffer, record: Omit<ImageRecord, 'id' | 'storedAt'>): Promise<{ record: ImageRecord; created: boolean }> {
    const hex = createHash('sha256').update(config).digest('hex');
    const id = `sha256:${hex}`;
    return this.mutex.run(async () => {
      const existing = this.images.get(id);
      if (existing) {
        // Keep what is known; fill in a manifest the existing record lacks (e.g. import then push).
        if (existing.record.manifestDigest === undefined && record.manifestDigest !== undefined) {
          const updated = { ...existing.record, manifestDigest: record.manifestDigest, manifestMediaType: record.manifestMediaType, layers: record.layers };
          await this.writeRecord(updated);
          existing.record = updated;
        }
        return { record: existing.record, created: false };
      }
      const full: ImageRecord = { ...record, id, storedAt: Date.now() };
      await mkdir(join(this.metaDir, hex), { recursive: true });
      await this.writeRecord(full);
      await writeFileAtomic(join(this.contentDir, hex), config, BLOB_FILE_MODE);
      this.images.set(id, { record: full, config });
      return { record: full, created: true };
    });
  }

  /** Updates mutable metadata (manifest after a push, lastTagTime). */
  async update(id: string, patch: Partial<Omit<ImageRecord, 'id' | 'layers'>>): Promise<ImageRecord> {
    return this.mutex.run(async () => {
      const v = this.images.get(id);
      if (!v) throw notFound('IMAGE_NOT_FOUND', `No such image: ${id}`);
      const updated = { ...v.record, ...patch };
      await this.writeRecord(updated);
      v.record = updated;
      return updated;
    });
  }

  /** Removes an image whose references are already gone (the caller checks and untags). */
  async delete(id: string): Promise<void> {
    await this.mutex.run(async () => {
      if (!this.images.has(id)) throw notFound('IMAGE_NOT_FOUND', `No such image: ${id}`);
      if ([...this.refs.values()].includes(id)) throw conflict('IMAGE_REFERENCED', `image ${id} is still referenced`);
      const hex = id.slice('sha256:'.length);
      await rm(join(this.contentDir, hex), { force: true });
      const gone = join(this.metaDir, `.del-${randomBytes(4).toString('hex')}`);
      await rename(join(this.metaDir, hex), gone).catch(() => undefined);
      await rm(gone, { recursive: true, force: true });
      this.images.delete(id);
    });
  }

  // ---- references --------------------------------------------------------------------------

  lookupRef(ref: string): string | undefined {
    return this.refs.get(ref);
  }

  /** References pointing at `id`, sorted. */
  refsOf(id: string): string[] {
    return [...this.refs.entries()]
      .filter(([, v]) => v === id)
      .map(([k]) => k)
      .sort();
  }

  allRefs(): [string, string][] {
    return [...this.refs.entries()];
  }

  /**
   * Points `ref` (`repo:tag` or `repo@digest`) at `id`, replacing what it pointed to. `repo` is
   * the part before the tag/digest; it groups refs in repositories.json. Returns the previous ID.
   */
  async setRef(repo: string, ref: string, id: string): Promise<string | undefined> {
    return this.mutex.run(async () => {
      if (!this.images.has(id)) throw notFound('IMAGE_NOT_FOUND', `No such image: ${id}`);
      if (!ref.startsWith(repo)) throw invalidArgument('INVALID_REFERENCE', `reference ${ref} is not in repository ${repo}`);
      const previous = this.refs.get(ref);
      this.refs.set(ref, id);
      this.refRepo.set(ref, repo);
      await this.saveRefs();
      return previous;
    });
  }

  async removeRef(ref: string): Promise<string | undefined> {
    return this.mutex.run(async () => {
      const id = this.refs.get(ref);
      if (id === undefined) return undefined;
      this.refs.delete(ref);
      this.refRepo.delete(ref);
      await this.saveRefs();
      return id;
    });
  }

  private readonly refRepo = new Map<string, string>();

  private async saveRefs(): Promise<void> {
    const out: RepositoriesFile = { Repositories: {} };
    for (const [ref, id] of [...this.refs.entries()].sort()) {
      const repo = this.refRepo.get(ref) ?? ref.replace(/(@.*|:[^:/]*)$/, '');
      (out.Repositories[repo] ??= {})[ref] = id;
    }
    await writeFileAtomic(this.reposFile, JSON.stringify(out));
  }

  private async writeRecord(record: ImageRecord): Promise<void> {
    await writeFileAtomic(join(this.metaDir, record.id.slice('sha256:'.length), 'berth.json'), JSON.stringify(record));
  }
}
