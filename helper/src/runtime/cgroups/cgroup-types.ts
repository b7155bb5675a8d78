/**
 * Plain models shared by the cgroup managers and the runtime. Units are Docker's: bytes, and
 * nanoseconds for CPU time, whatever the cgroup version reports natively.
 */

import type { DeviceRule } from './device-rules';
import type { BlkioLimits } from './blkio';

/** Limits as written to a container's cgroup (resolved from ResourceLimits by the manager). */
export interface CgroupLimits {
  /** Bytes; undefined = unlimited. */
  memory?: number;
  /** Memory+swap bytes; -1 = unlimited swap; undefined = kernel default (v1: same as memory → no swap unless set). */
  memorySwap?: number;
  /** CFS quota/period in µs; quota undefined = unlimited. */
  cpuQuotaUs?: number;
  cpuPeriodUs?: number;
  /** v1 cpu.shares (2..262144); converted to cpu.weight on v2. */
  cpuShares?: number;
  /** undefined = unlimited. */
  pidsMax?: number;
  /** Soft limit in bytes (v1 memory.soft_limit_in_bytes, v2 memory.low); undefined = none. */
  memoryReservation?: number;
  /** cpuset.cpus / cpuset.mems lists; undefined = the parent's. */
  cpusetCpus?: string;
  cpusetMems?: string;
  /** v1 memory.oom_control, memory.swappiness, memory.kmem.tcp.limit_in_bytes. */
  oomKillDisable?: boolean;
  memorySwappiness?: number;
  kernelMemoryTcp?: number;
  /** v1 cpu.rt_period_us / cpu.rt_runtime_us. */
  cpuRtPeriodUs?: number;
  cpuRtRuntimeUs?: number;
  /** Resolved to device numbers (cgroups/blkio.ts). */
  blkio?: BlkioLimits;
  /** Privileged: no device restrictions (v1 devices cgroup left open, no v2 device filter). */
  allowAllDevices?: boolean;
  /** Allowed on top of DEFAULT_DEVICE_RULES (--device, --device-cgroup-rule). */
  devices?: DeviceRule[];
}

export interface CgroupStats {
  cpu: {
    /** Total CPU time consumed, ns. */
    totalNs: number;
    userNs: number;
    systemNs: number;
    /** v1 only (cpuacct.usage_percpu). */
    perCpuNs?: number[];
    throttling: { periods: number; throttledPeriods: number; throttledNs: number };
  };
  memory: {
    /** Current usage in bytes (v1 usage_in_bytes, v2 memory.current). */
    usage: number;
    /** Peak usage when the kernel reports it (v1 max_usage_in_bytes, v2 memory.peak). */
    maxUsage?: number;
    /** Limit in force; undefined = unlimited (the engine reports the host MemTotal then). */
    limit?: number;
    /** memory.stat as numbers (v1 keys include total_*; v2 keys are flat). */
    stat: Record<string, number>;
    /** v1 memory.failcnt. */
    failcnt?: number;
    /** Number of OOM kills in this cgroup (v1 memory.oom_control oom_kill, v2 memory.events oom_kill). */
    oomKills: number;
  };
  pids: { current: number; limit?: number };
  blkio: { ioServiceBytesRecursive: Array<{ major: number; minor: number; op: 'read' | 'write'; value: number }> };
}
