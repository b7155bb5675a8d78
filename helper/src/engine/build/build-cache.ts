import { createHash } from 'node:crypto';
import { chmod, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import { AsyncMutex, writeFileAtomic } from '../../store/atomic-file';

/** One cached step: the image it produced, and what `docker system df -v` shows about it. */
export interface CacheEntry {
  imageId: string;
  /** The step (`RUN make`, `COPY file:… in /app `). */
  description: string;
  /** Unix ms. */
  createdAt: number;
  lastUsedAt: number;
  usageCount: number;
}

/**
 * The classic builder's cache, as an index: key = sha256(parent image ID, the step's runtime
 * config, the step's history line — which carries the content checksum for COPY/ADD) -> the image
 * the step produced. The images are the cache's content (like dockerd, whose cache is its
 * intermediate images); this index only says which one a step may reuse. Saved atomically to
 * `<data-root>/builder/cache.json` (0700 dir); an entry whose image is gone is a miss.
 */
export class BuildCache {
  private entries = new Map<string, CacheEntry>();
  private readonly file: string;
  private readonly mutex = new AsyncMutex();

  constructor(
    private readonly dir: string,
    private readonly log: Logger,
  ) {
    this.file = join(dir, 'cache.json');
  }

  static key(parentId: string, config: unknown, createdBy: string): string {
    return createHash('sha256').update(JSON.stringify([parentId, config, createdBy])).digest('hex');
  }

  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await chmod(this.dir, 0o700);
    try {
      const doc = JSON.parse(await readFile(this.file, 'utf8')) as { entries?: Record<string, CacheEntry> };
      this.entries = new Map(Object.entries(doc.entries ?? {}));
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') this.log.warn({ err }, 'build cache index unreadable; starting empty');
    }
  }

  get(key: string): CacheEntry | undefined {
    return this.entries.get(key);
  }

  list(): [string, CacheEntry][] {
    return [...this.entries.entries()];
  }

  async put(key: string, imageId: string, description: string): Promise<void> {
    const now = Date.now();
    this.entries.set(key, { imageId, description, createdAt: now, lastUsedAt: now, usageCount: 0 });
    await this.save();
  }

  async touch(key: string): Promise<void> {
    const e = this.entries.get(key);
    if (!e) return;
    e.lastUsedAt = Date.now();
    e.usageCount++;
    await this.save();
  }

  async remove(keys: Iterable<string>): Promise<void> {
    for (const k of keys) this.entries.delete(k);
    await this.save();
  }

  private save(): Promise<void> {
    return this.mutex.run(() => writeFileAtomic(this.file, JSON.stringify({ entries: Object.fromEntries(this.entries) })));
  }
}
