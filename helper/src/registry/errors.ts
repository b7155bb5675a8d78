import { BerthError } from '../lib/errors';
import type { ErrorKind } from '../../../src-shared/errors/error-kind';

/**
 * Why a registry operation failed, in the categories moby's pull loop decides fallback on
 * (distribution/errors.go `continueOnError`):
 * - `registry`: the registry answered with an OCI error body (`{"errors":[{"code":…}]}`);
 * - `unexpected-http`: a non-registry reply (HTML 5xx from a proxy, an odd status);
 * - `network`: connection refused/reset, DNS, TLS, timeouts, truncated bodies;
 * - `verification`: digest, size or diffID mismatch of what was received;
 * - `unsupported`: a media type or schema Berth refuses (schema1, foreign platform only…).
 */
export type RegistryErrorCategory = 'registry' | 'unexpected-http' | 'network' | 'verification' | 'unsupported';

export interface RegistryErrorDetail {
  code: string;
  message: string;
}

export class RegistryError extends BerthError {
  readonly category: RegistryErrorCategory;
  /** HTTP status when the failure was an HTTP reply. */
  readonly status?: number;
  /** OCI error codes (`MANIFEST_UNKNOWN`, `UNAUTHORIZED`, …) from the reply body. */
  readonly details: RegistryErrorDetail[];

  constructor(
    kind: ErrorKind,
    code: string,
    message: string,
    opts: { category: RegistryErrorCategory; status?: number; details?: RegistryErrorDetail[]; cause?: unknown },
  ) {
    super(kind, code, message, { cause: opts.cause });
    this.name = 'RegistryError';
    this.category = opts.category;
    this.status = opts.status;
    this.details = opts.details ?? [];
  }

  hasRegistryCode(...codes: string[]): boolean {
    return this.details.some((d) => codes.includes(d.code));
  }
}

/** The OCI error document of a registry reply body (`{"errors":[{"code","message"}]}`), or [] when it is not one. */
export function parseRegistryErrors(body: string): RegistryErrorDetail[] {
  try {
    const doc = JSON.parse(body) as { errors?: { code?: unknown; message?: unknown }[] };
    return Array.isArray(doc.errors) ? doc.errors.map((e) => ({ code: String(e.code ?? 'UNKNOWN'), message: String(e.message ?? '') })) : [];
  } catch {
    return [];
  }
}

/** moby's errcode text for a registry error: `BLOB_UNKNOWN` + message -> "blob unknown: blob unknown to registry". */
export function registryErrorText(d: RegistryErrorDetail): string {
  return `${d.code.toLowerCase().replace(/_/g, ' ')}: ${d.message}`;
}

export function isRegistryError(err: unknown): err is RegistryError {
  return err instanceof RegistryError;
}

export function networkError(url: string, cause: unknown): RegistryError {
  const msg = cause instanceof Error ? cause.message : String(cause);
  return new RegistryError('Unavailable', 'REGISTRY_UNREACHABLE', `${url}: ${describeNetworkCause(cause) ?? msg}`, { category: 'network', cause });
}

export function verificationError(code: string, message: string): RegistryError {
  return new RegistryError('InvalidArgument', code, message, { category: 'verification' });
}

export function unsupportedError(code: string, message: string): RegistryError {
  return new RegistryError('InvalidArgument', code, message, { category: 'unsupported' });
}

/** A short human reason for a Node network error ("connection refused"), as progress messages show it. */
export function describeNetworkCause(cause: unknown): string | undefined {
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String((cause as { code: unknown }).code) : undefined;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset by peer';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'no such host';
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return 'i/o timeout';
    case 'EHOSTUNREACH':
      return 'no route to host';
    case 'ENETUNREACH':
      return 'network is unreachable';
    case 'EPROTO':
      return 'TLS handshake failed';
    default:
      return undefined;
  }
}
