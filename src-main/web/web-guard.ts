/**
 * The checks web mode makes before it serves anything, as pure functions: a request target that
 * cannot be parsed is a 400 (never an exception that ends the process), the Host must be this
 * server's own loopback address, a WebSocket or state-changing request must come from this
 * server's own origin exactly (another local port is another origin: SameSite cookies are sent
 * across ports), and failed token offers are rate limited.
 */

export interface RequestTarget {
  /** Decoded path, always starting with "/". */
  path: string;
  query: URLSearchParams;
}

/**
 * Parses an origin-form request target (`/a/b?x=1`). Returns undefined for anything else: an
 * absolute or authority form, `//x`, `*`, malformed percent-escapes, NUL bytes, or a path whose
 * dot segments climb out of the root.
 */
export function parseRequestTarget(raw: string | undefined): RequestTarget | undefined {
  if (!raw || raw.length > 8192 || !raw.startsWith('/') || raw.startsWith('//')) return undefined;
  const q = raw.indexOf('?');
  const rawPath = q === -1 ? raw : raw.slice(0, q);
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return undefined;
  }
  if (path.includes('\0') || path.includes('\\')) return undefined;
  const parts: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') return undefined;
    parts.push(seg);
  }
  return { path: `/${parts.join('/')}${path.endsWith('/') && parts.length > 0 ? '/' : ''}`, query: new URLSearchParams(q === -1 ? '' : raw.slice(q + 1)) };
}

/** The origins this server is: its bound loopback address and `localhost`, on its own port. */
export function ownOrigins(host: '127.0.0.1' | '::1', port: number): string[] {
  return [`http://${host === '::1' ? '[::1]' : host}:${port}`, `http://localhost:${port}`];
}

/** The Host header names this server (DNS rebinding: a foreign name pointing at 127.0.0.1 is refused). */
export function isOwnHost(hostHeader: string | undefined, origins: readonly string[]): boolean {
  if (!hostHeader) return false;
  return origins.some((o) => o.slice('http://'.length) === hostHeader.toLowerCase());
}

/** Exact match: scheme, host and port. */
export function isOwnOrigin(originHeader: string | undefined, origins: readonly string[]): boolean {
  return originHeader !== undefined && origins.includes(originHeader.toLowerCase());
}

/** Methods that change nothing; web mode serves only these over HTTP (its API is the WebSocket). */
export const SAFE_METHODS = new Set(['GET', 'HEAD']);

/**
 * A fixed-window limit on failed token offers (all clients together: they are all loopback).
 * While the window is over its limit every token check fails with 429, so guessing stops paying.
 */
export class FailureLimiter {
  private windowStart = 0;
  private failures = 0;

  constructor(
    private readonly limit = 20,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  blocked(): boolean {
    this.roll();
    return this.failures >= this.limit;
  }

  fail(): void {
    this.roll();
    this.failures++;
  }

  private roll(): void {
    const t = this.now();
    if (t - this.windowStart >= this.windowMs) {
      this.windowStart = t;
      this.failures = 0;
    }
  }
}

/** Reads one cookie; tolerant of any header shape. */
export function readCookie(header: string | string[] | undefined, name: string): string | undefined {
  const text = Array.isArray(header) ? header.join(';') : (header ?? '');
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** The same target without `token`, for the redirect that takes it out of the address bar. */
export function withoutToken(target: RequestTarget, rawPath: string): string {
  const rest = new URLSearchParams(target.query);
  rest.delete('token');
  const qs = rest.toString();
  return `${rawPath}${qs ? `?${qs}` : ''}`;
}
