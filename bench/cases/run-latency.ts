/**
 * `docker run --rm --network none busybox true`: the whole create → attach → wait → start → exit
 * → remove round trip through the docker CLI, the figure users feel. The fixture is pulled and
 * tagged `busybox` in setup (not measured); one warm-up run, then the median of 7 runs.
 */
import { busyboxImage } from '../../test/harness/fixtures';
import { dockerOk, medianOf, pullFixture, type MeasuredBenchmark } from '../framework';

const RUNS = 7;

export const runLatencyBenchmark: MeasuredBenchmark = {
  name: 'run --rm --network none busybox true',
  description: 'docker run round trip (create, attach, wait, start, exit, auto-remove), median of 7 after a warm-up',
  unit: 's',
  target: '<= 0.35',
  measure: async (engine, ctx) => {
    const image = await pullFixture(engine, ctx, 'bench/busybox', await busyboxImage(), 'busybox:latest');
    const args = ['run', '--rm', '--network', 'none', image, 'true'];
    await dockerOk(engine, args);
    return medianOf(RUNS, async (i) => {
      const r = await dockerOk(engine, args);
      ctx.log(`run on ${engine.name} #${i + 1}: ${r.ms} ms`);
      return r.ms / 1000;
    });
  },
};
