import { createHash, randomBytes, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { chmod, copyFile, link, mkdir, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { errnoCode, internal, invalidArgument, notFound } from '../../lib/errors';
import { writeFileAtomic } from '../atomic-file';
import { BLOB_DIR_MODE, BLOB_FILE_MODE } from '../data-root';

const DIGEST_RE = /^sha256:([0-9a-f]{64})$/;

export interface ContentInfo {
  digest: string;
  size: number;
}

/**
 * An in-progress write of one blob (containerd's `content.Writer`): bytes are hashed as they are
 * written to a private ingest file; `commit` checks the expected digest and size and only then
 * renames the file to `blobs/sha256/<hex>`, so a blob is visible complete and verified or not at
 * all. Exactly one of `commit` / `abort` must be called.
 */
export interface ContentWriter {
  /** Writes a chunk; resolves when the file accepted it (back-pressure for the caller). */
  write(chunk: Buffer): Promise<void>;
  readonly written: number;
  /** Verifies and publishes the blob. Throws InvalidArgument `BLOB_DIGEST_MISMATCH` / `BLOB_SIZE_MISMATCH`. */
  commit(): Promise<ContentInfo>;
  abort(): Promise<void>;
}

export interface WriterOptions {
  expectedDigest?: string;
  expectedSize?: number;
}

/**
 * Blobs by digest under `<root>/blobs/sha256/<hex>` (manifests, configs, compressed layers), with
 * ingests under `<root>/ingest/`. The store never interprets content and keeps no references:
 * which blobs are still needed is the image engine's decision (`delete`). Ingests left by a crash
 * are removed by `init()`.
 */
export class ContentStore {
  private readonly blobsDir: string;
  private readonly ingestDir: string;

  constructor(private readonly root: string) {
    this.blobsDir = join(root, 'blobs', 'sha256');
    this.ingestDir = join(root, 'ingest');
  }

  /** The store's root directory (a layer worker opens its own ContentStore on it). */
  get rootDir(): string {
    return this.root;
  }

  async init(): Promise<void> {
    await rm(this.ingestDir, { recursive: true, force: true });
    await mkdir(this.ingestDir, { recursive: true, mode: BLOB_DIR_MODE });
    await mkdir(this.blobsDir, { recursive: true, mode: BLOB_DIR_MODE });
  }

  path(digest: string): string {
    const m = DIGEST_RE.exec(digest);
    if (!m) throw invalidArgument('INVALID_DIGEST', `invalid digest ${JSON.stringify(digest)}`);
    return join(this.blobsDir, m[1] as string);
  }

  async info(digest: string): Promise<ContentInfo | undefined> {
    try {
      const s = await stat(this.path(digest));
      return { digest, size: s.size };
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return undefined;
      throw err;
    }
  }

  async has(digest: string): Promise<boolean> {
    return (await this.info(digest)) !== undefined;
  }

  async read(digest: string): Promise<Buffer> {
    try {
      return await readFile(this.path(digest));
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') throw notFound('BLOB_NOT_FOUND', `content ${digest} not found`);
      throw err;
    }
  }

  openRead(digest: string): Readable {
    return createReadStream(this.path(digest), { highWaterMark: 1 << 20 });
  }

  /** Stores small content in one go (manifests, configs), verifying `expectedDigest` when given. */
  async put(bytes: Buffer, expectedDigest?: string): Promise<string> {
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (expectedDigest !== undefined && digest !== expectedDigest) {
      throw invalidArgument('BLOB_DIGEST_MISMATCH', `content verification failed: expected ${expectedDigest}, got ${digest}`);
    }
    if (!(await this.has(digest))) await writeFileAtomic(this.path(digest), bytes, BLOB_FILE_MODE);
    return digest;
  }

  async writer(opts: WriterOptions = {}): Promise<ContentWriter> {
    if (opts.expectedDigest !== undefined) this.path(opts.expectedDigest);
    const tmp = join(this.ingestDir, randomBytes(12).toString('hex'));
    const stream = createWriteStream(tmp, { flags: 'wx', mode: BLOB_FILE_MODE, highWaterMark: 1 << 20 });
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    return new FileContentWriter(this, tmp, stream, createHash('sha256'), opts);
  }

  /**
   * Takes an already verified file as the blob `digest` without copying it: a hard link published
   * by rename (atomic: the blob appears whole or not at all). The file itself stays where it was.
   * Across filesystems it is copied into the ingest area first. A blob already present is kept.
   */
  async adopt(file: string, digest: string): Promise<ContentInfo> {
    const dest = this.path(digest);
    if (!(await this.has(digest))) {
      const tmp = join(this.ingestDir, randomBytes(12).toString('hex'));
      try {
        await link(file, tmp);
      } catch (err) {
        if (errnoCode(err) !== 'EXDEV') throw err;
        await copyFile(file, tmp);
      }
      try {
        await chmod(tmp, BLOB_FILE_MODE);
        await rename(tmp, dest);
      } catch (err) {
        await rm(tmp, { force: true });
        throw err;
      }
    }
    return (await this.info(digest)) as ContentInfo;
  }

  async delete(digest: string): Promise<void> {
    await rm(this.path(digest), { force: true });
  }

  async list(): Promise<string[]> {
    return (await readdir(this.blobsDir)).filter((n) => /^[0-9a-f]{64}$/.test(n)).map((n) => `sha256:${n}`);
  }

  /** @internal used by writers to publish a verified ingest. */
  async publish(tmp: string, digest: string): Promise<void> {
    await rename(tmp, this.path(digest));
  }
}

class FileContentWriter implements ContentWriter {
  written = 0;
  private failed?: Error;
  private done = false;

  constructor(
    private readonly store: ContentStore,
    private readonly tmp: string,
    private readonly stream: WriteStream,
    private readonly hash: Hash,
    private readonly opts: WriterOptions,
  ) {
    stream.on('error', (err) => {
      this.failed = err;
    });
  }

  write(chunk: Buffer): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    this.hash.update(chunk);
    this.written += chunk.length;
    if (this.opts.expectedSize !== undefined && this.written > this.opts.expectedSize) {
      return Promise.reject(invalidArgument('BLOB_SIZE_MISMATCH', `blob ${this.opts.expectedDigest ?? ''} is larger than its declared size ${this.opts.expectedSize}`.replace('  ', ' ')));
    }
    if (this.stream.write(chunk)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onDrain = (): void => {
        this.stream.off('error', onError);
        resolve();
      };
      const onError = (err: Error): void => {
        this.stream.off('drain', onDrain);
        reject(err);
      };
      this.stream.once('drain', onDrain);
      this.stream.once('error', onError);
    });
  }

  async commit(): Promise<ContentInfo> {
    if (this.done) throw internal('WRITER_CLOSED', 'content writer already closed');
    this.done = true;
    await this.close();
    const digest = `sha256:${this.hash.digest('hex')}`;
    try {
      if (this.opts.expectedSize !== undefined && this.written !== this.opts.expectedSize) {
        throw invalidArgument('BLOB_SIZE_MISMATCH', `blob ${this.opts.expectedDigest ?? digest}: got ${this.written} bytes, expected ${this.opts.expectedSize}`);
      }
      if (this.opts.expectedDigest !== undefined && digest !== this.opts.expectedDigest) {
        throw invalidArgument('BLOB_DIGEST_MISMATCH', `filesystem layer verification failed for digest ${this.opts.expectedDigest}: got ${digest}`);
      }
      await this.store.publish(this.tmp, digest);
      return { digest, size: this.written };
    } catch (err) {
      await rm(this.tmp, { force: true });
      throw err;
    }
  }

  async abort(): Promise<void> {
    if (this.done) return;
    this.done = true;
    this.stream.destroy();
    await rm(this.tmp, { force: true });
  }

  private close(): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.stream.end((err?: Error | null) => (err ? reject(err) : resolve()));
    });
  }
}
