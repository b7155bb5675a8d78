/**
 * `docker pull` of a 4-layer image (~106 MB compressed, ~250 MB unpacked) from a loopback
 * registry. The image is deleted from the engine before every run so each pull fetches and unpacks
 * all layers; the figure is the median wall time of 3 pulls through the docker CLI.
 */
import { bigImage, pushImage } from '../../test/harness/fixtures';
import { dockerOk, medianOf, type BenchContext, type Engine, type MeasuredBenchmark } from '../framework';

const RUNS = 3;
const REPO = 'bench/big';

function ref(ctx: BenchContext): string {
  return `${ctx.registry.host}/${REPO}:latest`;
}

/** Removes the image and proves it is gone, so the next pull cannot be a no-op. */
async function removeImage(engine: Engine, image: string): Promise<void> {
  await engine.docker(['rmi', '-f', image]);
  const still = await engine.docker(['image', 'inspect', image]);
  if (still.code === 0) throw new Error(`cannot delete ${image} between runs (docker rmi did not remove it)`);
}

export const pullBenchmark: MeasuredBenchmark = {
  name: 'pull 4-layer 106 MB image',
  description: 'docker pull from a loopback registry, median of 3, image removed between runs',
  unit: 's',
  target: '<= 0.5',
  setup: async (ctx) => {
    ctx.log('building (or loading cached) big image and pushing it to the loopback registry');
    const image = await bigImage();
    await pushImage(ctx.registry.url, REPO, 'latest', image);
  },
  measure: async (engine, ctx) => {
    const image = ref(ctx);
    await removeImage(engine, image);
    try {
      return await medianOf(RUNS, async (i) => {
        const r = await dockerOk(engine, ['pull', image], { timeoutMs: 600_000 });
        await dockerOk(engine, ['image', 'inspect', image]);
        ctx.log(`pull on ${engine.name} #${i + 1}: ${(r.ms / 1000).toFixed(2)} s`);
        await removeImage(engine, image);
        return r.ms / 1000;
      });
    } finally {
      await engine.docker(['rmi', '-f', image]);
    }
  },
};
