import type { NetworkDto } from '../../src-shared/docker-api/networks';
import type { PruneResultView } from '../../src-shared/ipc/models/containers';
import type { NetworkCreateArgs, NetworkView, PortCheckView } from '../../src-shared/ipc/models/networks';
import { networkClient } from '../engine-client/network-client';
import type { HostsService } from './hosts-service';

const PREDEFINED = new Set(['bridge', 'host', 'none']);

export function toNetworkView(n: NetworkDto): NetworkView {
  return {
    id: n.Id,
    name: n.Name,
    driver: n.Driver,
    predefined: PREDEFINED.has(n.Name),
    internal: n.Internal,
    attachable: n.Attachable,
    created: Date.parse(n.Created) || 0,
    subnets: (n.IPAM?.Config ?? []).map((c) => ({ subnet: c.Subnet ?? '', gateway: c.Gateway ?? '', ipRange: c.IPRange ?? '' })),
    labels: n.Labels ?? {},
    options: n.Options ?? {},
    endpoints: Object.entries(n.Containers ?? {})
      .map(([id, e]) => ({ containerId: id, containerName: e.Name, ipv4: (e.IPv4Address ?? '').replace(/\/\d+$/, ''), mac: e.MacAddress ?? '' }))
      .sort((a, b) => a.containerName.localeCompare(b.containerName)),
  };
}

/** Predefined networks first (as `docker network ls` users look for them), then by name. */
function byKindThenName(a: NetworkView, b: NetworkView): number {
  return Number(b.predefined) - Number(a.predefined) || a.name.localeCompare(b.name);
}

/** Networks of a host: list with attached containers, create, remove, prune; and the run dialog's port check. */
export class NetworksService {
  constructor(private readonly hosts: HostsService) {}

  async list(hostId: string): Promise<NetworkView[]> {
    const client = this.hosts.client(hostId);
    const list = await networkClient.list(client);
    // The list leaves Containers empty on dockerd; inspect names them. A network removed in between is skipped.
    const full = await Promise.all(list.map((n) => networkClient.inspect(client, n.Id).catch(() => null)));
    return full.filter((n): n is NetworkDto => n !== null).map(toNetworkView).sort(byKindThenName);
  }

  async create(args: NetworkCreateArgs): Promise<NetworkView> {
    const client = this.hosts.client(args.hostId);
    const config = args.subnet || args.gateway || args.ipRange ? [{ ...(args.subnet ? { Subnet: args.subnet } : {}), ...(args.gateway ? { Gateway: args.gateway } : {}), ...(args.ipRange ? { IPRange: args.ipRange } : {}) }] : [];
    const r = await networkClient.create(client, {
      Name: args.name,
      CheckDuplicate: true,
      Driver: args.driver ?? 'bridge',
      Internal: args.internal ?? false,
      Attachable: false,
      IPAM: { Driver: 'default', Config: config },
      Labels: args.labels ?? {},
    });
    return toNetworkView(await networkClient.inspect(client, r.Id));
  }

  remove(hostId: string, id: string): Promise<void> {
    return networkClient.remove(this.hosts.client(hostId), id);
  }

  async prune(hostId: string): Promise<PruneResultView> {
    const r = await networkClient.prune(this.hosts.client(hostId));
    return { deleted: r.NetworksDeleted ?? [], spaceReclaimed: 0 };
  }

  /**
   * Whether each host port can be published now. On Berth the engine tries the port itself (so a
   * host process holding it is seen too); elsewhere only other containers' published ports are known.
   */
  async checkPorts(hostId: string, ports: { port: number; proto: 'tcp' | 'udp'; ip: string }[]): Promise<PortCheckView[]> {
    const client = this.hosts.client(hostId);
    let containers: Awaited<ReturnType<typeof client.listContainers>> | null = null;
    const out: PortCheckView[] = [];
    for (const p of ports) {
      const berth = await networkClient.checkPort(client, p.port, p.proto, p.ip);
      if (berth) {
        out.push({ port: p.port, proto: p.proto, available: berth.Available, ...(berth.Available ? {} : { holder: berth.ContainerName ? `container ${berth.ContainerName}` : berth.ContainerId ? `container ${berth.ContainerId.slice(0, 12)}` : 'another process on the host' }) });
        continue;
      }
      containers ??= await client.listContainers({ all: false });
      const holder = containers.find((c) => (c.Ports ?? []).some((x) => (x as { PublicPort?: number; Type?: string }).PublicPort === p.port && ((x as { Type?: string }).Type ?? 'tcp') === p.proto));
      out.push({ port: p.port, proto: p.proto, available: holder === undefined, ...(holder ? { holder: `container ${(holder.Names[0] ?? holder.Id).replace(/^\//, '')}` } : {}) });
    }
    return out;
  }
}
