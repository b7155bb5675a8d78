/** Network view models (camelCase), built in main from the Engine API DTOs. */

export interface NetworkEndpointView {
  containerId: string;
  containerName: string;
  /** `172.18.0.2` (no prefix length); empty when the engine gave none. */
  ipv4: string;
  mac: string;
}

export interface NetworkView {
  id: string;
  name: string;
  driver: string;
  /** `bridge`, `host` and `none`: made by the engine, never removable. */
  predefined: boolean;
  internal: boolean;
  attachable: boolean;
  /** Epoch ms; 0 when unknown. */
  created: number;
  /** One entry per IPAM config: `172.18.0.0/16`, gateway `172.18.0.1`. */
  subnets: { subnet: string; gateway: string; ipRange: string }[];
  labels: Record<string, string>;
  options: Record<string, string>;
  /** Containers attached (running or not, as the engine reports them). */
  endpoints: NetworkEndpointView[];
}

export interface NetworkCreateArgs {
  hostId: string;
  name: string;
  /** `bridge` (default). */
  driver?: string;
  subnet?: string;
  gateway?: string;
  ipRange?: string;
  /** No outbound NAT and no route out. */
  internal?: boolean;
  labels?: Record<string, string>;
}

/** One address of a container, per network it is attached to (the details view's Addresses). */
export interface ContainerAddressView {
  network: string;
  ipv4: string;
  /** Prefix length of the network's subnet, 0 when unknown. */
  prefixLen: number;
  gateway: string;
  mac: string;
  aliases: string[];
}

/** Whether a host port can be published right now (`ports:check`). */
export interface PortCheckView {
  port: number;
  proto: 'tcp' | 'udp';
  available: boolean;
  /** Who holds it: `container web` or `another process on the host`. */
  holder?: string;
}

/** A local address that reaches a published port of a remote host (`ports:open`). */
export interface PortTunnelView {
  hostId: string;
  remotePort: number;
  /** `http://127.0.0.1:<local>/`. */
  url: string;
}
