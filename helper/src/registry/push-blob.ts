import { Transform, type Readable } from 'node:stream';
import type { RegistrySession } from './registry-client';

/** A blob to push: its identity and a way to read it (called again if an upload must restart). */
export interface PushableBlob {
  digest: string;
  size: number;
  open: () => Readable;
}

export type BlobPushOutcome = { outcome: 'exists' } | { outcome: 'mounted'; from: string } | { outcome: 'pushed' };

export interface BlobPushOptions {
  /** Another repository of the same registry that has this blob (where it was pulled from). */
  mountFrom?: string;
  /** Bytes sent so far, as the upload streams. */
  onProgress?: (sent: number) => void;
}

/**
 * Pushes one blob the way dockerd does (distribution/push_v2.go `pushDescriptor.Upload`):
 * `HEAD` first, so a blob the repository already has is not sent again ("Layer already exists");
 * then a cross-repository mount when a source repository is known ("Mounted from …"); else a
 * monolithic upload, counted as it streams. A refused mount is not an error: the upload follows.
 */
export async function pushBlob(session: RegistrySession, blob: PushableBlob, opts: BlobPushOptions = {}): Promise<BlobPushOutcome> {
  const existing = await session.blobExists(blob.digest);
  if (existing !== undefined) return { outcome: 'exists' };
  if (opts.mountFrom !== undefined && opts.mountFrom !== session.opts.repository) {
    const mounted = await session.mountBlob(blob.digest, opts.mountFrom).catch(() => false);
    if (mounted) return { outcome: 'mounted', from: opts.mountFrom };
  }
  await session.uploadBlob(blob.digest, blob.size, () => countBytes(blob.open(), opts.onProgress));
  return { outcome: 'pushed' };
}

function countBytes(source: Readable, onProgress: ((sent: number) => void) | undefined): Readable {
  if (onProgress === undefined) return source;
  let sent = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      sent += chunk.length;
      onProgress(sent);
      cb(null, chunk);
    },
  });
  source.on('error', (err) => counter.destroy(err));
  return source.pipe(counter);
}
