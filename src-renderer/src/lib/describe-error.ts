import { BerthClientError } from './transport/bridge-client';
import type { ErrorKind } from '../../../src-shared/errors/error-kind';

export interface ErrorDescription {
  kind: ErrorKind | 'Unknown';
  code: string;
  title: string;
  message: string;
  hint?: string;
}

/** Turns any thrown value into UI wording, branching on the envelope's kind, never its text. */
export function describeError(error: unknown): ErrorDescription {
  if (error instanceof BerthClientError || isEnvelopeLike(error)) {
    const e = error as { kind: ErrorKind; code: string; message: string };
    if (e.code === 'APP_DISCONNECTED') {
      return { kind: e.kind, code: e.code, title: 'Lost the connection to Berth', message: e.message, hint: 'Reconnecting to the app process…' };
    }
    if (e.code === 'SSH_CONNECT_FAILED') {
      return { kind: e.kind, code: e.code, title: 'The SSH host is not reachable', message: e.message, hint: 'Check the host address and port, and that its SSH server runs. Berth keeps retrying; this view recovers by itself.' };
    }
    if (e.code === 'HOST_NOT_CONNECTED') {
      return { kind: e.kind, code: e.code, title: 'The host is not connected', message: e.message, hint: 'Berth is reconnecting (the banner above says when it retries); this view recovers by itself.' };
    }
    switch (e.kind) {
      case 'Unavailable':
        return {
          kind: e.kind,
          code: e.code,
          title: 'The Berth daemon is not reachable',
          message: e.message,
          hint: 'Check that berthd is running. This view recovers by itself when the daemon is back.',
        };
      case 'NotFound':
        return { kind: e.kind, code: e.code, title: 'Not found', message: e.message };
      case 'Conflict':
        return { kind: e.kind, code: e.code, title: 'Conflict', message: e.message };
      case 'InvalidArgument':
        return { kind: e.kind, code: e.code, title: 'Invalid input', message: e.message };
      case 'Unauthorized':
      case 'Forbidden':
        return { kind: e.kind, code: e.code, title: 'Not allowed', message: e.message };
      default:
        return { kind: e.kind, code: e.code, title: 'Something went wrong', message: e.message };
    }
  }
  const message = error instanceof Error ? error.message : String(error);
  return { kind: 'Unknown', code: 'UNKNOWN', title: 'Something went wrong', message };
}

function isEnvelopeLike(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'kind' in value && 'code' in value && 'message' in value;
}

export function isUnavailable(error: unknown): boolean {
  return describeError(error).kind === 'Unavailable';
}
