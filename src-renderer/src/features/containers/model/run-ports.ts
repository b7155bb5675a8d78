import type { PortPublishSpec } from '../../../../../src-shared/ipc/models/containers';

/**
 * `docker run -p` entries, one per line or comma-separated: `8080:80`, `127.0.0.1:8080:80/udp`,
 * `80` (a host port the engine picks), and equal-length ranges `8000-8001:80-81`. Returns the
 * ports, or the first problem in words.
 */
export function parsePorts(text: string): PortPublishSpec[] | string {
  const out: PortPublishSpec[] = [];
  for (const raw of text.split(/[,\n]/).map((p) => p.trim()).filter(Boolean)) {
    const [addr, protoText, extra] = raw.split('/');
    if (extra !== undefined || addr === undefined) return `"${raw}": expected [ip:][hostPort:]containerPort[/tcp|udp]`;
    const proto = (protoText ?? 'tcp').toLowerCase();
    if (proto !== 'tcp' && proto !== 'udp') return `"${raw}": the protocol is tcp or udp`;
    const parts = addr.split(':');
    if (parts.length > 3) return `"${raw}": IPv6 addresses are not supported here`;
    const [hostIp, hostText, containerText] = parts.length === 3 ? parts : parts.length === 2 ? ['', parts[0], parts[1]] : ['', '', parts[0]];
    if (hostIp !== '' && !/^\d{1,3}(\.\d{1,3}){3}$/.test(hostIp ?? '')) return `"${raw}": ${hostIp} is not an IPv4 address`;
    const container = range(containerText ?? '');
    if (!container) return `"${raw}": the container port is a number from 1 to 65535`;
    const host = hostText === '' ? null : range(hostText ?? '');
    if (hostText !== '' && !host) return `"${raw}": the host port is a number from 1 to 65535`;
    if (host && host[1] - host[0] !== container[1] - container[0]) return `"${raw}": the host and container ranges differ in length`;
    for (let i = 0; i <= container[1] - container[0]; i++) {
      out.push({ hostIp: hostIp ?? '', hostPort: host ? host[0] + i : 0, containerPort: container[0] + i, proto });
    }
  }
  return out;
}

function range(text: string): [number, number] | null {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text);
  if (!m) return null;
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  return lo >= 1 && hi <= 65535 && lo <= hi && hi - lo < 1000 ? [lo, hi] : null;
}

/** Fixed host ports the engine will try to bind (the ones worth checking before running). */
export function fixedHostPorts(ports: readonly PortPublishSpec[]): { port: number; proto: 'tcp' | 'udp'; ip: string }[] {
  const seen = new Set<string>();
  const out: { port: number; proto: 'tcp' | 'udp'; ip: string }[] = [];
  for (const p of ports) {
    if (p.hostPort === 0) continue;
    const key = `${p.hostIp}:${p.hostPort}/${p.proto}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ port: p.hostPort, proto: p.proto, ip: p.hostIp });
  }
  return out;
}

/** Host names for `--network-alias`, comma- or space-separated. */
export function parseAliases(text: string): string[] | string {
  const out = text.split(/[,\s]+/).filter(Boolean);
  const bad = out.find((a) => !/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(a));
  return bad === undefined ? out : `"${bad}" is not a host name`;
}
