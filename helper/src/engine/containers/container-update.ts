/**
 * `docker update` (moby daemon/update.go): which HostConfig fields change, validated with the same
 * rules as create. Pure: the service applies the result to the record and the running cgroup.
 */
import { invalidArgument } from '../../lib/errors';
import type { ContainerRecord, HostConfig, RestartPolicy } from '../../store/containers/container-record';
import { validateCreate } from './create-validation';

/** The fields `docker update` can change; undefined = unchanged. */
export interface ContainerUpdate {
  memory?: number;
  memorySwap?: number;
  nanoCpus?: number;
  cpuShares?: number;
  cpuPeriod?: number;
  cpuQuota?: number;
  pidsLimit?: number;
  cpusetCpus?: string;
  cpusetMems?: string;
  memoryReservation?: number;
  blkioWeight?: number;
  restartPolicy?: RestartPolicy;
}

export function applyUpdate(rec: ContainerRecord, u: ContainerUpdate, info: Parameters<typeof validateCreate>[2]): { hostConfig: HostConfig; warnings: string[] } {
  const hc: HostConfig = structuredClone(rec.hostConfig);
  if (u.restartPolicy !== undefined && u.restartPolicy.name !== '') {
    if (hc.autoRemove && u.restartPolicy.name !== 'no') {
      throw invalidArgument('RESTART_AUTOREMOVE', 'Restart policy cannot be updated because AutoRemove is enabled for the container');
    }
    hc.restartPolicy = u.restartPolicy;
  }
  if (u.memory !== undefined && u.memory !== 0) {
    // dockerd: a new memory limit above the swap total needs the swap total raised with it.
    if (u.memorySwap === undefined && hc.memorySwap > 0 && u.memory > hc.memorySwap) {
      throw invalidArgument('SWAP_TOO_LOW', 'Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time');
    }
    hc.memory = u.memory;
  }
  if (u.memorySwap !== undefined && u.memorySwap !== 0) hc.memorySwap = u.memorySwap;
  // --cpus and --cpu-period/--cpu-quota replace each other, as in dockerd.
  if (u.nanoCpus !== undefined && u.nanoCpus !== 0) {
    hc.nanoCpus = u.nanoCpus;
    hc.cpuPeriod = 0;
    hc.cpuQuota = 0;
  }
  if ((u.cpuPeriod ?? 0) !== 0 || (u.cpuQuota ?? 0) !== 0) {
    hc.nanoCpus = 0;
    if (u.cpuPeriod) hc.cpuPeriod = u.cpuPeriod;
    if (u.cpuQuota) hc.cpuQuota = u.cpuQuota;
  }
  if (u.cpuShares !== undefined && u.cpuShares !== 0) hc.cpuShares = u.cpuShares;
  if (u.pidsLimit !== undefined && u.pidsLimit !== 0) hc.pidsLimit = u.pidsLimit < 0 ? 0 : u.pidsLimit;
  // moby UpdateContainer: a zero value leaves the setting as it is.
  if (u.cpusetCpus) hc.cpusetCpus = u.cpusetCpus;
  if (u.cpusetMems) hc.cpusetMems = u.cpusetMems;
  if (u.memoryReservation) hc.memoryReservation = u.memoryReservation;
  if (u.blkioWeight) hc.blkioWeight = u.blkioWeight;
  const warnings = validateCreate({ ...rec.config, workingDir: rec.config.workingDir }, hc, info);
  return { hostConfig: hc, warnings };
}
