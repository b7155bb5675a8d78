import { describe, expect, it } from 'vitest';
import { fakeContainer } from '../../../testing/fixtures';
import { countContainers, sameRow, toContainerRowView, toContainerRowViews } from './container-mapper';

const NOW = 1_700_000_000_000;

describe('container row view', () => {
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
