import { NetworkConnectRequestSchema, NetworkCreateRequestSchema, NetworkDisconnectRequestSchema, type BerthPortCheckResponse, type NetworkCreateResponse, type NetworkPruneResponse } from '../../../../src-shared/docker-api/networks';
import type { NetworkService } from '../../engine/networks/network-service';
import { invalidArgument, unavailable } from '../../lib/errors';
import { toNetworkCreateInput, toNetworkDto } from '../dto/networks-dto';
import { queryFilters, readJson, sendEmpty, sendJson } from '../http';
import type { Route } from '../router';

export type NetworkBackend = Pick<NetworkService, 'list' | 'get' | 'create' | 'remove' | 'prune' | 'connect' | 'disconnect' | 'endpoints' | 'endpointIdOf' | 'portHolder'>;

/** Resolves a container reference (name, ID, prefix) to its full ID; 404 when absent. */
export type ContainerResolver = (ref: string) => string;

/** `/networks/*` (moby api/server/router/network) and Berth's `/berth/v1/ports/check` for the app's run dialog. */
export function networkRoutes(networks: NetworkBackend, resolveContainer: ContainerResolver, containerName: (id: string) => string | undefined = () => undefined): Route[] {
  const dto = (id: string, withContainers: boolean): ReturnType<typeof toNetworkDto> => {
    const n = networks.get(id);
    return toNetworkDto(n, withContainers ? networks.endpoints(n.id) : undefined, (e) => networks.endpointIdOf(n.id, e.containerId));
  };
  return [
    {
      method: 'GET',
      path: '/berth/v1/ports/check',
      handler: async ({ res, query }) => {
        const port = Number(query.get('port'));
        const proto = query.get('proto') ?? 'tcp';
        const ip = query.get('ip') ?? '';
        if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalidArgument('PORT_INVALID', `port ${query.get('port') ?? ''}: a number from 1 to 65535`);
        if (proto !== 'tcp' && proto !== 'udp') throw invalidArgument('PORT_PROTO', `proto ${proto}: tcp or udp`);
        if (ip !== '' && !/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) throw invalidArgument('PORT_IP', `ip ${ip}: an IPv4 address`);
        const holder = await networks.portHolder(proto, ip === '0.0.0.0' ? '' : ip, port);
        const body: BerthPortCheckResponse = { Port: port, Proto: proto, Available: holder === null };
        if (holder && 'containerId' in holder) {
          body.ContainerId = holder.containerId;
          const name = containerName(holder.containerId);
          if (name !== undefined) body.ContainerName = name.replace(/^\//, '');
        }
        sendJson(res, 200, body);
      },
    },
    {
      method: 'GET',
      path: '/networks',
      handler: ({ res, query }) => {
        sendJson(res, 200, networks.list(queryFilters(query)).map((n) => dto(n.id, false)));
        return Promise.resolve();
      },
    },
    {
      method: 'POST',
      path: '/networks/create',
      handler: async ({ req, res }) => {
        const body = await readJson(req, NetworkCreateRequestSchema);
        if (body.Scope !== undefined && body.Scope !== '' && body.Scope !== 'local') throw invalidArgument('NETWORK_SCOPE', `Scope ${body.Scope}: only "local" networks exist without swarm`);
        if (body.Ingress || body.ConfigOnly || (body.ConfigFrom !== undefined && body.ConfigFrom !== null)) throw invalidArgument('NETWORK_SWARM_ONLY', 'Ingress, ConfigOnly and ConfigFrom are not supported by berthd');
        const out = await networks.create(toNetworkCreateInput(body));
        const resBody: NetworkCreateResponse = { Id: out.id, Warning: out.warning };
        sendJson(res, 201, resBody);
      },
    },
    {
      method: 'POST',
      path: '/networks/prune',
      handler: async ({ res, query }) => {
        const deleted = await networks.prune(queryFilters(query));
        const body: NetworkPruneResponse = { NetworksDeleted: deleted.length > 0 ? deleted : null };
        sendJson(res, 200, body);
      },
    },
    {
      method: 'GET',
      path: '/networks/:id',
      handler: ({ res, params, query }) => {
        const scope = query.get('scope');
        if (scope !== null && scope !== '' && scope !== 'local') throw invalidArgument('NETWORK_SCOPE', `network scope ${scope}: only "local" networks exist without swarm`);
        sendJson(res, 200, dto(params.id ?? '', true));
        return Promise.resolve();
      },
    },
    {
      method: 'DELETE',
      path: '/networks/:id',
      handler: async ({ res, params }) => {
        await networks.remove(params.id ?? '');
        sendEmpty(res, 204);
      },
    },
    {
      method: 'POST',
      path: '/networks/:id/connect',
      handler: async ({ req, res, params }) => {
        const body = await readJson(req, NetworkConnectRequestSchema);
        const ep = body.EndpointConfig ?? {};
        if ((ep.Links ?? []).length > 0) throw invalidArgument('FIELD_NOT_SUPPORTED', 'EndpointConfig.Links: not supported by berthd');
        if (ep.IPAMConfig?.IPv6Address) throw invalidArgument('IPV6_UNSUPPORTED', 'EndpointConfig.IPAMConfig.IPv6Address: IPv6 is not supported by berthd');
        await networks.connect(params.id ?? '', resolveContainer(body.Container), {
          aliases: ep.Aliases ?? [],
          ...(ep.IPAMConfig?.IPv4Address ? { ipv4Address: ep.IPAMConfig.IPv4Address } : {}),
          ...(ep.MacAddress ? { macAddress: ep.MacAddress } : {}),
        });
        sendEmpty(res, 200);
      },
    },
    {
      method: 'POST',
      path: '/networks/:id/disconnect',
      handler: async ({ req, res, params }) => {
        const body = await readJson(req, NetworkDisconnectRequestSchema);
        let id: string;
        try {
          id = resolveContainer(body.Container);
        } catch (err) {
          // dockerd: a forced disconnect of a container that no longer exists cleans up by name.
          if (!body.Force) throw err;
          id = body.Container;
        }
        await networks.disconnect(params.id ?? '', id, body.Force ?? false);
        sendEmpty(res, 200);
      },
    },
  ];
}

const NOT_SWARM = 'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';

/** Swarm endpoints answer as dockerd on a node outside any swarm, so probing clients get what they expect. */
export function swarmRoutes(): Route[] {
  const refuse = (): Promise<void> => Promise.reject(unavailable('NOT_SWARM_MANAGER', NOT_SWARM));
  const paths = ['/swarm', '/swarm/unlockkey', '/nodes', '/nodes/:id', '/services', '/services/:id', '/services/:id/logs', '/tasks', '/tasks/:id', '/tasks/:id/logs', '/secrets', '/secrets/:id', '/configs', '/configs/:id'];
  const routes: Route[] = paths.map((path) => ({ method: 'GET', path, handler: refuse }));
  for (const path of ['/swarm/init', '/swarm/join', '/swarm/leave', '/swarm/update', '/swarm/unlock', '/services/create', '/secrets/create', '/configs/create']) routes.push({ method: 'POST', path, handler: refuse });
  return routes;
}
