/**
 * berthd's nftables table, generated whole from the networks and published ports and
 * swapped in one transaction: restarting berthd rebuilds the same table instead of appending, and
 * no rule outside `table ip berth` is ever read or written.
 *
 * As dockerd: traffic leaving a non-internal network for anywhere but its own bridge is
 * masqueraded; an internal network neither reaches nor is reached by any other interface; two
 * bridge networks do not forward to each other (inter-network isolation).
 */
export interface NftNetwork {
  bridge: string;
  subnet: string;
  internal: boolean;
}

export interface NftPort {
  proto: 'tcp' | 'udp';
  /** '' or 0.0.0.0: any local address. */
  hostIp: string;
  hostPort: number;
  containerIp: string;
  containerPort: number;
}

const q = (s: string): string => JSON.stringify(s);

/** The table, or null when no network needs rules (the table is then removed). */
export function buildRuleset(networks: readonly NftNetwork[], ports: readonly NftPort[] = []): string | null {
  if (networks.length === 0) return null;
  const nat: string[] = [];
  const forward: string[] = [];
  const dnat: string[] = [];
  for (const n of networks) {
    if (n.internal) {
      forward.push(`iifname ${q(n.bridge)} oifname != ${q(n.bridge)} drop`, `oifname ${q(n.bridge)} iifname != ${q(n.bridge)} drop`);
      continue;
    }
    nat.push(`ip saddr ${n.subnet} oifname != ${q(n.bridge)} masquerade`);
    // A published port reached from this host's loopback (route_localnet) or from a container of
    // the same bridge (hairpin): the reply must come back through us, so the source becomes ours.
    nat.push(`oifname ${q(n.bridge)} ip saddr 127.0.0.0/8 masquerade`, `oifname ${q(n.bridge)} iifname ${q(n.bridge)} ct status dnat masquerade`);
    for (const other of networks) {
      if (other !== n && !other.internal) forward.push(`iifname ${q(n.bridge)} oifname ${q(other.bridge)} drop`);
    }
  }
  for (const p of ports) {
    const match = p.hostIp === '' || p.hostIp === '0.0.0.0' ? 'fib daddr type local' : `ip daddr ${p.hostIp}`;
    dnat.push(`${match} ${p.proto} dport ${p.hostPort} dnat to ${p.containerIp}:${p.containerPort}`);
  }
  return [
    'table ip berth {',
    '  chain prerouting {',
    '    type nat hook prerouting priority dstnat; policy accept;',
    ...dnat.map((r) => `    ${r}`),
    '  }',
    // Locally generated connections (to 127.0.0.1 or any of this host's addresses) meet the output hook, not prerouting.
    '  chain output {',
    '    type nat hook output priority -100; policy accept;',
    ...dnat.map((r) => `    ${r}`),
    '  }',
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    ...nat.map((r) => `    ${r}`),
    '  }',
    '  chain forward {',
    '    type filter hook forward priority filter; policy accept;',
    ...forward.map((r) => `    ${r}`),
    '  }',
    '}',
    '',
  ].join('\n');
}
