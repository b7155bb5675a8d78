import type { ErrorKind } from '../../../src-shared/errors/error-kind';

/**
 * Base class of every error berthd raises on purpose. `kind` decides the HTTP status (in
 * `api/errors.ts` only); `code` is stable for tests and clients; the message is what the docker
 * CLI prints after "Error response from daemon: ".
 */
export class BerthError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;

  constructor(kind: ErrorKind, code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BerthError';
    this.kind = kind;
    this.code = code;
  }
}

export const notFound = (code: string, message: string, cause?: unknown): BerthError =>
  new BerthError('NotFound', code, message, { cause });
export const conflict = (code: string, message: string, cause?: unknown): BerthError =>
  new BerthError('Conflict', code, message, { cause });
export const invalidArgument = (code: string, message: string, cause?: unknown): BerthError =>
  new BerthError('InvalidArgument', code, message, { cause });
export const unavailable = (code: string, message: string, cause?: unknown): BerthError =>
  new BerthError('Unavailable', code, message, { cause });
export const unauthorized = (code: string, message: string, cause?: unknown): BerthError =>
  new BerthError('Unauthorized', code, message, { cause });
export const forbidden = (code: string, message: string, cause?: unknown): BerthError =>
  new BerthError('Forbidden', code, message, { cause });
export const notImplemented = (code: string, message: string): BerthError =>
  new BerthError('NotImplemented', code, message);
export const notModified = (code: string, message: string): BerthError =>
  new BerthError('NotModified', code, message);
export const internal = (code: string, message: string, cause?: unknown): BerthError =>
  new BerthError('Internal', code, message, { cause });

export function isBerthError(err: unknown): err is BerthError {
  return err instanceof BerthError;
}

/** Node's system errors carry `code` (ENOENT, EEXIST…); this narrows them without `any`. */
export function errnoCode(err: unknown): string | undefined {
  if (typeof err === 'object' && err !== null && 'code' in err) {
    const code = (err as { code: unknown }).code;
    return typeof code === 'string' ? code : undefined;
  }
  return undefined;
}
