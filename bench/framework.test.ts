import { describe, expect, it } from 'vitest';
import { checkTarget, formatTable, median, processTree, runBenchmark, treeRssBytes, type BenchContext, type Engine, type MeasuredBenchmark } from './framework';

const engine = (name: Engine['name']): Engine => ({
  name,
  dockerHost: `unix:///nonexistent/${name}.sock`,
  pids: () => [process.pid],
  docker: async () => ({ code: 0, stdout: '', stderr: '', ms: 0 }),
});

const ctx = (withDockerd: boolean): BenchContext => ({
  registry: { url: 'http://127.0.0.1:1', host: '127.0.0.1:1', port: 1 } as BenchContext['registry'],
  berthd: engine('berthd'),
  dockerd: withDockerd ? engine('dockerd') : undefined,
  tmpDir: '/tmp',
  log: () => undefined,
});

describe('bench framework', () => {
  it('parses targets', () => {
    expect(checkTarget(0.3, '<= 0.35')).toBe(true);
    expect(checkTarget(0.4, '<= 0.35')).toBe(false);
    expect(checkTarget(1.2, '>= 1×')).toBe(true);
    expect(checkTarget(0.5, '< 0.5')).toBe(false);
    expect(checkTarget(1, 'fast')).toBeNull();
  });

  it('takes medians', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });

  it('computes the ratio and checks the target when both engines measure', async () => {
    const b: MeasuredBenchmark = { name: 'x', unit: 's', target: '<= 0.5', measure: async (e) => (e.name === 'berthd' ? 1 : 4) };
    const r = await runBenchmark(b, ctx(true));
    expect(r).toMatchObject({ berthd: 1, dockerd: 4, ratio: 0.25, meetsTarget: true });
  });

  it('reports one engine as not available without losing the other', async () => {
    const b: MeasuredBenchmark = {
      name: 'y',
      unit: 's',
      target: '<= 0.5',
      measure: async (e) => {
        if (e.name === 'berthd') throw new Error('page not found\nmore detail');
        return 2;
      },
    };
    const r = await runBenchmark(b, ctx(true));
    expect(r.berthd).toBeNull();
    expect(r.dockerd).toBe(2);
    expect(r.ratio).toBeNull();
    expect(r.notes?.berthd).toBe('not available: page not found');
    const table = formatTable([r], true);
    expect(table).toContain('not available: page not found');
  });

  it('marks both engines not available when setup fails, and never throws', async () => {
    const b: MeasuredBenchmark = {
      name: 'z',
      unit: 's',
      setup: async () => {
        throw new Error('no fixture');
      },
      measure: async () => 1,
    };
    const r = await runBenchmark(b, ctx(false));
    expect(r.berthd).toBeNull();
    expect(r.notes?.berthd).toMatch(/setup failed.*no fixture/);
    expect(formatTable([r], false)).not.toContain('dockerd');
  });

  it('finds this process in its own tree and measures a plausible RSS', () => {
    expect(processTree(process.pid)).toContain(process.pid);
    const rss = treeRssBytes([process.pid]);
    expect(rss).toBeGreaterThan(10 * 1024 * 1024);
  });
});
