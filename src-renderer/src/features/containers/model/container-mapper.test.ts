import { describe, expect, it } from 'vitest';
import { fakeContainer } from '../../../testing/fixtures';
import { countContainers, sameRow, toContainerRowView, toContainerRowViews } from './container-mapper';

const NOW = 1_700_000_000_000;

describe('container row view', () => {
  it('turns published ports into links on the local engine, SSH tunnels on a remote one, none when stopped', () => {
    const ports = [
      { hostIp: '0.0.0.0', hostPort: 8080, containerPort: 80, proto: 'tcp' },
      { hostIp: '127.0.0.1', hostPort: 9000, containerPort: 90, proto: 'tcp' },
      { hostIp: '0.0.0.0', hostPort: 5353, containerPort: 53, proto: 'udp' },
    ];
    const local = toContainerRowView(fakeContainer(1, { ports }), undefined, 0, undefined, '127.0.0.1');
    expect(local.ports.map((p) => [p.label, p.url])).toEqual([
      ['8080→80/tcp', 'http://127.0.0.1:8080/'],
      ['9000→90/tcp', 'http://127.0.0.1:9000/'],
      ['5353→53/udp', null],
    ]);
    const remote = toContainerRowView(fakeContainer(1, { ports }), undefined, 0).ports;
    expect(remote.every((p) => p.url === null)).toBe(true);
    expect(remote.map((p) => p.tunnel)).toEqual([{ port: 8080, ip: '0.0.0.0' }, { port: 9000, ip: '127.0.0.1' }, null]);
    expect(toContainerRowView(fakeContainer(4, { ports }), undefined, 0, undefined, '127.0.0.1').ports).toEqual([]);
  });

  it('formats a running container with live stats', () => {
    const row = toContainerRowView(fakeContainer(1, { created: NOW - 180_000 }), { cpuPercent: 12.34, memoryUsage: 5 * 1024 * 1024, memoryLimit: 1024 ** 3 }, NOW);
    expect(row).toMatchObject({ name: 'app-1', stateLabel: 'Running', tone: 'ok', created: '3 minutes ago', cpu: '12%', memory: '5.0 MiB', running: true, canStart: false, canStop: true });
    expect(row.memoryTitle).toBe('5.0 MiB of 1.0 GiB');
  });

  it('shows no usage for a stopped container', () => {
    const row = toContainerRowView(fakeContainer(0), { cpuPercent: 1, memoryUsage: 1, memoryLimit: 1 }, NOW);
    expect(row).toMatchObject({ state: 'exited', cpu: '—', memory: '—', canStart: true, canStop: false, tone: 'muted' });
  });

  it('sorts newest first and counts running ones', () => {
    const rows = toContainerRowViews([fakeContainer(5), fakeContainer(1), fakeContainer(3)], {}, NOW);
    expect(rows.map((r) => r.name)).toEqual(['app-1', 'app-3', 'app-5']);
    expect(countContainers(rows).label).toBe('3 containers, 3 running');
  });

  it('compares rows by content so memoised rows skip identical re-renders', () => {
    const a = toContainerRowView(fakeContainer(1), undefined, NOW);
    expect(sameRow(a, toContainerRowView(fakeContainer(1), undefined, NOW))).toBe(true);
    expect(sameRow(a, toContainerRowView(fakeContainer(1, { state: 'exited' }), undefined, NOW))).toBe(false);
  });
});
