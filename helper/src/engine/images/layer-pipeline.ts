import { createHash } from 'node:crypto';
import { PassThrough, Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { BerthError } from '../../lib/errors';
import { verificationError } from '../../registry/errors';
import { layerCompression } from '../../registry/manifest';
import type { ContentStore, ContentWriter } from '../../store/content/content-store';
import type { ApplyResult } from '../../store/layers/apply-layer';
import { zstdDecoder } from './zstd-decoder';

/** One layer blob to fetch: the manifest descriptor plus the config's diffID for it. */
export interface LayerBlobJob {
  digest: string;
  size: number;
  mediaType: string;
  diffId: string;
}

export interface LayerPipelineDeps {
  content: ContentStore;
  /** Applies the uncompressed tar into the layer's private diff dir (`LayerIngest.apply` or equivalent). */
  apply: (tar: Readable) => Promise<ApplyResult>;
  /** Bytes of the compressed blob received so far (for progress). */
  onBytes?: (received: number) => void;
}

/**
 * One layer, one pass, no second read of anything: blob stream → sha256 + content-store ingest
 * (the disk write overlaps inflate) → decompress → sha256 (diffID) → tar applier. Verifies size,
 * digest and diffID; on any mismatch or error the ingest is discarded and the error says which
 * check failed. Returns the layer's unpacked size. Used in-process and in layer workers.
 */
export async function applyLayerBlob(job: LayerBlobJob, blob: Readable, deps: LayerPipelineDeps, signal: AbortSignal): Promise<{ size: number }> {
  // The connection may fail before the pipeline below is attached (the ingest file opens first):
  // without a listener that 'error' would be uncaught. pipeline() still sees the stream's error.
  blob.on('error', () => undefined);
  const writer = await deps.content.writer({ expectedDigest: job.digest, expectedSize: job.size });
  let closed = false;
  try {
    let received = 0;
    const tap = new BlobTap(writer, (n) => {
      received += n;
      deps.onBytes?.(received);
    });
    const diffHash = createHash('sha256');
    const diffTap = new Transform({
      highWaterMark: 1 << 20,
      transform(chunk: Buffer, _enc, cb) {
        diffHash.update(chunk);
        cb(null, chunk);
      },
    });
    const decompress = decompressor(layerCompression(job.mediaType));
    const ac = new AbortController();
    const onAbort = (): void => ac.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    const applying = deps.apply(diffTap).catch((err: unknown) => {
      ac.abort(err);
      throw err;
    });
    let result: ApplyResult;
    try {
      [, result] = await Promise.all([pipeline(blob, tap, decompress, diffTap, { signal: ac.signal }), applying]);
    } catch (err) {
      // A size/digest problem usually shows up as a broken gzip or tar stream first; report the real cause.
      if (writer.written > job.size) throw verificationError('BLOB_SIZE_MISMATCH', `filesystem layer verification failed for digest ${job.digest}: more than ${job.size} bytes`);
      if (err instanceof BerthError) throw err;
      if (signal.aborted) throw err;
      if (err instanceof Error && /unexpected end|incorrect header|invalid|unexpected eof|incorrect data check/i.test(err.message)) {
        throw verificationError('LAYER_CORRUPT', `filesystem layer verification failed for digest ${job.digest}: ${err.message}`);
      }
      throw err;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
    closed = true;
    try {
      await writer.commit();
    } catch (err) {
      if (err instanceof BerthError) throw verificationError(err.code, err.message);
      throw err;
    }
    const gotDiff = `sha256:${diffHash.digest('hex')}`;
    if (gotDiff !== job.diffId) throw verificationError('DIFF_ID_MISMATCH', `layer ${job.digest}: diffID mismatch: config says ${job.diffId}, content is ${gotDiff}`);
    return { size: result.size };
  } finally {
    if (!closed) await writer.abort();
  }
}

/**
 * Hashes + stores compressed bytes while passing them on to the decompressor (the disk write
 * overlaps inflate). Socket reads arrive in 64 KiB pieces; they are coalesced into ~1 MiB chunks
 * first, which cuts the file writes and zlib threadpool round trips per layer by ~16x.
 */
class BlobTap extends Transform {
  private pending: Buffer[] = [];
  private pendingBytes = 0;

  constructor(
    private readonly writer: ContentWriter,
    private readonly onBytes: (n: number) => void,
    private readonly chunkSize = 1 << 20,
  ) {
    super({ highWaterMark: 1 << 20 });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < this.chunkSize) {
      cb();
      return;
    }
    this.emitPending(cb);
  }

  override _flush(cb: TransformCallback): void {
    if (this.pendingBytes === 0) cb();
    else this.emitPending(cb);
  }

  private emitPending(cb: TransformCallback): void {
    const data = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending, this.pendingBytes);
    this.pending = [];
    this.pendingBytes = 0;
    const wrote = this.writer.write(data);
    this.push(data);
    wrote.then(() => {
      this.onBytes(data.length);
      cb();
    }, cb);
  }
}

function decompressor(kind: 'gzip' | 'none' | 'zstd'): Transform {
  if (kind === 'gzip') return createGunzip({ chunkSize: 1024 * 1024 });
  if (kind === 'none') return new PassThrough({ highWaterMark: 1 << 20 });
  return zstdDecoder();
}
