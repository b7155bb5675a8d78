import type { ErrorKind } from '../../src-shared/errors/error-kind';
import { AppError } from '../lib/app-error';

/** What the request was about, so a 404 becomes CONTAINER_NOT_FOUND rather than a bare NOT_FOUND. */
export type EngineSubject = 'container' | 'image' | 'exec' | 'config' | 'engine' | 'volume' | 'network';

const KIND_BY_STATUS: Record<number, ErrorKind> = {
  400: 'InvalidArgument',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  501: 'NotImplemented',
};

/**
 * The engine answered with an error status. Kind from the status (5xx -> Unavailable when it is
 * 502-504, else Internal), code from subject + kind, message from the engine's `{"message"}` body
 * (the same text the docker CLI prints after "Error response from daemon:").
 */
export function engineError(status: number, body: string, subject: EngineSubject): AppError {
  const kind: ErrorKind = KIND_BY_STATUS[status] ?? (status >= 502 && status <= 504 ? 'Unavailable' : 'Internal');
  let message = body.trim();
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed.message === 'string') message = parsed.message;
  } catch {
    // Not JSON (a proxy's HTML page, plain text): keep the text as the message.
  }
  if (message === '') message = `engine answered HTTP ${status}`;
  const code =
    kind === 'NotFound' ? `${subject.toUpperCase()}_NOT_FOUND`
    : kind === 'Conflict' ? `${subject.toUpperCase()}_CONFLICT`
    : kind === 'InvalidArgument' ? 'INVALID_ARGUMENT'
    : kind === 'Internal' ? 'ENGINE_ERROR'
    : kind === 'Unavailable' ? 'ENGINE_UNAVAILABLE'
    : kind.replace(/[A-Z]/g, (c, i: number) => (i ? '_' : '') + c).toUpperCase();
  const err = new AppError(kind, code, message);
  (err as AppError & { status?: number }).status = status;
  return err;
}

export function httpStatusOf(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null ? ((err as { status?: number }).status ?? undefined) : undefined;
}

export function isKind(err: unknown, kind: ErrorKind): boolean {
  return typeof err === 'object' && err !== null && (err as { kind?: unknown }).kind === kind;
}
