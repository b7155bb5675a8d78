/**
 * The networks engine's persisted model (camelCase; api/dto maps it to Docker's shapes).
 *
 * A network is dockerd's: a driver (`bridge`, `host`, `null` for "none"), IPAM config, flags. An
 * endpoint is one container's attachment to one network: its wanted config (aliases, static IP,
 * MAC) lives as long as the attachment; its address is allocated while the container runs (as in
 * dockerd, an IP without `--ip` may change across a stop/start).
 */
export type NetworkDriver = 'bridge' | 'host' | 'null';

export interface IpamPool {
  subnet: string;
  gateway: string;
  ipRange?: string;
}

export interface NetworkRecord {
  id: string;
  name: string;
  driver: NetworkDriver;
  created: string;
  internal: boolean;
  attachable: boolean;
  /** `bridge` for the default bridge, `host`, `none`: networks that cannot be removed. */
  predefined: boolean;
  labels: Record<string, string>;
  options: Record<string, string>;
  /** One IPv4 pool (bridge driver only); `userSubnet` says whether the user chose it (IPAM.Config). */
  ipam: IpamPool[];
  userSubnet: boolean;
  /** Linux bridge device (bridge driver). */
  bridge?: string;
}

export interface EndpointRecord {
  networkId: string;
  containerId: string;
  /** Container name without the leading "/", kept current on rename by the engine. */
  containerName: string;
  endpointId: string;
  aliases: string[];
  /** `--ip` (IPAMConfig.IPv4Address). */
  staticIp?: string;
  /** `--mac-address`. */
  staticMac?: string;
  /** While the container runs: its address and devices. */
  ipv4?: string;
  mac?: string;
  hostVeth?: string;
  ifName?: string;
}

/** A published port in force (the container runs): kept so a restarted berthd rebuilds its rules. */
export interface PortMappingRecord {
  containerId: string;
  proto: 'tcp' | 'udp';
  /** '' for every local address of the family. */
  hostIp: string;
  hostPort: number;
  containerPort: number;
  /** 6: the IPv6 side, served by berthd's proxy (ipv6-proxy.ts); absent: IPv4, by kernel DNAT. */
  family?: 6;
}

/** What networks.json holds. */
export interface NetworkState {
  networks: NetworkRecord[];
  endpoints: EndpointRecord[];
  /** Absent in files written before published ports. */
  ports?: PortMappingRecord[];
}

/** An endpoint as other modules (embedded DNS, the app) see it. */
export interface EndpointView {
  networkId: string;
  networkName: string;
  containerId: string;
  containerName: string;
  endpointId: string;
  aliases: string[];
  /** `--ip`, when the user chose one. */
  staticIp?: string;
  /** Empty while the container is not running. */
  ipv4: string;
  prefixLen: number;
  gateway: string;
  mac: string;
}
