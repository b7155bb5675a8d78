import { join } from 'node:path';
import { errnoCode, internal, invalidArgument } from '../../lib/errors';
import { checkCgroupId, killUntilEmpty, processKiller, splitCgroupKey, type KillDeps } from './cgroup-common';
import { parseFlatKeyed, parsePids, waitFor, type CgroupFeatures, type CgroupFs, type CgroupManager } from './cgroup-manager';
import type { CgroupLimits, CgroupStats } from './cgroup-types';
import type { BlkioFeatures } from './blkio';
import type { CgroupPlanPart } from '../spec/plan';
import { DEFAULT_DEVICE_RULES, formatDeviceRule } from './device-rules';

/** v1 hierarchies a container joins. cpu and cpuacct may be co-mounted (cpu,cpuacct) or apart. */
const CONTROLLERS = ['memory', 'cpu', 'cpuacct', 'pids', 'blkio', 'freezer', 'devices', 'cpuset'] as const;
type Controller = (typeof CONTROLLERS)[number];


/** v1 reports "unlimited" as a huge page-aligned number. */
const UNLIMITED_V1 = 2 ** 62;
const USER_HZ_NS = 1e9 / 100;

export interface CgroupV1Options {
  /** Mount point of the v1 hierarchies, normally /sys/fs/cgroup. */
  root: string;
  /** Parent cgroup under each hierarchy (dockerd: "docker"). */
  parent: string;
  fs: CgroupFs;
  killer?: KillDeps;
}

/** Legacy (v1) cgroups: one directory per controller hierarchy, `<root>/<ctrl>/<parent>/<id>`. */
export class CgroupV1Manager implements CgroupManager {
  readonly version = 1 as const;
  private controllers: Controller[] = [];
  private swap = false;
  private cpuset: { cpus: string; mems: string } | undefined;
  private memoryFiles = { oomKillDisable: false, memorySwappiness: false, kernelMemoryTcp: false };
  private blkio: BlkioFeatures | undefined;
  private cpuRealtime = false;

  private constructor(private readonly opts: CgroupV1Options) {}

  /** Probes which hierarchies are mounted under root (and whether swap accounting exists). */
  static async open(opts: CgroupV1Options): Promise<CgroupV1Manager> {
    const m = new CgroupV1Manager(opts);
    for (const c of CONTROLLERS) if (await opts.fs.exists(join(opts.root, c, 'cgroup.procs'))) m.controllers.push(c);
    if (!m.controllers.includes('memory')) throw internal('CGROUP_UNAVAILABLE', `no cgroup v1 memory hierarchy under ${opts.root}`);
    m.swap = await opts.fs.exists(join(opts.root, 'memory', 'memory.memsw.limit_in_bytes'));
    const memFile = (f: string): Promise<boolean> => opts.fs.exists(join(opts.root, 'memory', f));
    m.memoryFiles = {
      oomKillDisable: await memFile('memory.oom_control'),
      memorySwappiness: await memFile('memory.swappiness'),
      kernelMemoryTcp: await memFile('memory.kmem.tcp.limit_in_bytes'),
    };
    m.cpuRealtime = m.controllers.includes('cpu') && (await opts.fs.exists(join(opts.root, 'cpu', 'cpu.rt_runtime_us')));
    if (m.controllers.includes('blkio')) {
      const has = (f: string): Promise<boolean> => opts.fs.exists(join(opts.root, 'blkio', f));
      m.blkio = {
        weight: await has('blkio.weight'),
        weightDevice: await has('blkio.weight_device'),
        readBps: await has('blkio.throttle.read_bps_device'),
        writeBps: await has('blkio.throttle.write_bps_device'),
        readIops: await has('blkio.throttle.read_iops_device'),
        writeIops: await has('blkio.throttle.write_iops_device'),
      };
    }
    if (m.controllers.includes('cpuset')) {
      const read = (f: string): Promise<string> => opts.fs.readFile(join(opts.root, 'cpuset', f)).then((t) => t.trim());
      m.cpuset = { cpus: await read('cpuset.cpus'), mems: await read('cpuset.mems') };
    }
    return m;
  }

  features(): CgroupFeatures {
    const has = (c: Controller): boolean => this.controllers.includes(c);
    return { memoryLimit: true, swapLimit: this.swap, cpuCfsQuota: has('cpu'), cpuCfsPeriod: has('cpu'), cpuShares: has('cpu'), pidsLimit: has('pids'), ...this.memoryFiles, ...(this.cpuset ? { cpuset: this.cpuset } : {}), ...(this.blkio ? { blkio: this.blkio } : {}), cpuRealtime: this.cpuRealtime };
  }

  private parentOf(key: string): string {
    return splitCgroupKey(key).parent ?? this.opts.parent;
  }

  private dir(c: Controller, key: string): string {
    return join(this.opts.root, c, this.parentOf(key), splitCgroupKey(key).name);
  }

  async create(id: string, limits: CgroupLimits): Promise<void> {
    checkCgroupId(id);
    await this.remove(id);
    for (const c of this.controllers) {
      await this.opts.fs.mkdir(this.dir(c, id));
      if (c === 'cpuset') await this.inheritCpuset(id);
      if (c === 'devices' && !limits.allowAllDevices) await this.restrictDevices(id, limits);
    }
    await this.update(id, limits);
  }

  /** The device allow-list (runc's defaults and the container's own): deny everything, then allow. */
  private async restrictDevices(id: string, limits: CgroupLimits): Promise<void> {
    const dir = this.dir('devices', id);
    await this.opts.fs.writeFile(join(dir, 'devices.deny'), 'a');
    for (const rule of [...DEFAULT_DEVICE_RULES, ...(limits.devices ?? [])]) await this.opts.fs.writeFile(join(dir, 'devices.allow'), formatDeviceRule(rule));
  }

  /** A new v1 cpuset cgroup has empty cpus/mems and refuses tasks; each level down copies its parent's. */
  private async inheritCpuset(id: string): Promise<void> {
    const top = join(this.opts.root, 'cpuset');
    const chain: string[] = [];
    let dir = top;
    for (const s of [...this.parentOf(id).split('/').filter(Boolean), splitCgroupKey(id).name]) chain.push((dir = join(dir, s)));
    for (const f of ['cpuset.cpus', 'cpuset.mems']) {
      let above = top;
      for (const d of chain) {
        const current = (await this.opts.fs.readFile(join(d, f)).catch(() => '')).trim();
        if (current === '') await this.opts.fs.writeFile(join(d, f), (await this.opts.fs.readFile(join(above, f))).trim());
        above = d;
      }
    }
  }

  async update(id: string, l: CgroupLimits): Promise<void> {
    const w = (c: Controller, file: string, value: string | number): Promise<void> =>
      this.opts.fs.writeFile(join(this.dir(c, id), file), String(value));
    if (l.memory !== undefined) {
      // memsw must stay ≥ limit at every step: raise memsw first when growing, the limit first when shrinking.
      const memsw = l.memorySwap === -1 ? -1 : l.memorySwap;
      if (this.swap && memsw !== undefined) {
        try {
          await w('memory', 'memory.limit_in_bytes', l.memory);
          await w('memory', 'memory.memsw.limit_in_bytes', memsw);
        } catch {
          await w('memory', 'memory.memsw.limit_in_bytes', memsw);
          await w('memory', 'memory.limit_in_bytes', l.memory);
        }
      } else {
        await w('memory', 'memory.limit_in_bytes', l.memory);
      }
    }
    if (this.controllers.includes('cpu')) {
      if (l.cpuPeriodUs !== undefined) await w('cpu', 'cpu.cfs_period_us', l.cpuPeriodUs);
      if (l.cpuQuotaUs !== undefined) await w('cpu', 'cpu.cfs_quota_us', l.cpuQuotaUs);
      if (l.cpuShares !== undefined) await w('cpu', 'cpu.shares', l.cpuShares);
      // runc's order; the runtime needs RT time in the parent (dockerd's --cpu-rt-runtime), else EINVAL as with dockerd.
      for (const [file, v] of [['cpu.rt_period_us', l.cpuRtPeriodUs], ['cpu.rt_runtime_us', l.cpuRtRuntimeUs]] as const) {
        if (v === undefined) continue;
        const path = join(this.dir('cpu', id), file);
        await this.opts.fs.writeFile(path, String(v)).catch((err: unknown) => {
          throw invalidArgument('CPU_RT_UNAVAILABLE', `failed to write "${v}": write ${path}: ${errnoCode(err) === 'EINVAL' ? 'invalid argument' : (err as Error).message}`);
        });
      }
    }
    if (this.controllers.includes('pids')) await w('pids', 'pids.max', l.pidsMax !== undefined ? l.pidsMax : 'max');
    if (l.memoryReservation !== undefined) await w('memory', 'memory.soft_limit_in_bytes', l.memoryReservation);
    if (l.oomKillDisable) await w('memory', 'memory.oom_control', 1);
    if (l.memorySwappiness !== undefined) await w('memory', 'memory.swappiness', l.memorySwappiness);
    if (l.kernelMemoryTcp !== undefined) await w('memory', 'memory.kmem.tcp.limit_in_bytes', l.kernelMemoryTcp);
    if (l.blkio && this.controllers.includes('blkio')) {
      const b = l.blkio;
      // One "major:minor value" line per write, as the kernel parses these files.
      if (b.weight !== undefined) await w('blkio', 'blkio.weight', b.weight);
      for (const [file, list] of [['blkio.weight_device', b.weightDevices], ['blkio.throttle.read_bps_device', b.readBps], ['blkio.throttle.write_bps_device', b.writeBps], ['blkio.throttle.read_iops_device', b.readIops], ['blkio.throttle.write_iops_device', b.writeIops]] as const) {
        for (const d of list) await w('blkio', file, `${d.major}:${d.minor} ${d.value}`);
      }
    }
    // After inheritCpuset at create: the parent's lists are in place, these narrow them.
    if (this.controllers.includes('cpuset')) {
      if (l.cpusetCpus !== undefined) await w('cpuset', 'cpuset.cpus', l.cpusetCpus);
      if (l.cpusetMems !== undefined) await w('cpuset', 'cpuset.mems', l.cpusetMems);
    }
  }

  async freeze(id: string, frozen: boolean): Promise<void> {
    checkCgroupId(id);
    if (!this.controllers.includes('freezer')) throw internal('FREEZER_UNAVAILABLE', 'the cgroup v1 freezer hierarchy is not mounted');
    const file = join(this.dir('freezer', id), 'freezer.state');
    const want = frozen ? 'FROZEN' : 'THAWED';
    await this.opts.fs.writeFile(file, want);
    await waitFor(() => this.opts.fs.readFile(file), (v) => v.trim() === want, `${frozen ? 'freeze' : 'thaw'} ${id}`);
  }

  planPart(id: string): CgroupPlanPart {
    checkCgroupId(id);
    const uniqueMounts = this.controllers.map((c) => ({ name: c, source: this.dir(c, id) }));
    return {
      version: 1,
      procsFiles: [],
      threadFiles: this.controllers.map((c) => join(this.dir(c, id), 'tasks')),
      oomFile: join(this.dir('memory', id), 'memory.oom_control'),
      v1Mounts: uniqueMounts,
    };
  }

  async pids(id: string): Promise<number[]> {
    checkCgroupId(id);
    const all = new Set<number>();
    for (const c of this.controllers) {
      const text = await this.opts.fs.readFile(join(this.dir(c, id), 'cgroup.procs')).catch(() => '');
      for (const p of parsePids(text)) all.add(p);
    }
    return [...all].sort((a, b) => a - b);
  }

  async oomKills(id: string): Promise<number> {
    const text = await this.opts.fs.readFile(join(this.dir('memory', id), 'memory.oom_control')).catch(() => '');
    return parseFlatKeyed(text)['oom_kill'] ?? 0;
  }

  async stats(id: string): Promise<CgroupStats> {
    checkCgroupId(id);
    const read = (c: Controller, file: string): Promise<string> =>
      this.controllers.includes(c) ? this.opts.fs.readFile(join(this.dir(c, id), file)).catch(() => '') : Promise.resolve('');
    const num = async (c: Controller, file: string): Promise<number | undefined> => {
      const t = (await read(c, file)).trim();
      return /^-?\d+$/.test(t) ? Number(t) : undefined;
    };
    const limit = await num('memory', 'memory.limit_in_bytes');
    const acctStat = parseFlatKeyed(await read('cpuacct', 'cpuacct.stat'));
    const cpuStat = parseFlatKeyed(await read('cpu', 'cpu.stat'));
    const percpu = (await read('cpuacct', 'cpuacct.usage_percpu')).trim().split(/\s+/).filter(Boolean).map(Number);
    const pidsMax = (await read('pids', 'pids.max')).trim();
    const blk = await read('blkio', 'blkio.throttle.io_service_bytes_recursive');
    return {
      cpu: {
        totalNs: (await num('cpuacct', 'cpuacct.usage')) ?? 0,
        userNs: (acctStat['user'] ?? 0) * USER_HZ_NS,
        systemNs: (acctStat['system'] ?? 0) * USER_HZ_NS,
        perCpuNs: percpu.length ? percpu : undefined,
        throttling: { periods: cpuStat['nr_periods'] ?? 0, throttledPeriods: cpuStat['nr_throttled'] ?? 0, throttledNs: cpuStat['throttled_time'] ?? 0 },
      },
      memory: {
        usage: (await num('memory', 'memory.usage_in_bytes')) ?? 0,
        maxUsage: await num('memory', 'memory.max_usage_in_bytes'),
        limit: limit !== undefined && limit < UNLIMITED_V1 ? limit : undefined,
        stat: parseFlatKeyed(await read('memory', 'memory.stat')),
        failcnt: await num('memory', 'memory.failcnt'),
        oomKills: await this.oomKills(id),
      },
      pids: { current: (await num('pids', 'pids.current')) ?? 0, limit: /^\d+$/.test(pidsMax) ? Number(pidsMax) : undefined },
      blkio: { ioServiceBytesRecursive: parseBlkioV1(blk) },
    };
  }

  async remove(id: string): Promise<void> {
    checkCgroupId(id);
    const present: Controller[] = [];
    for (const c of this.controllers) if (await this.opts.fs.exists(this.dir(c, id))) present.push(c);
    if (present.length === 0) return;
    const emptied = await killUntilEmpty(() => this.pids(id), this.opts.killer ?? processKiller);
    if (!emptied) throw internal('CGROUP_BUSY', `processes of ${id} survived SIGKILL; cgroup kept`);
    for (const c of present) {
      try {
        await this.opts.fs.rmdir(this.dir(c, id));
      } catch (err) {
        if (errnoCode(err) !== 'ENOENT') throw internal('CGROUP_REMOVE_FAILED', `remove cgroup ${this.dir(c, id)}: ${String(err)}`, err);
      }
    }
  }
}

/** "8:0 Read 4096" lines → Docker's blkio entries (Total and Sync/Async rows are dropped). */
export function parseBlkioV1(text: string): CgroupStats['blkio']['ioServiceBytesRecursive'] {
  const out: CgroupStats['blkio']['ioServiceBytesRecursive'] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+):(\d+)\s+(Read|Write)\s+(\d+)/.exec(line.trim());
    if (m) out.push({ major: Number(m[1]), minor: Number(m[2]), op: m[3] === 'Read' ? 'read' : 'write', value: Number(m[4]) });
  }
  return out;
}
