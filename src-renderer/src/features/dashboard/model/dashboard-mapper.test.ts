import { describe, expect, it } from 'vitest';
import type { DiskUsageView, EngineInfoView } from '../../../../../src-shared/ipc/models/system';
import { toContainerCounts, toDiskRows, toResourceFacts } from './dashboard-mapper';

const info = (over: Partial<EngineInfoView> = {}): EngineInfoView => ({
  hostId: 'local',
  name: 'box',
  serverVersion: '0.1.0',
  apiVersion: '1.45',
  os: 'linux',
  operatingSystem: 'Debian GNU/Linux 12',
  kernelVersion: '6.1.0-18-amd64',
  architecture: 'x86_64',
  ncpu: 2,
  memTotal: 8 * 1024 ** 3,
  storageDriver: 'overlay2',
  cgroupVersion: '1',
  dockerRootDir: '/var/lib/berth',
  containers: 6,
  containersRunning: 3,
  containersPaused: 1,
  containersStopped: 2,
  images: 4,
  registryMirrors: [],
  isBerth: true,
  warnings: [],
  ...over,
});

const df: DiskUsageView = {
  images: { total: 4, active: 1, size: 253_400_000, reclaimable: 210_000_000 },
  containers: { total: 6, active: 4, size: 12_000, reclaimable: 3_000 },
  volumes: { total: 0, active: 0, size: 0, reclaimable: 0 },
  buildCache: { total: 2, active: 0, size: 1_500, reclaimable: 1_500 },
};

describe('dashboard mapper', () => {
  it('counts running, paused and stopped containers from the engine info', () => {
    expect(toContainerCounts(info()).map((c) => [c.state, c.count])).toEqual([
      ['running', 3],
      ['paused', 1],
      ['stopped', 2],
    ]);
  });

  it('gives the four system df rows in the CLI order with the size and reclaimable percent', () => {
    const rows = toDiskRows(df);
    expect(rows.map((r) => r.label)).toEqual(['Images', 'Containers', 'Local volumes', 'Build cache']);
    expect(rows[0]).toMatchObject({ countLabel: '4 (1 in use)', sizeBytes: 253_400_000, size: '253 MB', reclaimable: '210 MB (82%)' });
    expect(rows[1]?.reclaimable).toBe('3.00 kB (25%)');
    expect(rows[3]?.reclaimable).toBe('1.50 kB (100%)');
  });

  it('cuts the percent as the CLI does, and gives none for an empty category instead of dividing by zero', () => {
    expect(toDiskRows(df)[0]?.reclaimable).toBe('210 MB (82%)');
    expect(toDiskRows(df)[2]?.reclaimable).toBe('0 B');
  });

  it('lists the engine resources, with the default bridge only when the engine reports it', () => {
    const facts = toResourceFacts(info({ defaultBridge: { subnet: '172.17.0.0/16', gateway: '172.17.0.1' } }));
    const byKey = Object.fromEntries(facts.map((f) => [f.key, f.value]));
    expect(byKey).toMatchObject({
      CPUs: '2',
      Memory: '8.0 GiB',
      Kernel: '6.1.0-18-amd64',
      'Cgroup version': 'v1',
      'Storage driver': 'overlay2',
      'Data root': '/var/lib/berth',
      'Default bridge': '172.17.0.0/16 (gateway 172.17.0.1)',
    });
    expect(toResourceFacts(info()).some((f) => f.key === 'Default bridge')).toBe(false);
  });

  it('leaves out facts the engine does not report', () => {
    expect(toResourceFacts(info({ cgroupVersion: '', kernelVersion: '' })).map((f) => f.key)).not.toContain('Cgroup version');
    expect(toResourceFacts(info({ kernelVersion: '' })).map((f) => f.key)).not.toContain('Kernel');
  });
});
