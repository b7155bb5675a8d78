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
 * `self` is the container's own address and names (bridge networks).
 * `extraHosts` entries are "name:ip" (HostConfig.ExtraHosts; the IP may itself contain colons).
 */
export function hostsFile(opts: { network: NetworkMode; hostHosts?: string; extraHosts?: readonly string[]; self?: { ip: string; names: readonly string[] } }): string {
  const lines = opts.network === 'host' && opts.hostHosts !== undefined ? [opts.hostHosts.replace(/\n+$/, '')] : [...DEFAULT_HOSTS];
  for (const entry of opts.extraHosts ?? []) {
    const colon = entry.indexOf(':');
    if (colon <= 0) continue;
    lines.push(`${entry.slice(colon + 1)}\t${entry.slice(0, colon)}`);
  }
  // dockerd: the container's own address and name last (libnetwork sandbox buildHostsFile).
  if (opts.self) lines.push(`${opts.self.ip}\t${opts.self.names.join(' ')}`);
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
