/**
 * Validation of a create request at create time (moby daemon/container.go verifyContainerSettings
 * and daemon_unix.go verifyPlatformContainerSettings): a bad option is a 400 before anything is
 * made, never a failure at start. Returns dockerd's warnings for options that are accepted but
 * weakened on this host.
 */
import { stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { errnoCode, invalidArgument } from '../../lib/errors';
import { CAPABILITY_NAMES } from '../../runtime/spec/defaults';
import { validateRlimits } from '../../runtime/spec/rlimits';
import { validateDeviceRequest } from '../../runtime/spec/devices';
import { parseDeviceRule } from '../../runtime/cgroups/device-rules';
import { checkCpuList } from '../../runtime/cgroups/cpuset-list';
import { cleanCgroupParent } from '../../runtime/cgroups/cgroup-common';
import { validateSysctls } from '../../runtime/spec/sysctls';
import type { RuntimeInfo } from '../../runtime/runtime';
import { deviceRequestOf, tmpfsMounts } from './container-spec';
import { validateLogConfig } from './log-driver';
import type { BindMount, ContainerConfig, HostConfig } from '../../store/containers/container-record';

const RESTART_POLICIES = ['no', 'always', 'on-failure', 'unless-stopped'];
/** The runtime names berthd answers to (inspect reports `runc`, as dockerd's default). */
const RUNTIMES = ['runc'];
const NETWORK_MODES = ['', 'default', 'none', 'host', 'bridge'];

const bad = (code: string, message: string): never => {
  throw invalidArgument(code, message);
};

function validateCaps(field: 'CapAdd' | 'CapDrop', caps: string[]): void {
  for (const c of caps) {
    const upper = c.toUpperCase();
    if (upper === 'ALL') continue;
    const name = upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
    if (!(CAPABILITY_NAMES as readonly string[]).includes(name)) bad('INVALID_CAPABILITY', `invalid ${field}: unknown capability: "${c}"`);
  }
}

function validateRestartPolicy(hc: HostConfig): void {
  const { name, maximumRetryCount } = hc.restartPolicy;
  if (!RESTART_POLICIES.includes(name)) {
    bad('INVALID_RESTART_POLICY', `invalid restart policy: unknown policy '${name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
  }
  if (maximumRetryCount < 0) bad('INVALID_RESTART_POLICY', 'invalid restart policy: maximum retry count cannot be negative');
  if (maximumRetryCount > 0 && name !== 'on-failure') {
    bad('INVALID_RESTART_POLICY', `invalid restart policy: maximum retry count can only be used with 'on-failure'`);
  }
  if (hc.autoRemove && name !== 'no') bad('RESTART_AUTOREMOVE', `can't create 'AutoRemove' container with restart policy`);
}

function validateMount(m: BindMount): void {
  const kind = `invalid mount config for type "${m.type}"`;
  if (m.destination === '') bad('INVALID_MOUNT', `${kind}: field Target must not be empty`);
  if (!m.destination.startsWith('/')) bad('INVALID_MOUNT', `${kind}: invalid mount path: '${m.destination}' mount path must be absolute`);
  if (m.type === 'bind') {
    if (m.source === '') bad('INVALID_MOUNT', `${kind}: field Source must not be empty`);
    if (!isAbsolute(m.source)) bad('INVALID_MOUNT', `${kind}: invalid mount path: '${m.source}' mount path must be absolute`);
  }
  if (m.type === 'tmpfs' && m.source !== '') bad('INVALID_MOUNT', `${kind}: field Source must not be specified`);
}

/** moby verifyPlatformContainerResources on the v1-only memory options: discarded with its warnings where the kernel lacks them. */
function validateMemoryExtras(hc: HostConfig, info: Pick<RuntimeInfo, 'oomKillDisable' | 'memorySwappiness' | 'kernelMemoryTcp'>, warnings: string[]): void {
  const s = hc.memorySwappiness;
  if (s !== null && (s < 0 || s > 100)) bad('INVALID_SWAPPINESS', `Invalid value: ${s}, valid memory swappiness range is 0-100`);
  if (s !== null && info.memorySwappiness !== true) {
    warnings.push('Your kernel does not support memory swappiness capabilities or the cgroup is not mounted. Memory swappiness discarded.');
    hc.memorySwappiness = null;
  }
  if (hc.kernelMemoryTcp && info.kernelMemoryTcp !== true) {
    warnings.push('Your kernel does not support kernel memory TCP limit capabilities or the cgroup is not mounted. Limitation discarded.');
    hc.kernelMemoryTcp = 0;
  }
  if (hc.oomKillDisable && info.oomKillDisable !== true) {
    warnings.push('Your kernel does not support OomKillDisable. OomKillDisable discarded.');
    hc.oomKillDisable = false;
  }
  if (hc.oomKillDisable && hc.memory === 0) warnings.push('OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.');
}

/** moby verifyPlatformContainerResources on block I/O: what the kernel lacks is discarded with its warning. */
function validateBlkio(hc: HostConfig, f: RuntimeInfo['blkio'], warnings: string[]): void {
  if (hc.blkioWeight > 0 && f?.weight !== true) {
    warnings.push('Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.');
    hc.blkioWeight = 0;
  }
  if (hc.blkioWeight > 0 && (hc.blkioWeight < 10 || hc.blkioWeight > 1000)) bad('BLKIO_WEIGHT_RANGE', 'Range of blkio weight is from 10 to 1000');
  const discard = (list: unknown[], supported: boolean | undefined, message: string): boolean => {
    if (list.length === 0 || supported === true) return false;
    warnings.push(message);
    return true;
  };
  if (discard(hc.blkioWeightDevice, f?.weightDevice, 'Your kernel does not support Block I/O weight_device or the cgroup is not mounted. Weight-device discarded.')) hc.blkioWeightDevice = [];
  if (discard(hc.blkioDeviceReadBps, f?.readBps, 'Your kernel does not support BPS Block I/O read limit or the cgroup is not mounted. Block I/O BPS read limit discarded.')) hc.blkioDeviceReadBps = [];
  if (discard(hc.blkioDeviceWriteBps, f?.writeBps, 'Your kernel does not support BPS Block I/O write limit or the cgroup is not mounted. Block I/O BPS write limit discarded.')) hc.blkioDeviceWriteBps = [];
  if (discard(hc.blkioDeviceReadIOps, f?.readIops, 'Your kernel does not support IOPS Block read limit or the cgroup is not mounted. Block I/O IOPS read limit discarded.')) hc.blkioDeviceReadIOps = [];
  if (discard(hc.blkioDeviceWriteIOps, f?.writeIops, 'Your kernel does not support IOPS Block write limit or the cgroup is not mounted. Block I/O IOPS write limit discarded.')) hc.blkioDeviceWriteIOps = [];
}

/** moby verifyPlatformContainerResources on --memory-reservation and --cpuset-*; may clear the cpuset (with dockerd's warning). */
function validateReservationAndCpuset(hc: HostConfig, cpuset: RuntimeInfo['cpuset'], warnings: string[]): void {
  if (hc.memory > 0 && hc.memoryReservation > 0 && hc.memory < hc.memoryReservation) {
    bad('MEMORY_RESERVATION', 'Minimum memory limit can not be less than memory reservation limit, see usage');
  }
  if (hc.memoryReservation > 0 && hc.memoryReservation < 6 * 1024 * 1024) bad('MEMORY_RESERVATION', 'Minimum memory reservation allowed is 6MB');
  if (hc.cpusetCpus === '' && hc.cpusetMems === '') return;
  if (cpuset === undefined) {
    warnings.push('Your kernel does not support cpuset or the cgroup is not mounted. Cpuset discarded.');
    hc.cpusetCpus = '';
    hc.cpusetMems = '';
    return;
  }
  const check = (requested: string, available: string, what: 'cpus' | 'mems'): void => {
    if (requested === '') return;
    const r = checkCpuList(requested, available);
    if (r === 'invalid') bad('INVALID_CPUSET', `Invalid value ${requested} for cpuset ${what}: invalid format: ${requested}`);
    if (r === 'unavailable') {
      bad('CPUSET_UNAVAILABLE', what === 'cpus' ? `Requested CPUs are not available - requested ${requested}, available: ${available}` : `Requested memory nodes are not available - requested ${requested}, available: ${available}`);
    }
  };
  check(hc.cpusetCpus, cpuset.cpus, 'cpus');
  check(hc.cpusetMems, cpuset.mems, 'mems');
}

/**
 * moby's PidMode/IpcMode/UTSMode.Valid() and the UTS conflicts (runconfig, runc's domainname
 * sysctl). Create only: a record's hostname is filled in by then.
 */
export function validateNamespaceModes(config: ContainerConfig, hc: HostConfig): void {
  if (!['', 'host'].includes(hc.pidMode) && !hc.pidMode.startsWith('container:')) bad('INVALID_PID_MODE', `invalid PID mode: ${hc.pidMode}`);
  if (!['private', 'shareable', 'host', 'none'].includes(hc.ipcMode) && !hc.ipcMode.startsWith('container:')) bad('INVALID_IPC_MODE', `invalid IPC mode: ${hc.ipcMode}`);
  if (!['', 'host'].includes(hc.utsMode)) bad('INVALID_UTS_MODE', `invalid UTS mode: ${hc.utsMode}`);
  if (!['', 'host', 'private'].includes(hc.cgroupnsMode)) bad('INVALID_CGROUPNS_MODE', `invalid cgroup namespace mode: ${hc.cgroupnsMode}`);
  if (hc.utsMode === 'host' && config.hostname !== '') bad('UTS_HOSTNAME_CONFLICT', 'conflicting options: hostname and the UTS mode');
  if (hc.utsMode === 'host' && config.domainname !== '') bad('UTS_DOMAINNAME_CONFLICT', 'sysctl "kernel.domainname" is not in a separate kernel namespace');
}

/** Synchronous checks of the request; returns dockerd's warnings. */
export function validateCreate(config: ContainerConfig, hc: HostConfig, info: Pick<RuntimeInfo, 'swapLimit' | 'cpuset' | 'oomKillDisable' | 'memorySwappiness' | 'kernelMemoryTcp' | 'blkio' | 'cpuRealtime'> & { ncpu: number; networksChecked?: boolean }): string[] {
  const warnings: string[] = [];
  if (config.workingDir !== '' && !config.workingDir.startsWith('/')) {
    bad('INVALID_WORKDIR', `the working directory '${config.workingDir}' is invalid, it needs to be an absolute path`);
  }
  // With the network engine, NetworkMode names any network and the engine checks it.
  if (info.networksChecked !== true && !NETWORK_MODES.includes(hc.networkMode)) bad('NETWORK_UNSUPPORTED', `network ${hc.networkMode} not found`);
  if (hc.memory !== 0 && hc.memory < 6 * 1024 * 1024) bad('MEMORY_TOO_LOW', 'Minimum memory limit allowed is 6MB');
  if (hc.memorySwap > 0 && hc.memory > 0 && hc.memorySwap < hc.memory) {
    bad('SWAP_TOO_LOW', 'Minimum memoryswap limit should be larger than memory limit, see usage');
  }
  if (hc.memorySwap > 0 && hc.memory === 0) bad('SWAP_WITHOUT_MEMORY', 'You should always set the Memory limit when using Memoryswap limit, see usage');
  if (hc.memory > 0 && hc.memorySwap !== 0 && hc.memorySwap !== -1 && !info.swapLimit) {
    warnings.push('Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap.');
  }
  if (hc.nanoCpus !== 0 && (hc.cpuQuota !== 0 || hc.cpuPeriod !== 0)) bad('CPU_CONFLICT', 'Conflicting options: Nano CPUs and CPU Period cannot both be set');
  if (hc.nanoCpus < 0 || hc.nanoCpus > info.ncpu * 1e9) {
    bad('CPU_RANGE', `Range of CPUs is from 0.01 to ${info.ncpu}.00, as there are only ${info.ncpu} CPUs available`);
  }
  if (hc.cpuPeriod !== 0 && (hc.cpuPeriod < 1000 || hc.cpuPeriod > 1_000_000)) {
    bad('CPU_PERIOD_RANGE', 'CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
  }
  if (hc.cpuQuota > 0 && hc.cpuQuota < 1000) bad('CPU_QUOTA_RANGE', 'CPU cfs quota can not be less than 1ms (i.e. 1000)');
  validateReservationAndCpuset(hc, info.cpuset, warnings);
  validateMemoryExtras(hc, info, warnings);
  validateBlkio(hc, info.blkio, warnings);
  // runc cleans the path (nothing escapes the hierarchy); names the cgroupfs would not take are refused now.
  if (cleanCgroupParent(hc.cgroupParent).split('/').some((s) => s !== '' && !/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(s))) bad('INVALID_CGROUP_PARENT', `invalid cgroup parent ${JSON.stringify(hc.cgroupParent)}`);
  if ((hc.cpuRealtimePeriod !== 0 || hc.cpuRealtimeRuntime !== 0) && info.cpuRealtime !== true) bad('CPU_RT_UNSUPPORTED', 'Your kernel does not support CPU real-time scheduler');
  if (hc.cpuRealtimePeriod !== 0 && hc.cpuRealtimeRuntime !== 0 && hc.cpuRealtimeRuntime > hc.cpuRealtimePeriod) {
    bad('CPU_RT_RANGE', 'cpu real-time runtime cannot be higher than cpu real-time period');
  }
  if (hc.shmSize < 0) bad('SHM_NEGATIVE', 'SHM size can not be less than 0');
  if (hc.oomScoreAdj < -1000 || hc.oomScoreAdj > 1000) bad('OOM_SCORE_RANGE', `Invalid value ${hc.oomScoreAdj}, range for oom score adj is [-1000, 1000]`);
  if (!RUNTIMES.includes(hc.runtime)) bad('UNKNOWN_RUNTIME', `unknown or invalid runtime name: ${hc.runtime}`);
  validateRlimits(hc.ulimits);
  for (const d of hc.devices) validateDeviceRequest(deviceRequestOf(d));
  for (const r of hc.deviceCgroupRules) parseDeviceRule(r);
  validateSysctls(hc.sysctls, { hostNetwork: hc.networkMode === 'host', hostIpc: hc.ipcMode === 'host', hostUts: hc.utsMode === 'host' });
  validateCaps('CapAdd', hc.capAdd);
  validateCaps('CapDrop', hc.capDrop);
  validateRestartPolicy(hc);
  validateLogConfig(hc.logConfig);
  for (const m of hc.mounts) validateMount(m);
  // Parsing the tmpfs options refuses a bad one now rather than at start.
  const dests = [...tmpfsMounts(hc), ...hc.mounts.filter((m) => m.type === 'bind')].map((m) => m.destination);
  const seen = new Set<string>();
  for (const d of dests) {
    if (seen.has(d)) bad('DUPLICATE_MOUNT', `Duplicate mount point: ${d}`);
    seen.add(d);
  }
  return warnings;
}

/** `--mount type=bind` needs an existing source (unlike `-v`, which dockerd creates). */
export async function checkMountSources(mounts: BindMount[]): Promise<void> {
  for (const m of mounts) {
    if (m.type !== 'bind') continue;
    try {
      await stat(m.source);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') bad('BIND_SOURCE_MISSING', `invalid mount config for type "bind": bind source path does not exist: ${m.source}`);
      throw err;
    }
  }
}
