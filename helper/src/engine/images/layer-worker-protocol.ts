import { BerthError, isBerthError } from '../../lib/errors';
import { RegistryError, isRegistryError, type RegistryErrorCategory } from '../../registry/errors';
import type { ErrorKind } from '../../../../src-shared/errors/error-kind';
import type { LayerBlobJob } from './layer-pipeline';

/**
 * Messages between the image engine and its layer workers (worker_threads). A job is one layer:
 * the worker GETs the blob itself (URL + the session's current Authorization), runs
 * `applyLayerBlob` into the ingest's private diff dir, and answers `done` or `error` only after
 * its pipeline is fully torn down, so the engine may then delete or commit that dir.
 */
export interface WorkerJob extends LayerBlobJob {
  jobId: number;
  url: string;
  headers: Record<string, string>;
  skipTlsVerify: boolean;
  diffDir: string;
  contentRoot: string;
  fsutilBinary: string;
}

export type ToWorker = { type: 'job'; job: WorkerJob } | { type: 'abort'; jobId: number };

export interface SerializedError {
  message: string;
  kind?: ErrorKind;
  code?: string;
  category?: RegistryErrorCategory;
  status?: number;
}

export type FromWorker =
  | { type: 'progress'; jobId: number; received: number }
  | { type: 'done'; jobId: number; size: number }
  | { type: 'error'; jobId: number; error: SerializedError };

export function serializeError(err: unknown): SerializedError {
  const out: SerializedError = { message: err instanceof Error ? err.message : String(err) };
  if (isBerthError(err)) {
    out.kind = err.kind;
    out.code = err.code;
  }
  if (isRegistryError(err)) {
    out.category = err.category;
    if (err.status !== undefined) out.status = err.status;
  }
  return out;
}

export function deserializeError(e: SerializedError): Error {
  if (e.category !== undefined) return new RegistryError(e.kind ?? 'Internal', e.code ?? 'REGISTRY_ERROR', e.message, { category: e.category, ...(e.status !== undefined ? { status: e.status } : {}) });
  if (e.kind !== undefined) return new BerthError(e.kind, e.code ?? 'INTERNAL', e.message);
  return new Error(e.message);
}
