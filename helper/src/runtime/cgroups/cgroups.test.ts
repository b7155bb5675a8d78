import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCgroupManager } from './cgroup-factory';
import { cpuSharesToWeight, memorySwapToV2, nanoCpusToQuota, toCgroupLimits } from './cgroup-manager';
import { CgroupV1Manager, parseBlkioV1 } from './cgroup-v1';
import { CgroupV2Manager, parseIoStat } from './cgroup-v2';
import { compileDeviceFilter } from './device-filter-bpf';
import { DEFAULT_DEVICE_RULES, formatDeviceRule, parseDeviceRule } from './device-rules';
import { makeFakeCgroupTree } from './fake-cgroupfs';

const ID = 'c'.repeat(64);
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function tree(layout: 'v1' | 'v2') {
  const t = await makeFakeCgroupTree(layout);
  cleanups.push(t.cleanup);
  return t;
}

describe('conversions', () => {
  it('docker limits to cgroup values', () => {
    expect(nanoCpusToQuota(1_500_000_000, 100_000)).toBe(150_000);
    expect(cpuSharesToWeight(2)).toBe(1);
    expect(cpuSharesToWeight(1024)).toBe(100);
    expect(cpuSharesToWeight(262144)).toBe(10000);
    expect(cpuSharesToWeight(512)).toBeGreaterThan(1);
    expect(cpuSharesToWeight(512)).toBeLessThan(100);
    expect(memorySwapToV2(200, 100)).toBe('100');
    expect(memorySwapToV2(-1, 100)).toBe('max');
    expect(toCgroupLimits({ memory: 100 })).toEqual({ memory: 100, memorySwap: 200 });
    expect(toCgroupLimits({ nanoCpus: 500_000_000, cpuQuota: 1, pidsLimit: -1 })).toEqual({ cpuPeriodUs: 100_000, cpuQuotaUs: 50_000 });
  });
  it('parses blkio and io.stat', () => {
    expect(parseBlkioV1('8:0 Read 10\n8:0 Write 20\n8:0 Sync 30\nTotal 30\n')).toEqual([
      { major: 8, minor: 0, op: 'read', value: 10 },
      { major: 8, minor: 0, op: 'write', value: 20 },
    ]);
    expect(parseIoStat('253:0 rbytes=5 wbytes=6 rios=1 wios=2\n')).toEqual([
      { major: 253, minor: 0, op: 'read', value: 5 },
      { major: 253, minor: 0, op: 'write', value: 6 },
    ]);
  });
});

describe('createCgroupManager', () => {
  it('picks v2 on a unified host and v1 on a hybrid host (controller-less unified mount)', async () => {
    expect((await createCgroupManager({ root: (await tree('v2')).root, fs: (await tree('v2')).fs })).version).toBe(2);
    const v1 = await tree('v1');
    expect((await createCgroupManager({ root: v1.root, fs: v1.fs })).version).toBe(1);
  });
});

describe('CgroupV2Manager on a fake cgroupfs', () => {
  it('delegates controllers, writes limits, reports plan paths, stats and removes', async () => {
    const t = await tree('v2');
    const killed: number[] = [];
    const filters: Array<[string, Buffer]> = [];
    const m = await CgroupV2Manager.open({ root: t.root, parent: 'berth', fs: t.fs, killer: { kill: (pid) => killed.push(pid) }, attachDeviceFilter: async (d, p) => void filters.push([d, p]) });
    const dir = join(t.root, 'berth', ID);
    await m.create(ID, { ...toCgroupLimits({ memory: 32 << 20, nanoCpus: 250_000_000, cpuShares: 1024, pidsLimit: 8 }) });
    // The device filter is attached to the container's own cgroup, with runc's default allow-list.
    expect(filters).toEqual([[dir, compileDeviceFilter(DEFAULT_DEVICE_RULES)]]);
    const rd = (f: string): Promise<string> => readFile(join(dir, f), 'utf8');
    expect(await readFile(join(t.root, 'cgroup.subtree_control'), 'utf8')).toBe('+cpu +memory +pids +io');
    expect(await readFile(join(t.root, 'berth', 'cgroup.subtree_control'), 'utf8')).toBe('+cpu +memory +pids +io');
    expect(await rd('memory.max')).toBe(String(32 << 20));
    expect(await rd('memory.swap.max')).toBe(String(32 << 20));
    expect(await rd('cpu.max')).toBe('25000 100000');
    expect(await rd('cpu.weight')).toBe('100');
    expect(await rd('pids.max')).toBe('8');
    expect(m.planPart(ID)).toEqual({ version: 2, procsFiles: [join(dir, 'cgroup.procs')], oomFile: join(dir, 'memory.events'), v1Mounts: [] });

    await writeFile(join(dir, 'cgroup.procs'), '101\n102\n');
    await writeFile(join(dir, 'memory.current'), '4096\n');
    await writeFile(join(dir, 'memory.stat'), 'anon 100\ninactive_file 7\n');
    await writeFile(join(dir, 'memory.events'), 'low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n');
    await writeFile(join(dir, 'cpu.stat'), 'usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 4\nnr_throttled 2\nthrottled_usec 30\n');
    await writeFile(join(dir, 'pids.current'), '2\n');
    await writeFile(join(dir, 'io.stat'), '8:0 rbytes=1 wbytes=2\n');
    expect(await m.pids(ID)).toEqual([101, 102]);
    const s = await m.stats(ID);
    expect(s.cpu).toEqual({ totalNs: 1_500_000, userNs: 1_000_000, systemNs: 500_000, throttling: { periods: 4, throttledPeriods: 2, throttledNs: 30_000 } });
    expect(s.memory).toMatchObject({ usage: 4096, limit: 32 << 20, stat: { anon: 100, inactive_file: 7 }, oomKills: 1 });
    expect(s.pids).toEqual({ current: 2, limit: 8 });
    expect(s.blkio.ioServiceBytesRecursive).toHaveLength(2);

    // remove(): kills stragglers until the cgroup is empty, then rmdir.
    const killer = { kill: (pid: number) => {
      killed.push(pid);
      void writeFile(join(dir, 'cgroup.procs'), '');
    } };
    const m2 = await CgroupV2Manager.open({ root: t.root, parent: 'berth', fs: t.fs, killer });
    await m2.remove(ID);
    expect(killed).toContain(101);
    expect(existsSync(dir)).toBe(false);
    await m2.remove(ID); // idempotent
  });

  it('writes the memory reservation as memory.low and delegates cpuset only to a pinned container', async () => {
    const t = await tree('v2');
    const m = await CgroupV2Manager.open({ root: t.root, parent: 'berth', fs: t.fs, attachDeviceFilter: async () => undefined });
    const dir = join(t.root, 'berth', ID);
    await m.create(ID, toCgroupLimits({ memoryReservation: 64 << 20, cpusetCpus: '0', cpusetMems: '0' }));
    expect(await readFile(join(t.root, 'berth', 'cgroup.subtree_control'), 'utf8')).toBe('+cpu +memory +pids +io +cpuset');
    expect(await readFile(join(dir, 'memory.low'), 'utf8')).toBe(String(64 << 20));
    expect(await readFile(join(dir, 'cpuset.cpus'), 'utf8')).toBe('0');
    expect(await readFile(join(dir, 'cpuset.mems'), 'utf8')).toBe('0');
  });

  it('a privileged container gets no device filter; without a loader an unprivileged one is refused', async () => {
    const t = await tree('v2');
    const filters: string[] = [];
    const m = await CgroupV2Manager.open({ root: t.root, parent: 'berth', fs: t.fs, attachDeviceFilter: async (d) => void filters.push(d) });
    await m.create(ID, { allowAllDevices: true });
    expect(filters).toEqual([]);
    await m.create(ID, { devices: [parseDeviceRule('c 10:229 rwm')] });
    expect(filters).toHaveLength(1);
    const bare = await CgroupV2Manager.open({ root: t.root, parent: 'berth', fs: t.fs });
    await expect(bare.create(ID, {})).rejects.toThrow(/device filter/);
    await bare.create(ID, { allowAllDevices: true });
  });

  it('unlimited values read as "max"', async () => {
    const t = await tree('v2');
    const m = await CgroupV2Manager.open({ root: t.root, parent: 'berth', fs: t.fs, attachDeviceFilter: async () => undefined });
    await m.create(ID, {});
    const dir = join(t.root, 'berth', ID);
    expect(await readFile(join(dir, 'memory.max'), 'utf8')).toBe('max');
    expect(await readFile(join(dir, 'cpu.max'), 'utf8')).toBe('max 100000');
    expect(await readFile(join(dir, 'pids.max'), 'utf8')).toBe('max');
    expect((await m.stats(ID)).memory.limit).toBeUndefined();
  });
});

describe('CgroupV1Manager on a fake cgroupfs', () => {
  it('creates one dir per hierarchy, writes limits, memsw and reports OOM kills', async () => {
    const t = await tree('v1');
    const m = await CgroupV1Manager.open({ root: t.root, parent: 'berth', fs: t.fs });
    expect(m.features()).toMatchObject({ memoryLimit: true, swapLimit: true, pidsLimit: true });
    await m.create(ID, toCgroupLimits({ memory: 64 << 20, nanoCpus: 2e9, cpuShares: 512, pidsLimit: 100 }));
    const rd = (c: string, f: string): Promise<string> => readFile(join(t.root, c, 'berth', ID, f), 'utf8');
    expect(await rd('memory', 'memory.limit_in_bytes')).toBe(String(64 << 20));
    expect(await rd('memory', 'memory.memsw.limit_in_bytes')).toBe(String(128 << 20));
    expect(await rd('cpu', 'cpu.cfs_quota_us')).toBe('200000');
    expect(await rd('cpu', 'cpu.shares')).toBe('512');
    expect(await rd('pids', 'pids.max')).toBe('100');
    const part = m.planPart(ID);
    expect(part.procsFiles).toEqual([]);
    expect(part.threadFiles).toEqual(['memory', 'cpu', 'cpuacct', 'pids'].map((c) => join(t.root, c, 'berth', ID, 'tasks')));
    expect(part.oomFile).toBe(join(t.root, 'memory', 'berth', ID, 'memory.oom_control'));
    await writeFile(join(t.root, 'memory', 'berth', ID, 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n');
    expect(await m.oomKills(ID)).toBe(2);
    await m.remove(ID);
    for (const c of ['memory', 'cpu', 'cpuacct', 'pids']) expect(existsSync(join(t.root, c, 'berth', ID))).toBe(false);
  });

  it('devices: deny all, then the defaults and the container\'s own rules', async () => {
    const t = await tree('v1');
    await mkdir(join(t.root, 'devices'));
    await writeFile(join(t.root, 'devices', 'cgroup.procs'), '1\n');
    const writes: string[] = [];
    const fs = { ...t.fs, writeFile: async (p: string, d: string) => void writes.push(`${p.slice(t.root.length)} ${d}`) };
    const m = await CgroupV1Manager.open({ root: t.root, parent: 'berth', fs });
    await m.create(ID, { devices: [parseDeviceRule('c 10:229 rwm')] });
    const dev = writes.filter((w) => w.startsWith(`/devices/berth/${ID}/devices.`)).map((w) => w.split('/').at(-1));
    expect(dev).toEqual(['devices.deny a', ...DEFAULT_DEVICE_RULES.map((r) => `devices.allow ${formatDeviceRule(r)}`), 'devices.allow c 10:229 rwm']);
    writes.length = 0;
    await m.create(ID, { allowAllDevices: true });
    expect(writes.filter((w) => w.includes('devices.'))).toEqual([]);
  });

  it('refuses ids that could escape the parent', async () => {
    const t = await tree('v1');
    const m = await CgroupV1Manager.open({ root: t.root, parent: 'berth', fs: t.fs });
    await expect(m.create('../x', {})).rejects.toThrow(/invalid cgroup name/);
  });
});
