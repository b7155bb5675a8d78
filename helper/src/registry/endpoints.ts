import { isIP } from 'node:net';
import type { DaemonConfig } from '../config/daemon-config';
import { invalidArgument } from '../lib/errors';
import { DOCKER_HUB_DOMAIN } from './reference';
import { isRegistryError } from './errors';

/** Docker Hub's real registry host; `docker.io` is only the name users see. */
export const DOCKER_HUB_REGISTRY_URL = 'https://registry-1.docker.io';

/**
 * One place a pull may be served from. `url` is `scheme://host[:port]` with no path; requests go
 * to `${url}/v2/…` with the upstream repository path unchanged (Docker sends mirrors the same paths
 * it sends Hub). `mirror` decides the fallback rules (`shouldFallback`).
 */
export interface RegistryEndpoint {
  url: string;
  mirror: boolean;
  /** TLS without certificate verification (an https endpoint listed in insecure-registries). */
  skipTlsVerify: boolean;
}

type EndpointConfig = Pick<DaemonConfig, 'registryMirrors' | 'mirrors' | 'insecureRegistries'>;

/**
 * Checks a mirror URL the way dockerd's `ValidateMirror` does: http or https, a host, and no path,
 * query, fragment or userinfo. Returns it without a trailing slash. Throws InvalidArgument.
 */
export function normalizeMirrorUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw invalidArgument('INVALID_MIRROR', `invalid mirror: ${JSON.stringify(raw)} is not a valid URI`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw invalidArgument('INVALID_MIRROR', `invalid mirror: unsupported scheme ${JSON.stringify(u.protocol.replace(/:$/, ''))} in ${JSON.stringify(raw)}`);
  if (u.username !== '' || u.password !== '') throw invalidArgument('INVALID_MIRROR', `invalid mirror: username/password not allowed in URI ${JSON.stringify(raw)}`);
  if ((u.pathname !== '/' && u.pathname !== '') || u.search !== '' || u.hash !== '' || /[?#]/.test(raw)) {
    throw invalidArgument('INVALID_MIRROR', `invalid mirror: path, query, or fragment at end of the URI ${JSON.stringify(raw)}`);
  }
  if (u.hostname === '') throw invalidArgument('INVALID_MIRROR', `invalid mirror: no host in ${JSON.stringify(raw)}`);
  return `${u.protocol}//${u.host}`;
}

function hostOnly(hostPort: string): string {
  if (hostPort.startsWith('[')) return hostPort.slice(1, hostPort.indexOf(']'));
  const i = hostPort.lastIndexOf(':');
  return i === -1 || hostPort.indexOf(':') !== i ? hostPort : hostPort.slice(0, i);
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => (acc << 8) + Number(part), 0) >>> 0;
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsRaw] = cidr.split('/');
  if (base === undefined || bitsRaw === undefined || isIP(base) !== 4 || isIP(ip) !== 4) return false;
  const bits = Number(bitsRaw);
  if (!Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (ipv4ToInt(ip) & mask) === (ipv4ToInt(base) & mask);
}

/** Loopback registries are plain HTTP, as dockerd's default insecure CIDR 127.0.0.0/8 makes them. */
export function isLoopbackHost(hostPort: string): boolean {
  const host = hostOnly(hostPort);
  return host === 'localhost' || host === '::1' || (isIP(host) === 4 && inCidr(host, '127.0.0.0/8'));
}

/** `insecure-registries` entries are `host[:port]` or IPv4 CIDRs (matched against a literal IP host). */
export function isInsecureRegistry(hostPort: string, insecureRegistries: string[]): boolean {
  if (isLoopbackHost(hostPort)) return true;
  const host = hostOnly(hostPort);
  return insecureRegistries.some((entry) => {
    const e = entry.replace(/^https?:\/\//, '').replace(/\/$/, '');
    if (e.includes('/')) return inCidr(host, e);
    return e === hostPort || e === host;
  });
}

/** Base URL of a registry host itself: http for loopback and insecure registries, https otherwise. */
export function registryUrl(domain: string, cfg: Pick<DaemonConfig, 'insecureRegistries'>): RegistryEndpoint {
  if (domain === DOCKER_HUB_DOMAIN) return { url: DOCKER_HUB_REGISTRY_URL, mirror: false, skipTlsVerify: false };
  const insecure = isInsecureRegistry(domain, cfg.insecureRegistries);
  return { url: `${insecure ? 'http' : 'https'}://${domain}`, mirror: false, skipTlsVerify: false };
}

function mirrorEndpoint(raw: string, cfg: EndpointConfig): RegistryEndpoint {
  const url = normalizeMirrorUrl(raw);
  const host = new URL(url).host;
  return { url, mirror: true, skipTlsVerify: url.startsWith('https:') && isInsecureRegistry(host, cfg.insecureRegistries) };
}

/**
 * Where a pull of `domain` is tried, in order (moby `lookupV2Endpoints` with mirrors): for Docker
 * Hub, `registry-mirrors` then Berth's `mirrors["docker.io"]`; for any other host, Berth's
 * `mirrors[host]`; the upstream registry itself last. Duplicates are dropped. Push never uses
 * mirrors (use `registryUrl`).
 */
export function pullEndpoints(domain: string, cfg: EndpointConfig): RegistryEndpoint[] {
  const raw = domain === DOCKER_HUB_DOMAIN ? [...cfg.registryMirrors, ...(cfg.mirrors[DOCKER_HUB_DOMAIN] ?? []), ...(cfg.mirrors['index.docker.io'] ?? [])] : (cfg.mirrors[domain] ?? []);
  const out: RegistryEndpoint[] = [];
  const seen = new Set<string>();
  for (const m of raw) {
    const ep = mirrorEndpoint(m, cfg);
    if (seen.has(ep.url)) continue;
    seen.add(ep.url);
    out.push(ep);
  }
  const upstream = registryUrl(domain, cfg);
  if (!seen.has(upstream.url)) out.push(upstream);
  return out;
}

/**
 * Whether a failed pull attempt should move on to the next endpoint (moby `continueOnError`):
 * network errors, non-registry HTTP replies and verification failures always; OCI registry errors
 * (UNAUTHORIZED, MANIFEST_UNKNOWN, TOOMANYREQUESTS…) only when the endpoint is a mirror; an
 * unsupported media type never (another endpoint would serve the same manifest).
 */
export function shouldFallback(err: unknown, endpoint: RegistryEndpoint): boolean {
  if (!isRegistryError(err)) return !(err instanceof Error && /no such process|ESRCH/i.test(err.message)) && !isAbort(err);
  switch (err.category) {
    case 'registry':
      return endpoint.mirror;
    case 'unexpected-http':
    case 'network':
    case 'verification':
      return true;
    case 'unsupported':
      return false;
  }
}

function isAbort(err: unknown): boolean {
  return err instanceof Error && (err.name === 'AbortError' || (err as { code?: unknown }).code === 'ABORT_ERR');
}

/** A one-line reason an endpoint was skipped, for the pull progress stream. */
export function skipReason(err: unknown): string {
  if (isRegistryError(err)) {
    if (err.category === 'network') return err.message.replace(/^\S+: /, '');
    return err.message;
  }
  return err instanceof Error ? err.message : String(err);
}
