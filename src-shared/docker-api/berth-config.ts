/**
 * Wire types and schemas of Berth's configuration extension routes, served by berthd under
 * `/berth/v1/` (not part of the Docker Engine API). Berth's own routes use camelCase fields.
 *
 * The URL and host checks are pure functions so that the app can validate a mirrors form as the
 * user types and show the same message berthd would answer with.
 */
import * as z from 'zod';

export const BERTH_API_PREFIX = '/berth/v1';

/** GET /berth/v1/config/mirrors */
export interface MirrorsConfigResponse {
  /** Docker Hub mirrors in the order they are tried (normalised: origin only, no trailing slash). */
  registryMirrors: string[];
  /** Berth extension: mirrors per registry host, e.g. {"ghcr.io": ["http://127.0.0.1:5001"]}. */
  mirrors: Record<string, string[]>;
  insecureRegistries: string[];
  /** The daemon.json text as it is on disk ("{}\n" when no file exists yet). */
  raw: string;
  /** Keys that were accepted but have no effect in berthd (e.g. "log-driver"). */
  warnings: string[];
}

/** PUT /berth/v1/config/mirrors, structured form: replaces these keys, keeps every other key of the file. */
export const MirrorsConfigUpdateSchema = z
  .object({
    registryMirrors: z.array(z.string()),
    mirrors: z.record(z.string(), z.array(z.string())).optional(),
    insecureRegistries: z.array(z.string()).optional(),
  })
  .strict();
export type MirrorsConfigUpdate = z.infer<typeof MirrorsConfigUpdateSchema>;

/** PUT /berth/v1/config/mirrors and POST /berth/v1/config/validate, raw form: a whole daemon.json text. */
export const RawConfigUpdateSchema = z.object({ raw: z.string() }).strict();
export type RawConfigUpdate = z.infer<typeof RawConfigUpdateSchema>;

export const ConfigUpdateRequestSchema = z.union([RawConfigUpdateSchema, MirrorsConfigUpdateSchema]);
export type ConfigUpdateRequest = z.infer<typeof ConfigUpdateRequestSchema>;

/** Where in a daemon.json text a JSON syntax error sits (1-based line and column, 0-based offset). */
export interface JsonPosition {
  offset: number;
  line: number;
  column: number;
}

/**
 * POST /berth/v1/config/validate: a dry run of PUT. Always 200 when the request itself is well
 * formed; `valid` says whether the config would be accepted.
 */
export interface ConfigValidateResponse {
  valid: boolean;
  /** The message PUT would answer with (absent when valid). */
  message?: string;
  /** The offending key path, e.g. "registry-mirrors[1]" (absent for JSON syntax errors). */
  key?: string;
  /** Set for JSON syntax errors. */
  position?: JsonPosition;
  warnings: string[];
  /** The normalised mirror settings the config would produce (only when valid). */
  config?: Omit<MirrorsConfigResponse, 'raw' | 'warnings'>;
}

/** One row of GET /berth/v1/mirrors/health. */
export interface MirrorHealthDto {
  url: string;
  /** The registry this mirror stands in for: "docker.io" for registry-mirrors, else the host key. */
  registry: string;
  /** True when `<url>/v2/` answered as a registry does (200, or 401 asking for credentials). */
  reachable: boolean;
  /** Time to the response headers; null when nothing answered. */
  latencyMs: number | null;
  /** HTTP status of `GET <url>/v2/`; null when nothing answered. */
  status: number | null;
  error: string | null;
}

export interface MirrorsHealthResponse {
  checkedAt: string;
  mirrors: MirrorHealthDto[];
}

/**
 * dockerd's ValidateMirror rules (moby registry/config.go): http or https, no userinfo, no path,
 * query or fragment. Returns a message ending the sentence `"<url>" …`, or undefined when valid.
 */
export function mirrorUrlProblem(value: string): string | undefined {
  const shape = 'must be an http or https URL without path, query, fragment or credentials';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `is not a valid URL: it ${shape}`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return shape;
  if (url.username !== '' || url.password !== '') return `${shape} (credentials are not allowed in a mirror URL)`;
  if (url.search !== '' || url.hash !== '' || value.includes('?') || value.includes('#')) return `${shape} (remove the query or fragment)`;
  if (url.pathname !== '/' && url.pathname !== '') return `${shape} (remove the path "${url.pathname}")`;
  if (url.hostname === '') return shape;
  return undefined;
}

/** The canonical form of a valid mirror URL: scheme and host lower-cased, default port and trailing slash dropped. */
export function normaliseMirrorUrl(value: string): string {
  return new URL(value).origin;
}

const HOST_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/i;

/**
 * Checks a registry host as used in `insecure-registries` entries and `mirrors` keys:
 * `host[:port]`, an IPv4 address, or `[ipv6][:port]`. Returns a problem or undefined.
 */
export function registryHostProblem(value: string): string | undefined {
  if (value.includes('://')) return 'must be a host[:port] without a scheme';
  if (value.includes('/')) return 'must be a host[:port] without a path';
  let port: string | undefined;
  const v6 = /^\[([0-9a-f:.]+)\](?::(\d+))?$/i.exec(value);
  if (v6) {
    port = v6[2];
  } else {
    const colon = value.lastIndexOf(':');
    const host = colon >= 0 ? value.slice(0, colon) : value;
    if (colon >= 0) port = value.slice(colon + 1);
    if (host === '' || !host.split('.').every((label) => HOST_LABEL.test(label))) return 'must be a host[:port]';
  }
  if (port !== undefined && (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535)) return 'has an invalid port';
  return undefined;
}

/** Checks an `insecure-registries` entry: a registry host (see registryHostProblem) or an IP CIDR. */
export function insecureRegistryProblem(value: string): string | undefined {
  if (value.includes('/') && !value.includes('://')) return cidrProblem(value);
  return registryHostProblem(value);
}

function cidrProblem(value: string): string | undefined {
  const [ip, bits, ...rest] = value.split('/');
  if (rest.length > 0 || ip === undefined || bits === undefined || !/^\d{1,3}$/.test(bits)) return 'must be a host[:port] or a CIDR';
  const prefix = Number(bits);
  if (isIPv4(ip)) return prefix <= 32 ? undefined : 'has an invalid prefix length';
  if (ip.includes(':') && /^[0-9a-f:.]+$/i.test(ip)) return prefix <= 128 ? undefined : 'has an invalid prefix length';
  return 'must be a host[:port] or a CIDR';
}

function isIPv4(value: string): boolean {
  const parts = value.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}
