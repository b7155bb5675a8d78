/**
 * The kinds of failure every Berth process agrees on. Core code marks an error's kind; only the
 * edges (berthd's `api/errors.ts`, the app's transports) turn a kind into an HTTP status or a UI
 * reaction. Clients branch on `kind` and `code`, never on message text.
 */
export const ERROR_KINDS = [
  'NotFound',
  'Conflict',
  'InvalidArgument',
  'Unauthorized',
  'Forbidden',
  'Unavailable',
  'NotImplemented',
  'NotModified',
  'Internal',
] as const;

export type ErrorKind = (typeof ERROR_KINDS)[number];

/** Serialisable form of an error crossing a process boundary (IPC, WebSocket). */
export interface ErrorEnvelope {
  kind: ErrorKind;
  /** Stable machine-readable code, e.g. `IMAGE_NOT_FOUND`. */
  code: string;
  message: string;
}

export function isErrorKind(value: unknown): value is ErrorKind {
  return typeof value === 'string' && (ERROR_KINDS as readonly string[]).includes(value);
}
