import { request as httpRequest, type ClientRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { errnoCode } from '../lib/errors';
import type { DaemonConfig } from './daemon-config';

/** A mirror to probe and the registry it stands in for ("docker.io" for registry-mirrors). */
export interface MirrorTarget {
  url: string;
  registry: string;
}

/** The outcome of one `GET <mirror>/v2/`. */
export interface MirrorHealth extends MirrorTarget {
  reachable: boolean;
  latencyMs: number | null;
  status: number | null;
  error: string | null;
}

export interface ProbeOptions {
  timeoutMs: number;
  /** Skip TLS verification (insecure-registries and loopback, as dockerd does). */
  insecure: boolean;
}

export const DEFAULT_PROBE_TIMEOUT_MS = 3000;

/** Every mirror of the config in the order pulls try them: Docker Hub's first, then per registry. */
export function mirrorTargets(config: DaemonConfig): MirrorTarget[] {
  const targets: MirrorTarget[] = config.registryMirrors.map((url) => ({ url, registry: 'docker.io' }));
  for (const [registry, urls] of Object.entries(config.mirrors)) {
    for (const url of urls) targets.push({ url, registry });
  }
  return targets;
}

/** Probes all mirrors of `config` in parallel; the whole check takes about one timeout at most. */
export function checkMirrors(config: DaemonConfig, timeoutMs = DEFAULT_PROBE_TIMEOUT_MS): Promise<MirrorHealth[]> {
  return Promise.all(
    mirrorTargets(config).map((target) => probeMirror(target, { timeoutMs, insecure: isInsecureHost(new URL(target.url).host, config.insecureRegistries) })),
  );
}

/**
 * `GET <url>/v2/`, the registry API version check. A registry answers 200, or 401 when it wants
 * credentials: both mean "a registry is there". Anything else that answers (404 from a web
 * server, 502 from a proxy) is reported with its status but not as reachable, because a pull
 * through it would fail. Latency is the time to the response headers on a fresh connection.
 */
export function probeMirror(target: MirrorTarget, opts: ProbeOptions): Promise<MirrorHealth> {
  return new Promise((resolve) => {
    const url = new URL('/v2/', target.url);
    const started = performance.now();
    const finish = (outcome: Omit<MirrorHealth, 'url' | 'registry'>): void => {
      clearTimeout(timer);
      resolve({ ...target, ...outcome });
    };
    const onResponse = (res: IncomingMessage): void => {
      const latencyMs = Math.round((performance.now() - started) * 10) / 10;
      const status = res.statusCode ?? 0;
      res.resume();
      req.destroy();
      const registry = status === 200 || status === 401;
      finish({ reachable: registry, latencyMs, status, error: registry ? null : `unexpected status ${status} from ${url.href} (not a registry v2 endpoint?)` });
    };
    const options = { method: 'GET', agent: false as const, headers: { 'User-Agent': 'berthd-mirror-health' } };
    let req: ClientRequest;
    if (url.protocol === 'https:') req = httpsRequest(url, { ...options, rejectUnauthorized: !opts.insecure }, onResponse);
    else req = httpRequest(url, options, onResponse);
    const timer = setTimeout(() => req.destroy(new ProbeTimeout(opts.timeoutMs)), opts.timeoutMs);
    req.on('error', (err) => finish({ reachable: false, latencyMs: null, status: null, error: describeError(err) }));
    req.end();
  });
}

class ProbeTimeout extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
  }
}

function describeError(err: Error): string {
  if (err instanceof ProbeTimeout) return err.message;
  switch (errnoCode(err)) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'host not found';
    case 'ECONNRESET':
      return 'connection reset';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    default:
      return err.message;
  }
}

/**
 * dockerd's rule for skipping TLS verification: the host is listed in insecure-registries (as
 * host[:port] or inside a listed CIDR), or it is a loopback address.
 */
export function isInsecureHost(host: string, insecureRegistries: string[]): boolean {
  const hostname = host.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (hostname === 'localhost' || hostname === '::1' || (isIP(hostname) === 4 && hostname.startsWith('127.'))) return true;
  for (const entry of insecureRegistries) {
    if (entry === host.toLowerCase() || entry === hostname) return true;
    if (entry.includes('/') && isIP(hostname) === 4 && ipv4InCidr(hostname, entry)) return true;
  }
  return false;
}

function ipv4InCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  if (base === undefined || bits === undefined || isIP(base) !== 4) return false;
  const prefix = Number(bits);
  const toInt = (a: string): number => a.split('.').reduce((n, part) => n * 256 + Number(part), 0);
  // Integer division instead of bit masks: JS bit operators are signed 32-bit.
  const block = 2 ** (32 - Math.min(32, Math.max(0, prefix)));
  return Math.floor(toInt(ip) / block) === Math.floor(toInt(base) / block);
}
