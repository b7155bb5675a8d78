import { isErrorKind, type ErrorEnvelope, type ErrorKind } from '../../src-shared/errors/error-kind';

/** Errors raised on purpose in the main process; they cross to the renderer as envelopes. */
export class AppError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AppError';
  }
}

/** Any thrown value as an envelope. Errors without a kind are bugs and become Internal. */
export function toEnvelope(err: unknown): ErrorEnvelope {
  if (typeof err === 'object' && err !== null && 'kind' in err && 'code' in err && isErrorKind((err as { kind: unknown }).kind)) {
    const e = err as { kind: ErrorKind; code: unknown; message?: unknown };
    return { kind: e.kind, code: String(e.code), message: String(e.message ?? '') };
  }
  return { kind: 'Internal', code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}
