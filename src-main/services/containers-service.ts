import type { ContainerDetailView, ContainerProcessesView, ContainerUpdateSpec, ContainerView, PruneResultView, RunResultView, RunSpec } from '../../src-shared/ipc/models/containers';
import { httpStatusOf } from '../engine-client/engine-error';
import { AppError } from '../lib/app-error';
import { fromBerthProcesses, fromTop, toContainerDetailView, toContainerView, toCreateRequest } from './container-mappers';
import type { HostsService } from './hosts-service';

/** Container list, lifecycle and inspection on any host. Thin: one engine call, mapped to views. */
export class ContainersService {
  constructor(private readonly hosts: HostsService) {}

  async list(hostId: string, all = true): Promise<ContainerView[]> {
    const list = await this.hosts.client(hostId).listContainers({ all });
    return list.map(toContainerView);
  }

  async inspect(hostId: string, id: string): Promise<ContainerDetailView> {
    return toContainerDetailView(await this.hosts.client(hostId).inspectContainer(id));
  }

  async run(hostId: string, spec: RunSpec, start = true): Promise<RunResultView> {
    const client = this.hosts.client(hostId);
    let created;
    try {
      created = await client.createContainer(toCreateRequest(spec), spec.name || undefined);
    } catch (err) {
      if (httpStatusOf(err) === 404 && /no such image/i.test((err as Error).message)) {
        throw new AppError('NotFound', 'IMAGE_NOT_FOUND', `${(err as Error).message}: pull it first`, { cause: err });
      }
      throw err;
    }
    if (start) await client.startContainer(created.Id);
    return { id: created.Id, warnings: created.Warnings ?? [], started: start };
  }

  start(hostId: string, id: string): Promise<void> {
    return this.hosts.client(hostId).startContainer(id);
  }

  stop(hostId: string, id: string, timeoutSeconds?: number): Promise<void> {
    return this.hosts.client(hostId).stopContainer(id, timeoutSeconds);
  }

  restart(hostId: string, id: string, timeoutSeconds?: number): Promise<void> {
    return this.hosts.client(hostId).restartContainer(id, timeoutSeconds);
  }

  kill(hostId: string, id: string, signal?: string): Promise<void> {
    return this.hosts.client(hostId).killContainer(id, signal);
  }

  pause(hostId: string, id: string): Promise<void> {
    return this.hosts.client(hostId).pauseContainer(id);
  }

  unpause(hostId: string, id: string): Promise<void> {
    return this.hosts.client(hostId).unpauseContainer(id);
  }

  rename(hostId: string, id: string, name: string): Promise<void> {
    return this.hosts.client(hostId).renameContainer(id, name);
  }

  /** As `docker update`: only the given fields change; 0 memory/cpus/pids means unlimited. */
  async update(hostId: string, id: string, u: ContainerUpdateSpec): Promise<{ warnings: string[] }> {
    const body: Record<string, unknown> = {};
    if (u.memoryBytes !== undefined) {
      body.Memory = Math.round(u.memoryBytes);
      // Swap follows memory (as `docker run -m` leaves it: twice the limit), else an old swap limit below the new memory is refused.
      body.MemorySwap = u.memoryBytes > 0 ? Math.round(u.memoryBytes) * 2 : -1;
    }
    if (u.cpus !== undefined) body.NanoCpus = Math.round(u.cpus * 1e9);
    if (u.pidsLimit !== undefined) body.PidsLimit = u.pidsLimit;
    if (u.restartPolicy !== undefined) body.RestartPolicy = { Name: u.restartPolicy.name, MaximumRetryCount: u.restartPolicy.name === 'on-failure' ? (u.restartPolicy.maximumRetryCount ?? 0) : 0 };
    const r = await this.hosts.client(hostId).updateContainer(id, body);
    return { warnings: r.Warnings ?? [] };
  }

  remove(hostId: string, id: string, force?: boolean, volumes?: boolean): Promise<void> {
    return this.hosts.client(hostId).removeContainer(id, { ...(force !== undefined ? { force } : {}), ...(volumes !== undefined ? { volumes } : {}) });
  }

  async prune(hostId: string): Promise<PruneResultView> {
    const r = await this.hosts.client(hostId).pruneContainers();
    return { deleted: r.ContainersDeleted ?? [], spaceReclaimed: r.SpaceReclaimed ?? 0 };
  }

  /** Berth's process map when the daemon has it, else `/top` (host PIDs only). */
  async processes(hostId: string, id: string): Promise<ContainerProcessesView> {
    const client = this.hosts.client(hostId);
    const berth = await client.berthProcesses(id);
    if (berth) return fromBerthProcesses(berth);
    return fromTop(await client.top(id));
  }
}
