/**
 * `docker update`'s body to the engine's ContainerUpdate. Same rule as create: a field berthd
 * cannot change on a container is refused with a 400 naming it when it carries a value.
 */
import type { ContainerUpdateRequest } from '../../../../src-shared/docker-api/containers';
import type { ContainerUpdate } from '../../engine/containers/container-update';
import { invalidArgument } from '../../lib/errors';
import { isDefaultValue } from './create-support';

const APPLIED = new Set(['Memory', 'MemorySwap', 'NanoCpus', 'CpuShares', 'CpuPeriod', 'CpuQuota', 'PidsLimit', 'RestartPolicy', 'CpusetCpus', 'CpusetMems', 'MemoryReservation', 'BlkioWeight']);

export function toContainerUpdate(body: ContainerUpdateRequest): ContainerUpdate {
  for (const [k, v] of Object.entries(body)) {
    if (!APPLIED.has(k) && !isDefaultValue(v)) throw invalidArgument('FIELD_NOT_SUPPORTED', `${k}: updating it is not supported by berthd`);
  }
  return {
    memory: body.Memory ?? undefined,
    memorySwap: body.MemorySwap ?? undefined,
    nanoCpus: body.NanoCpus ?? undefined,
    cpuShares: body.CpuShares ?? undefined,
    cpuPeriod: body.CpuPeriod ?? undefined,
    cpuQuota: body.CpuQuota ?? undefined,
    pidsLimit: body.PidsLimit ?? undefined,
    cpusetCpus: body.CpusetCpus || undefined,
    cpusetMems: body.CpusetMems || undefined,
    memoryReservation: body.MemoryReservation ?? undefined,
    blkioWeight: body.BlkioWeight ?? undefined,
    restartPolicy: body.RestartPolicy ? { name: body.RestartPolicy.Name ?? '', maximumRetryCount: body.RestartPolicy.MaximumRetryCount ?? 0 } : undefined,
  };
}
