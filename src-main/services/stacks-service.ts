import type { ContainerSummaryDto } from '../../src-shared/docker-api/containers';
import { COMPOSE_LABELS, type StackActionResultView, type StackResourcesView } from '../../src-shared/ipc/models/stacks';
import type { EngineClient } from '../engine-client/engine-client';
import { networkClient } from '../engine-client/network-client';
import { AppError } from '../lib/app-error';
import type { HostsService } from './hosts-service';
import { startLayers } from './stack-order';

type Member = ContainerSummaryDto;
const nameOf = (c: Member): string => (c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, '');
const isUp = (c: Member): boolean => c.State === 'running' || c.State === 'restarting' || c.State === 'paused';
const message = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Stack-wide actions on the containers of one compose project (label `com.docker.compose.project`),
 * the way docker-compose runs them: each member gets the same engine call the single-container
 * actions use, in dependency order (stack-order.ts: dependencies start first and stop last), the
 * members of one layer at once. One member failing does not stop the others (each failure is returned).
 */
export class StacksService {
  constructor(private readonly hosts: Pick<HostsService, 'client'>) {}

  async start(hostId: string, project: string): Promise<StackActionResultView> {
    const client = this.hosts.client(hostId);
    const members = await this.members(client, project);
    return this.each(members.filter((c) => c.State !== 'running'), (c) => client.startContainer(c.Id), 'forward');
  }

  async stop(hostId: string, project: string, timeoutSeconds?: number): Promise<StackActionResultView> {
    const client = this.hosts.client(hostId);
    const members = await this.members(client, project);
    return this.each(members.filter(isUp), (c) => client.stopContainer(c.Id, timeoutSeconds), 'reverse');
  }

  async restart(hostId: string, project: string, timeoutSeconds?: number): Promise<StackActionResultView> {
    const client = this.hosts.client(hostId);
    const members = await this.members(client, project);
    return this.each(members, (c) => client.restartContainer(c.Id, timeoutSeconds), 'forward');
  }

  /** `docker-compose down` without `-v`: stop, remove the containers, then the project's networks. */
  async remove(hostId: string, project: string): Promise<StackActionResultView> {
    const client = this.hosts.client(hostId);
    const members = await this.members(client, project);
    const result = await this.each(
      members,
      async (c) => {
        if (isUp(c)) await client.stopContainer(c.Id);
        await client.removeContainer(c.Id, { force: true });
      },
      'reverse',
    );
    // compose names its networks `<project>_<name>`; an external network carries no project label.
    const networks = (await networkClient.list(client, { label: [`${COMPOSE_LABELS.project}=${project}`] })).filter((n) => n.Name.startsWith(`${project}_`));
    for (const n of networks) {
      try {
        await networkClient.remove(client, n.Id);
        result.networksRemoved.push(n.Name);
      } catch (err) {
        result.failures.push({ name: n.Name, message: message(err) });
      }
    }
    return result;
  }

  async resources(hostId: string, project: string): Promise<StackResourcesView> {
    const client = this.hosts.client(hostId);
    const filter = { label: [`${COMPOSE_LABELS.project}=${project}`] };
    const [networks, volumes] = await Promise.all([networkClient.list(client, filter), client.listVolumes(filter)]);
    return {
      networks: networks
        .map((n) => ({ id: n.Id, name: n.Name, driver: n.Driver, internal: n.Internal, subnets: (n.IPAM?.Config ?? []).map((c) => c.Subnet).filter(Boolean) }))
        .sort((a, b) => a.name.localeCompare(b.name)),
      volumes: (volumes.Volumes ?? [])
        .map((v) => ({ name: v.Name, driver: v.Driver, composeName: v.Labels?.[COMPOSE_LABELS.volume] ?? v.Name, mountpoint: v.Mountpoint }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    };
  }

  private async members(client: EngineClient, project: string): Promise<Member[]> {
    const list = await client.listContainers({ all: true, filters: { label: [`${COMPOSE_LABELS.project}=${project}`] } });
    if (list.length === 0) throw new AppError('NotFound', 'STACK_NOT_FOUND', `no container belongs to the stack ${project}`);
    return list;
  }

  /** Runs `act` on every target, layer by layer (`reverse`: dependants first), and collects the failures. */
  private async each(targets: Member[], act: (c: Member) => Promise<void>, order: 'forward' | 'reverse'): Promise<StackActionResultView> {
    const layers = startLayers(targets.map((c) => ({ service: c.Labels?.[COMPOSE_LABELS.service] ?? '', labels: c.Labels ?? {}, c })));
    if (order === 'reverse') layers.reverse();
    const failures: StackActionResultView['failures'] = [];
    for (const layer of layers) {
      const settled = await Promise.allSettled(layer.map((m) => act(m.c)));
      settled.forEach((r, i) => {
        if (r.status === 'rejected') failures.push({ name: nameOf((layer[i] as { c: Member }).c), message: message(r.reason) });
      });
    }
    return { containers: targets.map(nameOf), networksRemoved: [], failures };
  }
}
