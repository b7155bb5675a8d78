import type { NetworkMode } from '../runtime';

/** dockerd's /etc/hostname content. */
export function hostnameFile(hostname: string): string {
  return `${hostname}\n`;
}

const DEFAULT_HOSTS = [
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  'ff00::0\tip6-mcastprefix',
  'ff02::1\tip6-allnodes',
  'ff02::2\tip6-allrouters',
];

/**
 * /etc/hosts as dockerd writes it. With `host` networking the host's file is used as is (plus extra
 * hosts); otherwise the standard loopback entries (a `none` container has no address to name).
 * `self` is the container's own addresses and names (bridge networks): one line per address, as
 * libnetwork adds one for each network the container joins.
 * `extraHosts` entries are "name:ip" (HostConfig.ExtraHosts; the IP may itself contain colons).
 */
export function hostsFile(opts: { network: NetworkMode; hostHosts?: string; extraHosts?: readonly string[]; self?: { ips: readonly string[]; names: readonly string[] } }): string {
  const lines = opts.network === 'host' && opts.hostHosts !== undefined ? [opts.hostHosts.replace(/\n+$/, '')] : [...DEFAULT_HOSTS];
  for (const entry of opts.extraHosts ?? []) {
    const colon = entry.indexOf(':');
    if (colon <= 0) continue;
    lines.push(`${entry.slice(colon + 1)}\t${entry.slice(0, colon)}`);
  }
  // dockerd: the container's own address and name last (libnetwork sandbox buildHostsFile).
  for (const ip of opts.self?.ips ?? []) lines.push(`${ip}\t${opts.self!.names.join(' ')}`);
  return `${lines.join('\n')}\n`;
}

const DEFAULT_NAMESERVERS = ['nameserver 8.8.8.8', 'nameserver 8.8.4.4'];

/**
 * /etc/resolv.conf from the host's (moby libnetwork/resolvconf): as is with `host` networking;
 * otherwise without loopback nameservers (unreachable from another netns), falling back to
 * dockerd's public defaults when none remain.
 */
export function resolvConfFile(opts: { network: NetworkMode; hostResolvConf: string }): string {
  if (opts.network === 'host') return opts.hostResolvConf.endsWith('\n') ? opts.hostResolvConf : `${opts.hostResolvConf}\n`;
  const lines = opts.hostResolvConf.split('\n').filter((line) => {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    return !m || !(m[1]!.startsWith('127.') || m[1] === '::1' || m[1] === '0.0.0.0');
  });
  while (lines.length && lines[lines.length - 1]!.trim() === '') lines.pop();
  if (!lines.some((l) => /^\s*nameserver\s/.test(l))) lines.push(...DEFAULT_NAMESERVERS);
  return `${lines.join('\n')}\n`;
}

/** The nameserver addresses of a resolv.conf (the embedded DNS's upstreams; loopback ones included). */
export function hostNameservers(resolvConf: string): string[] {
  const out: string[] = [];
  for (const line of resolvConf.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (m) out.push(m[1]!);
  }
  return out;
}

/**
 * A bridge container's /etc/resolv.conf, as dockerd writes it at start (libnetwork sandbox_dns):
 * with the embedded DNS its one nameserver is that server and `ndots:0` is set (names of other
 * containers are single labels); otherwise `--dns` or the host's non-loopback servers. `--dns-search`
 * and `--dns-option` replace the host's search and options lines.
 */
export function containerResolvConf(opts: { hostResolvConf: string; embedded?: string; dns: readonly string[]; dnsSearch: readonly string[]; dnsOptions: readonly string[] }): string {
  const host = opts.hostResolvConf.split('\n');
  const hostSearch = host.filter((l) => /^\s*(search|domain)\s/.test(l)).map((l) => l.trim().split(/\s+/).slice(1)).flat();
  const hostOptions = host.filter((l) => /^\s*options\s/.test(l)).map((l) => l.trim().split(/\s+/).slice(1)).flat();
  const servers = opts.embedded !== undefined
    ? [opts.embedded]
    : opts.dns.length > 0
      ? [...opts.dns]
      : hostNameservers(opts.hostResolvConf).filter((ip) => !(ip.startsWith('127.') || ip === '::1' || ip === '0.0.0.0'));
  const lines = (servers.length > 0 ? servers : ['8.8.8.8', '8.8.4.4']).map((ip) => `nameserver ${ip}`);
  const search = opts.dnsSearch.length > 0 ? opts.dnsSearch.filter((d) => d !== '.') : hostSearch;
  if (search.length > 0) lines.push(`search ${search.join(' ')}`);
  const options = opts.dnsOptions.length > 0 ? [...opts.dnsOptions] : hostOptions;
  if (opts.embedded !== undefined && !options.some((o) => o.startsWith('ndots:'))) options.unshift('ndots:0');
  if (options.length > 0) lines.push(`options ${options.join(' ')}`);
  return `${lines.join('\n')}\n`;
}
