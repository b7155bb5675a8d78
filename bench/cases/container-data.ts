/**
 * Container data, side by side with dockerd:
 * - `docker cp` of a ~200 MB project tree into and out of a running container. The tree is what a
 *   user copies: a node_modules-like tree of 42,000 small files in deep directories with symlinks,
 *   hardlinks and mixed owners and modes (test/harness/tree-image.ts), plus build artefacts and
 *   assets of 64 KiB to 8 MiB (seeded, incompressible) making up the rest. Median of 3; a fresh
 *   destination each run.
 * - `docker save` and `docker load` of the 4-layer pull image (~250 MB unpacked): save to a file,
 *   then load it into the engine after removing the image. Median of 3.
 * The CLI's own tar work on the client side is part of every figure, for both engines alike.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bigImage, busyboxImage, seededRandomBytes } from '../../test/harness/fixtures';
import { smallFilesTree } from '../../test/harness/tree-image';
import { dockerOk, medianOf, pullFixture, type BenchContext, type Engine, type MeasuredBenchmark } from '../framework';

const RUNS = 3;

/** Builds the ~200 MB tree once per bench run (about 30 s). */
async function ensureTree(ctx: BenchContext): Promise<string> {
  const root = join(ctx.tmpDir, 'cp-tree');
  if (existsSync(join(root, '.complete'))) return root;
  await rm(root, { recursive: true, force: true });
  ctx.log('writing the ~200 MB cp tree (node_modules-like small files + assets)');
  smallFilesTree(root);
  const assets = join(root, 'app/dist/assets');
  await mkdir(assets, { recursive: true });
  // ~118 MB of artefacts: a few large bundles and many mid-size images.
  const sizes = [8 << 20, 8 << 20, 6 << 20, 4 << 20, 4 << 20, 2 << 20, 2 << 20, 2 << 20];
  for (let i = 0; i < 300; i++) sizes.push(64 << 10 << (i % 4));
  let i = 0;
  for (const size of sizes) await writeFile(join(assets, `asset-${i++}.bin`), seededRandomBytes(`cp-asset-${i}`, size));
  await writeFile(join(root, '.complete'), '');
  return root;
}

async function runningContainer(engine: Engine, ctx: BenchContext, name: string): Promise<void> {
  const image = await pullFixture(engine, ctx, 'bench/busybox', await busyboxImage(), 'busybox:latest');
  await engine.docker(['rm', '-f', name]);
  await dockerOk(engine, ['run', '-d', '--name', name, image, 'sleep', '3600']);
}

export const cpIntoBenchmark: MeasuredBenchmark = {
  name: 'docker cp 200 MB tree into a container',
  description: '42,000 small files (symlinks, hardlinks, owners) + 118 MB of assets, running container, median of 3',
  unit: 's',
  target: '<= 0.5',
  setup: async (ctx) => void (await ensureTree(ctx)),
  measure: async (engine, ctx) => {
    const tree = await ensureTree(ctx);
    const name = 'bench-cp-in';
    await runningContainer(engine, ctx, name);
    try {
      return await medianOf(RUNS, async (i) => {
        await dockerOk(engine, ['exec', name, 'mkdir', `/dst${i}`]);
        const r = await dockerOk(engine, ['cp', join(tree, 'app'), `${name}:/dst${i}/`], { timeoutMs: 600_000 });
        ctx.log(`cp into ${engine.name} #${i + 1}: ${(r.ms / 1000).toFixed(2)} s`);
        // Each run has its own destination; the container (and its layer) goes at the end.
        return r.ms / 1000;
      });
    } finally {
      await engine.docker(['rm', '-f', name]);
    }
  },
};

export const cpOutOfBenchmark: MeasuredBenchmark = {
  name: 'docker cp 200 MB tree out of a container',
  description: 'the same tree copied in once, then out to a fresh host dir, running container, median of 3',
  unit: 's',
  target: '<= 0.5',
  setup: async (ctx) => void (await ensureTree(ctx)),
  measure: async (engine, ctx) => {
    const tree = await ensureTree(ctx);
    const name = 'bench-cp-out';
    await runningContainer(engine, ctx, name);
    try {
      await dockerOk(engine, ['cp', join(tree, 'app'), `${name}:/`], { timeoutMs: 600_000 });
      return await medianOf(RUNS, async (i) => {
        const out = join(ctx.tmpDir, `cp-out-${engine.name}-${i}`);
        await mkdir(out);
        const r = await dockerOk(engine, ['cp', `${name}:/app`, out], { timeoutMs: 600_000 });
        ctx.log(`cp out of ${engine.name} #${i + 1}: ${(r.ms / 1000).toFixed(2)} s`);
        await rm(out, { recursive: true, force: true });
        return r.ms / 1000;
      });
    } finally {
      await engine.docker(['rm', '-f', name]);
    }
  },
};

async function bigRef(engine: Engine, ctx: BenchContext): Promise<string> {
  return pullFixture(engine, ctx, 'bench/big', await bigImage());
}

export const saveBenchmark: MeasuredBenchmark = {
  name: 'save 4-layer image',
  description: 'docker save -o of the pull image (~250 MB unpacked), median of 3',
  unit: 's',
  target: '<= 0.5',
  measure: async (engine, ctx) => {
    const image = await bigRef(engine, ctx);
    return medianOf(RUNS, async (i) => {
      const file = join(ctx.tmpDir, `save-${engine.name}.tar`);
      const r = await dockerOk(engine, ['save', '-o', file, image], { timeoutMs: 600_000 });
      ctx.log(`save on ${engine.name} #${i + 1}: ${(r.ms / 1000).toFixed(2)} s`);
      await rm(file, { force: true });
      return r.ms / 1000;
    });
  },
};

export const loadBenchmark: MeasuredBenchmark = {
  name: 'load 4-layer image',
  description: "docker load -i of the engine's own save of the pull image, image removed before each run, median of 3",
  unit: 's',
  target: '<= 0.5',
  measure: async (engine, ctx) => {
    const image = await bigRef(engine, ctx);
    const file = join(ctx.tmpDir, `load-${engine.name}.tar`);
    await dockerOk(engine, ['save', '-o', file, image], { timeoutMs: 600_000 });
    try {
      return await medianOf(RUNS, async (i) => {
        await dockerOk(engine, ['rmi', '-f', image]);
        const r = await dockerOk(engine, ['load', '-q', '-i', file], { timeoutMs: 600_000 });
        await dockerOk(engine, ['image', 'inspect', image]);
        ctx.log(`load on ${engine.name} #${i + 1}: ${(r.ms / 1000).toFixed(2)} s`);
        return r.ms / 1000;
      });
    } finally {
      await rm(file, { force: true });
    }
  },
};
