import type { BlkioFeatures } from './blkio';
import * as fs from 'node:fs';
import type { ResourceLimits } from '../runtime';
import type { CgroupLimits, CgroupStats } from './cgroup-types';
import type { CgroupPlanPart } from '../spec/plan';

/**
 * One container's cgroup(s), by container ID: `<root>/<ctrl>/<parent>/<id>` on v1 (one directory
 * per controller hierarchy), `<root>/<parent>/<id>` on v2. The manager creates them with limits
 * before the container starts, tells the plan where the monitor must put the container's init
 * (`planPart`), reads usage (`stats`, `pids`), and removes them (after killing stragglers) on
 * delete. Implementations: CgroupV1Manager, CgroupV2Manager; `createCgroupManager` picks one by
 * looking at the host. The cgroupfs root is injectable so both run against a fake tree in tests.
 */
export interface CgroupManager {
  readonly version: 1 | 2;
  /** Which limits this host can enforce (docker info's MemoryLimit, SwapLimit, …). */
  features(): CgroupFeatures;
  /** Create (replacing a stale, empty one) and apply limits. */
  create(id: string, limits: CgroupLimits): Promise<void>;
  /** Apply new limits to an existing cgroup (docker update). */
  update(id: string, limits: CgroupLimits): Promise<void>;
  /**
   * Freeze or thaw every process of the cgroup (docker pause/unpause): v1 freezer.state, v2
   * cgroup.freeze. Resolves once the kernel reports the new state.
   */
  freeze(id: string, frozen: boolean): Promise<void>;
  /** Paths and mounts the shim needs (joined by the monitor before the init proceeds). */
  planPart(id: string): CgroupPlanPart;
  /** Host PIDs of every process in the container's cgroup. */
  pids(id: string): Promise<number[]>;
  stats(id: string): Promise<CgroupStats>;
  /** Number of OOM kills recorded for this cgroup (0 if it does not exist). */
  oomKills(id: string): Promise<number>;
  /** SIGKILL stragglers, wait until empty, remove the directories. Idempotent. */
  remove(id: string): Promise<void>;
}

export interface CgroupFeatures {
  memoryLimit: boolean;
  swapLimit: boolean;
  cpuCfsQuota: boolean;
  cpuCfsPeriod: boolean;
  cpuShares: boolean;
  pidsLimit: boolean;
  /** The CPUs and memory nodes a container's cpuset may name; undefined without a cpuset controller. */
  cpuset?: { cpus: string; mems: string };
  /** v1 memory controller files (absent on v2, where dockerd discards these options with a warning). */
  oomKillDisable?: boolean;
  memorySwappiness?: boolean;
  kernelMemoryTcp?: boolean;
  /** v1 RT group scheduling (cpu.rt_runtime_us). */
  cpuRealtime?: boolean;
  /** Which block I/O limits the kernel offers; undefined without a blkio/io controller. */
  blkio?: BlkioFeatures;
}

/** Filesystem operations the managers need; the real one is node:fs, tests use a temp dir. */
export interface CgroupFs {
  readFile(path: string): Promise<string>;
  writeFile(path: string, data: string): Promise<void>;
  mkdir(path: string): Promise<void>;
  /** Remove an (empty of processes) cgroup directory. On cgroupfs a plain rmdir does that. */
  rmdir(path: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  readdir(path: string): Promise<string[]>;
}

/** Docker's defaults and conversions, applied to the engine's ResourceLimits. */
export const DEFAULT_CPU_PERIOD_US = 100_000;

export function toCgroupLimits(r: ResourceLimits | undefined): CgroupLimits {
  const out: CgroupLimits = {};
  if (!r) return out;
  if (r.memory && r.memory > 0) {
    out.memory = r.memory;
    // dockerd: with -m and no --memory-swap, swap may use as much again (memory+swap = 2×memory).
    out.memorySwap = r.memorySwap === -1 ? -1 : r.memorySwap && r.memorySwap > 0 ? r.memorySwap : r.memory * 2;
  }
  if (r.nanoCpus && r.nanoCpus > 0) {
    out.cpuPeriodUs = DEFAULT_CPU_PERIOD_US;
    out.cpuQuotaUs = nanoCpusToQuota(r.nanoCpus, DEFAULT_CPU_PERIOD_US);
  } else {
    if (r.cpuPeriod && r.cpuPeriod > 0) out.cpuPeriodUs = r.cpuPeriod;
    if (r.cpuQuota && r.cpuQuota > 0) out.cpuQuotaUs = r.cpuQuota;
  }
  if (r.cpuShares && r.cpuShares > 0) out.cpuShares = r.cpuShares;
  if (r.pidsLimit && r.pidsLimit > 0) out.pidsMax = r.pidsLimit;
  if (r.memoryReservation && r.memoryReservation > 0) out.memoryReservation = r.memoryReservation;
  if (r.cpusetCpus) out.cpusetCpus = r.cpusetCpus;
  if (r.cpusetMems) out.cpusetMems = r.cpusetMems;
  if (r.oomKillDisable) out.oomKillDisable = true;
  if (r.memorySwappiness !== undefined) out.memorySwappiness = r.memorySwappiness;
  if (r.kernelMemoryTcp && r.kernelMemoryTcp > 0) out.kernelMemoryTcp = r.kernelMemoryTcp;
  if (r.cpuRtPeriod && r.cpuRtPeriod > 0) out.cpuRtPeriodUs = r.cpuRtPeriod;
  if (r.cpuRtRuntime && r.cpuRtRuntime !== 0) out.cpuRtRuntimeUs = r.cpuRtRuntime;
  return out;
}

/** --cpus: quota = NanoCpus × period / 1e9 (moby daemon/oci_linux.go). */
export function nanoCpusToQuota(nanoCpus: number, periodUs: number): number {
  return Math.round((nanoCpus * periodUs) / 1e9);
}

/**
 * cpu.shares (2..262144) to cgroup v2 cpu.weight (1..10000), with the fit runc adopted in PR #4785
 * (opencontainers/cgroups ConvertCPUSharesToCgroupV2Value): it maps 2→1, 1024→100, 262144→10000.
 */
export function cpuSharesToWeight(shares: number): number {
  if (shares <= 0) return 0;
  if (shares <= 2) return 1;
  if (shares >= 262144) return 10000;
  const l = Math.log2(shares);
  const exponent = (l * l + 125 * l) / 612 - 7 / 34;
  return Math.ceil(Math.pow(10, exponent) - 1e-9);
}

/** v2 memory.swap.max from Docker's memory+swap total (ConvertMemorySwapToCgroupV2Value). */
export function memorySwapToV2(memorySwap: number | undefined, memory: number | undefined): string | undefined {
  if (memorySwap === undefined) return undefined;
  if (memorySwap === -1) return 'max';
  if (!memory) return undefined;
  return String(Math.max(0, memorySwap - memory));
}

/** Polls `read` until it returns a value satisfying `done` (the freezer settles asynchronously). */
export async function waitFor(read: () => Promise<string>, done: (v: string) => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 1; ; delay = Math.min(delay * 2, 50)) {
    if (done(await read())) return;
    if (Date.now() > deadline) throw new Error(`${what}: timed out`);
    await new Promise((r) => setTimeout(r, delay));
  }
}

/** Parses "key value" lines (memory.stat, cpu.stat, memory.events) into numbers. */
export function parseFlatKeyed(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && /^-?\d+$/.test(v)) out[k] = Number(v);
  }
  return out;
}

export function parsePids(text: string): number[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^\d+$/.test(l))
    .map(Number);
}

/**
 * The real CgroupFs (rmdir is what cgroupfs wants for a cgroup directory). Synchronous on purpose:
 * cgroupfs files live in kernel memory, so each call is a few microseconds and never waits on a
 * disk, while an async call costs a threadpool round trip (open, write and close are three).
 * Creating a container's cgroups takes ~40 such calls: async they took 1.5-27 ms per container
 * (queued behind other fs work), sync under 1 ms.
 */
export function createNodeCgroupFs(): CgroupFs {
  return {
    readFile: async (p) => fs.readFileSync(p, 'utf8'),
    writeFile: async (p, d) => fs.writeFileSync(p, d),
    mkdir: async (p) => {
      fs.mkdirSync(p, { recursive: true });
    },
    rmdir: async (p) => fs.rmdirSync(p),
    exists: async (p) => fs.existsSync(p),
    readdir: async (p) => fs.readdirSync(p),
  };
}
