/**
 * Published ports as the Engine API states them (HostConfig.PortBindings, PublishAllPorts, the
 * config's and image's ExposedPorts) and as berthd applies them: which container ports go to
 * which host address and port range. Pure; the network engine allocates and reserves the ports.
 */
import { isIPv6 } from 'node:net';
import { invalidArgument } from '../../lib/errors';

export type PortProto = 'tcp' | 'udp';

/** `HostConfig.PortBindings` as stored: `{"80/tcp": [{hostIp: "", hostPort: "8080"}]}`. */
export type PortBindings = Record<string, { hostIp: string; hostPort: string }[]>;

/** One binding to make at start: a container port to a host port in [first, last] (0,0: any free port). */
export interface PortRequest {
  proto: PortProto;
  containerPort: number;
  /** '': every local address (IPv4, and IPv6 where the host has it); `::` or an IPv6 address: IPv6 only. */
  hostIp: string;
  first: number;
  last: number;
}

/** A binding in force while the container runs. */
export interface PublishedPort {
  proto: PortProto;
  containerPort: number;
  hostIp: string;
  hostPort: number;
}

const bad = (msg: string): never => {
  throw invalidArgument('INVALID_PORT_SPEC', msg);
};

/** `80/tcp` (or `80`, tcp) -> port and protocol; sctp and others are refused by name. */
export function parsePortKey(key: string): { proto: PortProto; port: number; last: number } {
  const m = /^(\d+)(?:-(\d+))?(?:\/(\w+))?$/.exec(key);
  if (!m) return bad(`invalid port specification: "${key}"`);
  const proto = (m[3] ?? 'tcp').toLowerCase();
  if (proto === 'sctp') return bad(`${key}: SCTP port publishing is not supported by berthd (tcp, udp)`);
  if (proto !== 'tcp' && proto !== 'udp') return bad(`invalid proto: ${proto}`);
  const port = Number(m[1]);
  const last = m[2] !== undefined ? Number(m[2]) : port;
  if (port < 1 || port > 65535 || last < port || last > 65535) return bad(`invalid port specification: "${key}"`);
  return { proto, port, last };
}

function parseHostPort(hostPort: string, key: string): { first: number; last: number } {
  if (hostPort === '') return { first: 0, last: 0 };
  const m = /^(\d+)(?:-(\d+))?$/.exec(hostPort);
  if (!m) return bad(`invalid hostPort: ${hostPort}`);
  const first = Number(m[1]);
  const last = m[2] !== undefined ? Number(m[2]) : first;
  if (first < 1 || first > 65535 || last < first || last > 65535) return bad(`invalid hostPort: ${hostPort} (for ${key})`);
  return { first, last };
}

function checkHostIp(ip: string): string {
  if (ip === '' || ip === '0.0.0.0') return '';
  if (ip.includes(':')) {
    const bare = ip.replace(/^\[(.*)\]$/, '$1');
    return isIPv6(bare) ? bare : bad(`invalid IP address: ${ip}`);
  }
  const parts = ip.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return bad(`invalid IP address: ${ip}`);
  return ip;
}

/** Create-time normalisation of PortBindings (as posted; an invalid spec is a 400 before anything is made). */
export function normalizeBindings(raw: Record<string, { HostIp?: string | null; HostPort?: string | null }[] | null> | null | undefined): PortBindings {
  const out: PortBindings = {};
  for (const [key, list] of Object.entries(raw ?? {})) {
    const { proto, port, last } = parsePortKey(key);
    if (last !== port) bad(`invalid port specification: "${key}": use one binding per container port`);
    const entries = (list ?? []).map((b) => ({ hostIp: checkHostIp(b.HostIp ?? ''), hostPort: b.HostPort ?? '' }));
    for (const e of entries) parseHostPort(e.hostPort, key);
    out[`${port}/${proto}`] = entries.length > 0 ? entries : [{ hostIp: '', hostPort: '' }];
  }
  return out;
}

/**
 * What to publish at start (moby's nat.ParsePortSpecs + PublishAllPorts): every PortBindings
 * entry, then, with publishAll, every exposed port not bound yet gets a random host port.
 */
export function portRequests(bindings: PortBindings, publishAll: boolean, exposed: Record<string, unknown> | undefined): PortRequest[] {
  const reqs: PortRequest[] = [];
  for (const [key, list] of Object.entries(bindings)) {
    const { proto, port } = parsePortKey(key);
    for (const b of list) reqs.push({ proto, containerPort: port, hostIp: b.hostIp, ...parseHostPort(b.hostPort, key) });
  }
  if (publishAll) {
    for (const key of Object.keys(exposed ?? {})) {
      let parsed: { proto: PortProto; port: number; last: number };
      try {
        parsed = parsePortKey(key);
      } catch {
        continue; // an image's sctp port: not published, as nothing can reach it here
      }
      for (let p = parsed.port; p <= parsed.last; p++) {
        if (bindings[`${p}/${parsed.proto}`] === undefined) reqs.push({ proto: parsed.proto, containerPort: p, hostIp: '', first: 0, last: 0 });
      }
    }
  }
  return reqs;
}

/** The container ports a container exposes or binds, as `port/proto` keys (inspect's NetworkSettings.Ports keys). */
export function portKeys(bindings: PortBindings, exposed: Record<string, unknown> | undefined): string[] {
  const keys = new Set<string>(Object.keys(bindings));
  for (const k of Object.keys(exposed ?? {})) {
    try {
      const { proto, port, last } = parsePortKey(k);
      for (let p = port; p <= last; p++) keys.add(`${p}/${proto}`);
    } catch {
      keys.add(k);
    }
  }
  return [...keys];
}
