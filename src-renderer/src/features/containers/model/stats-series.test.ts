import { describe, expect, it } from 'vitest';
import type { StatsView } from '../../../../../src-shared/ipc/models/containers';
import { HISTORY_MS, StatsHistory } from './stats-history';
import { toStatsSeries } from './stats-series';

const sample = (at: number, over: Partial<StatsView> = {}): StatsView => ({
  id: 'c1',
  at,
  cpuPercent: 10,
  onlineCpus: 2,
  memoryUsage: 1000,
  memoryLimit: 4000,
  memoryPercent: 25,
  pids: 1,
  pidsLimit: null,
  netRx: 0,
  netTx: 0,
  blockRead: 0,
  blockWrite: 0,
  ...over,
});

describe('toStatsSeries', () => {
  it('turns cumulative byte counters into per-second rates', () => {
    const s = toStatsSeries([sample(1000, { netRx: 0, netTx: 100 }), sample(2000, { netRx: 500, netTx: 100 }), sample(2500, { netRx: 1000, netTx: 300 })]);
    expect(s.t).toEqual([1, 2, 2.5]);
    expect(s.netRxRate).toEqual([null, 500, 1000]);
    expect(s.netTxRate).toEqual([null, 0, 400]);
  });

  it('leaves a hole, not a rate, across a gap or a counter reset', () => {
    const s = toStatsSeries([sample(1000, { blockRead: 100 }), sample(60_000, { blockRead: 900 }), sample(61_000, { blockRead: 50 }), sample(62_000, { blockRead: 150 })]);
    expect(s.blockReadRate).toEqual([null, null, null, 100]);
  });

  it('keeps memory usage with its limit', () => {
    const s = toStatsSeries([sample(1000), sample(2000, { memoryUsage: 2000 })]);
    expect(s.memoryUsage).toEqual([1000, 2000]);
    expect(s.memoryLimit).toEqual([4000, 4000]);
  });
});

describe('StatsHistory', () => {
  it('keeps each container history apart and only the last few minutes of it', () => {
    const h = new StatsHistory();
    h.append('local/a', sample(0));
    h.append('local/b', sample(500));
    h.append('local/a', sample(HISTORY_MS + 1000));
    expect(h.get('local/a').map((s) => s.at)).toEqual([HISTORY_MS + 1000]);
    expect(h.get('local/b')).toHaveLength(1);
    expect(h.get('ssh-1/a')).toHaveLength(0);
  });

  it('gives a new snapshot and tells subscribers on each append, ignoring replayed samples', () => {
    const h = new StatsHistory();
    let calls = 0;
    const off = h.subscribe(() => calls++);
    h.append('k', sample(1000));
    const first = h.get('k');
    h.append('k', sample(2000));
    expect(h.get('k')).not.toBe(first);
    h.append('k', sample(1500));
    expect(h.get('k').map((s) => s.at)).toEqual([1000, 2000]);
    off();
    h.append('k', sample(3000));
    expect(calls).toBe(2);
  });

  it('forgets the least recently fed container beyond its cap', () => {
    const h = new StatsHistory(2);
    h.append('a', sample(1));
    h.append('b', sample(1));
    h.append('a', sample(2));
    h.append('c', sample(1));
    expect(h.get('b')).toHaveLength(0);
    expect(h.get('a')).toHaveLength(2);
  });
});
