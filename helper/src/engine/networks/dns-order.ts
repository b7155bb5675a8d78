/**
 * The order in which the embedded DNS looks a name up in the networks of the asking container:
 * libnetwork's sandbox endpoint order (sandbox.go `epHeap.Less`), which puts internal networks
 * last and otherwise sorts by network name (berthd has no gateway-bridge network, no IPv6 and no
 * endpoint priorities, the rules before those). `ResolveName` then answers from the first network
 * that knows the name only: a service on two shared networks resolves to one address, not two.
 */
export interface DnsNetwork {
  id: string;
  name: string;
  internal?: boolean;
}

export function dnsNetworkOrder<T extends DnsNetwork>(networks: T[]): T[] {
  return [...networks].sort((a, b) => Number(a.internal ?? false) - Number(b.internal ?? false) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
