import type { ServerResponse } from 'node:http';
import type { ErrorKind } from '../../../src-shared/errors/error-kind';
import { isBerthError } from '../lib/errors';
import type { Logger } from '../lib/logger';

/** The ONLY place in berthd where an error kind becomes an HTTP status. */
const STATUS_BY_KIND: Record<ErrorKind, number> = {
  NotFound: 404,
  Conflict: 409,
  InvalidArgument: 400,
  Unauthorized: 401,
  Forbidden: 403,
  Unavailable: 503,
  NotImplemented: 501,
  NotModified: 304,
  Internal: 500,
};

export function statusForError(err: unknown): number {
  return isBerthError(err) ? STATUS_BY_KIND[err.kind] : 500;
}

/** Message the docker CLI prints after "Error response from daemon: ". */
export function messageForError(err: unknown): string {
  if (isBerthError(err)) return err.message;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Writes `{"message": …}` with the mapped status, logging once: 4xx at debug, 5xx and
 * unclassified errors (a bug) at error. If the headers already went out, the error cannot be
 * expressed as a status any more, so the stream is ended and the caller decides about in-band errors.
 */
export function writeError(res: ServerResponse, err: unknown, log: Logger): void {
  const status = statusForError(err);
  const message = messageForError(err);
  if (status >= 500) log.error({ err }, 'request failed');
  else log.debug({ status, code: isBerthError(err) ? err.code : undefined, msg: message }, 'request rejected');
  if (res.headersSent) {
    res.end();
    return;
  }
  if (status === 304) {
    res.writeHead(304).end();
    return;
  }
  const body = JSON.stringify({ message });
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
