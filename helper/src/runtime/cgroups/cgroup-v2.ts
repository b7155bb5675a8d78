import { join } from 'node:path';
import { errnoCode, internal } from '../../lib/errors';
import { checkCgroupId, killUntilEmpty, processKiller, splitCgroupKey, type KillDeps } from './cgroup-common';
import {
  cpuSharesToWeight,
  memorySwapToV2,
  parseFlatKeyed,
  parsePids,
  waitFor,
  type CgroupFeatures,
  type CgroupFs,
  type CgroupManager,
} from './cgroup-manager';
import type { CgroupLimits, CgroupStats } from './cgroup-types';
import type { BlkioLimits } from './blkio';
import type { CgroupPlanPart } from '../spec/plan';
import { compileDeviceFilter } from './device-filter-bpf';
import { DEFAULT_DEVICE_RULES } from './device-rules';

const WANTED = ['cpu', 'memory', 'pids', 'io'] as const;

export interface CgroupV2Options {
  /** Mount point of the unified hierarchy, normally /sys/fs/cgroup. */
  root: string;
  /** Parent cgroup (dockerd: "docker"); it must hold no processes itself (no-internal-processes rule). */
  parent: string;
  fs: CgroupFs;
  killer?: KillDeps;
  /**
   * Attaches a compiled device filter to a cgroup directory (v2 has no devices.allow; the native
   * berth-devfilter loads the BPF program). Without it a container could not be confined to its
   * devices, so create() refuses rather than run it open.
   */
  attachDeviceFilter?: (cgroupDir: string, program: Buffer) => Promise<void>;
}

/** Unified (v2) cgroups: `<root>/<parent>/<id>`, controllers delegated via cgroup.subtree_control. */
export class CgroupV2Manager implements CgroupManager {
  readonly version = 2 as const;
  private available: string[] = [];
  private cpuset: { cpus: string; mems: string } | undefined;

  private constructor(private readonly opts: CgroupV2Options) {}

  static async open(opts: CgroupV2Options): Promise<CgroupV2Manager> {
    const m = new CgroupV2Manager(opts);
    const text = await opts.fs.readFile(join(opts.root, 'cgroup.controllers')).catch(() => '');
    m.available = text.trim().split(/\s+/).filter(Boolean);
    if (m.available.includes('cpuset')) {
      const read = (f: string): Promise<string> => opts.fs.readFile(join(opts.root, f)).then((t) => t.trim(), () => '');
      m.cpuset = { cpus: await read('cpuset.cpus.effective'), mems: await read('cpuset.mems.effective') };
    }
    return m;
  }

  features(): CgroupFeatures {
    const has = (c: string): boolean => this.available.includes(c);
    return {
      memoryLimit: has('memory'),
      swapLimit: has('memory'),
      cpuCfsQuota: has('cpu'),
      cpuCfsPeriod: has('cpu'),
      cpuShares: has('cpu'),
      pidsLimit: has('pids'),
      ...(this.cpuset ? { cpuset: this.cpuset } : {}),
      // io.max for the throttles; weights through io.bfq.weight (BFQ), as runc, checked per container at start.
      ...(has('io') ? { blkio: { weight: true, weightDevice: true, readBps: true, writeBps: true, readIops: true, writeIops: true } } : {}),
    };
  }

  private parentOf(key: string): string {
    return splitCgroupKey(key).parent ?? this.opts.parent;
  }

  private dir(key: string): string {
    return join(this.opts.root, this.parentOf(key), splitCgroupKey(key).name);
  }

  /** cpuset only when the container is pinned: enabling it makes every new cgroup copy the lists. */
  private controllersToEnable(limits: CgroupLimits): string[] {
    const pinned = limits.cpusetCpus !== undefined || limits.cpusetMems !== undefined;
    return [...WANTED, ...(pinned ? ['cpuset'] : [])].filter((c) => this.available.includes(c));
  }

  /** Delegates controllers down the path: root → each level of the parent (made if missing). The parents stay process-free. */
  private async delegate(id: string, controllers: string[]): Promise<void> {
    const fs = this.opts.fs;
    const enable = controllers.map((c) => `+${c}`).join(' ');
    if (enable) await fs.writeFile(join(this.opts.root, 'cgroup.subtree_control'), enable);
    let parentDir = this.opts.root;
    for (const s of this.parentOf(id).split('/').filter(Boolean)) {
      parentDir = join(parentDir, s);
      await fs.mkdir(parentDir);
      if (enable) await fs.writeFile(join(parentDir, 'cgroup.subtree_control'), enable);
    }
  }

  async create(id: string, limits: CgroupLimits): Promise<void> {
    checkCgroupId(id);
    await this.remove(id);
    const fs = this.opts.fs;
    await this.delegate(id, this.controllersToEnable(limits));
    await fs.mkdir(this.dir(id));
    if (!limits.allowAllDevices) {
      if (this.opts.attachDeviceFilter === undefined) throw internal('DEVICE_FILTER_UNAVAILABLE', 'cgroup v2: no device filter loader (berth-devfilter); refusing to start a container with every host device open');
      await this.opts.attachDeviceFilter(this.dir(id), compileDeviceFilter([...DEFAULT_DEVICE_RULES, ...(limits.devices ?? [])]));
    }
    await this.update(id, limits);
  }

  async update(id: string, l: CgroupLimits): Promise<void> {
    const w = (file: string, value: string | number): Promise<void> => this.opts.fs.writeFile(join(this.dir(id), file), String(value));
    const has = (c: string): boolean => this.available.includes(c);
    if (has('memory')) {
      await w('memory.max', l.memory !== undefined ? l.memory : 'max');
      const swap = memorySwapToV2(l.memorySwap, l.memory);
      // memory.swap.max exists only with swap accounting (CONFIG_MEMCG_SWAP); without it there is no swap to limit.
      if (swap !== undefined && (await this.opts.fs.exists(join(this.dir(id), 'memory.swap.max')))) await w('memory.swap.max', swap);
    }
    if (has('cpu')) {
      const period = l.cpuPeriodUs ?? 100_000;
      await w('cpu.max', `${l.cpuQuotaUs !== undefined ? l.cpuQuotaUs : 'max'} ${period}`);
      if (l.cpuShares !== undefined) await w('cpu.weight', cpuSharesToWeight(l.cpuShares));
    }
    if (has('pids')) await w('pids.max', l.pidsMax !== undefined ? l.pidsMax : 'max');
    if (has('memory') && l.memoryReservation !== undefined) await w('memory.low', l.memoryReservation);
    if (has('io') && l.blkio) await this.writeIo(id, l.blkio);
    if (has('cpuset') && (l.cpusetCpus !== undefined || l.cpusetMems !== undefined)) {
      // docker update may pin a container created without: cpuset is delegated on demand.
      const delegated = await this.opts.fs.readFile(join(this.dir(id), '..', 'cgroup.subtree_control')).catch(() => '');
      if (!/\bcpuset\b/.test(delegated)) await this.delegate(id, ['cpuset']);
      if (l.cpusetCpus !== undefined) await w('cpuset.cpus', l.cpusetCpus);
      if (l.cpusetMems !== undefined) await w('cpuset.mems', l.cpusetMems);
    }
  }

  /** runc's v2 mapping: throttles in io.max, weights in io.bfq.weight (else io.weight for the default one). */
  private async writeIo(id: string, b: BlkioLimits): Promise<void> {
    const w = (file: string, value: string | number): Promise<void> => this.opts.fs.writeFile(join(this.dir(id), file), String(value));
    const bfq = await this.opts.fs.exists(join(this.dir(id), 'io.bfq.weight'));
    if (b.weight !== undefined) await (bfq ? w('io.bfq.weight', b.weight) : w('io.weight', `default ${1 + Math.floor(((b.weight - 10) * 9999) / 990)}`));
    for (const d of b.weightDevices) await w(bfq ? 'io.bfq.weight' : 'io.weight', `${d.major}:${d.minor} ${bfq ? d.value : 1 + Math.floor(((d.value - 10) * 9999) / 990)}`);
    const keys = new Map<string, string[]>();
    for (const [key, list] of [['rbps', b.readBps], ['wbps', b.writeBps], ['riops', b.readIops], ['wiops', b.writeIops]] as const) {
      for (const d of list) keys.set(`${d.major}:${d.minor}`, [...(keys.get(`${d.major}:${d.minor}`) ?? []), `${key}=${d.value}`]);
    }
    for (const [dev, settings] of keys) await w('io.max', `${dev} ${settings.join(' ')}`);
  }

  async freeze(id: string, frozen: boolean): Promise<void> {
    checkCgroupId(id);
    await this.opts.fs.writeFile(join(this.dir(id), 'cgroup.freeze'), frozen ? '1' : '0');
    const events = join(this.dir(id), 'cgroup.events');
    await waitFor(() => this.opts.fs.readFile(events), (v) => parseFlatKeyed(v)['frozen'] === (frozen ? 1 : 0), `${frozen ? 'freeze' : 'thaw'} ${id}`);
  }

  planPart(id: string): CgroupPlanPart {
    checkCgroupId(id);
    return { version: 2, procsFiles: [join(this.dir(id), 'cgroup.procs')], oomFile: join(this.dir(id), 'memory.events'), v1Mounts: [] };
  }

  async pids(id: string): Promise<number[]> {
    checkCgroupId(id);
    return parsePids(await this.opts.fs.readFile(join(this.dir(id), 'cgroup.procs')).catch(() => ''));
  }

  async oomKills(id: string): Promise<number> {
    const text = await this.opts.fs.readFile(join(this.dir(id), 'memory.events')).catch(() => '');
    return parseFlatKeyed(text)['oom_kill'] ?? 0;
  }

  async stats(id: string): Promise<CgroupStats> {
    checkCgroupId(id);
    const read = (file: string): Promise<string> => this.opts.fs.readFile(join(this.dir(id), file)).catch(() => '');
    const num = async (file: string): Promise<number | undefined> => {
      const t = (await read(file)).trim();
      return /^\d+$/.test(t) ? Number(t) : undefined;
    };
    const cpu = parseFlatKeyed(await read('cpu.stat'));
    const pidsMax = (await read('pids.max')).trim();
    return {
      cpu: {
        totalNs: (cpu['usage_usec'] ?? 0) * 1000,
        userNs: (cpu['user_usec'] ?? 0) * 1000,
        systemNs: (cpu['system_usec'] ?? 0) * 1000,
        throttling: { periods: cpu['nr_periods'] ?? 0, throttledPeriods: cpu['nr_throttled'] ?? 0, throttledNs: (cpu['throttled_usec'] ?? 0) * 1000 },
      },
      memory: {
        usage: (await num('memory.current')) ?? 0,
        maxUsage: await num('memory.peak'),
        limit: await num('memory.max'),
        stat: parseFlatKeyed(await read('memory.stat')),
        oomKills: await this.oomKills(id),
      },
      pids: { current: (await num('pids.current')) ?? 0, limit: /^\d+$/.test(pidsMax) ? Number(pidsMax) : undefined },
      blkio: { ioServiceBytesRecursive: parseIoStat(await read('io.stat')) },
    };
  }

  async remove(id: string): Promise<void> {
    checkCgroupId(id);
    const fs = this.opts.fs;
    if (!(await fs.exists(this.dir(id)))) return;
    // cgroup.kill (5.14+) kills the whole subtree atomically; without it kill task by task.
    const killFile = join(this.dir(id), 'cgroup.kill');
    if (await fs.exists(killFile)) await fs.writeFile(killFile, '1').catch(() => undefined);
    const emptied = await killUntilEmpty(() => this.pids(id), this.opts.killer ?? processKiller);
    if (!emptied) throw internal('CGROUP_BUSY', `processes of ${id} survived SIGKILL; cgroup kept`);
    try {
      await fs.rmdir(this.dir(id));
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw internal('CGROUP_REMOVE_FAILED', `remove cgroup ${this.dir(id)}: ${String(err)}`, err);
    }
  }
}

/** io.stat "8:0 rbytes=1 wbytes=2 …" → Docker's blkio entries. */
export function parseIoStat(text: string): CgroupStats['blkio']['ioServiceBytesRecursive'] {
  const out: CgroupStats['blkio']['ioServiceBytesRecursive'] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+):(\d+)\s+(.*)$/.exec(line.trim());
    if (!m) continue;
    const kv = Object.fromEntries(m[3]!.split(/\s+/).map((p) => p.split('=') as [string, string]));
    const major = Number(m[1]);
    const minor = Number(m[2]);
    if (kv['rbytes'] !== undefined) out.push({ major, minor, op: 'read', value: Number(kv['rbytes']) });
    if (kv['wbytes'] !== undefined) out.push({ major, minor, op: 'write', value: Number(kv['wbytes']) });
  }
  return out;
}
