/**
 * `docker build` with the classic builder (DOCKER_BUILDKIT=0 for dockerd; berthd has only that
 * one), side by side: a realistic 10-step multi-stage Dockerfile over a project context of 5,000
 * small files in deep directories (test/harness/tree-image.ts: symlinks, hardlinks, owners,
 * modes), a package manifest and a few assets.
 * - cold: `--no-cache`, every step runs (RUN containers, COPY of the whole tree, a second stage
 *   copying the first one's output); median of 3.
 * - warm: the same build again with the cache, every step answered from it; median of 3.
 * The base image is pulled before timing, for both engines alike; the CLI's own context tar is part
 * of every figure.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { busyboxImage, seededRandomBytes } from '../../test/harness/fixtures';
import { smallFilesTree } from '../../test/harness/tree-image';
import { dockerOk, medianOf, pullFixture, type BenchContext, type Engine, type MeasuredBenchmark } from '../framework';

const RUNS = 3;
const CLASSIC = { DOCKER_BUILDKIT: '0' };

const dockerfile = (base: string): string =>
  [
    `FROM ${base} AS build`,
    'WORKDIR /src',
    'COPY package.json ./',
    'RUN mkdir -p /out && sed -n "s/.*\\"name\\": *\\"\\([^\\"]*\\)\\".*/\\1/p" package.json > /out/name',
    'COPY src ./src',
    'RUN find src -type f | wc -l > /out/files && tar -cf /out/src.tar src',
    `FROM ${base}`,
    'WORKDIR /app',
    'COPY --from=build /out /app',
    'CMD ["sh", "-c", "cat /app/name /app/files"]',
    '',
  ].join('\n');

/** Writes the context once per bench run. */
async function ensureContext(ctx: BenchContext, base: string): Promise<string> {
  const root = join(ctx.tmpDir, 'build-context');
  if (!existsSync(join(root, '.complete'))) {
    await rm(root, { recursive: true, force: true });
    await mkdir(root, { recursive: true });
    ctx.log('writing the build context (5,000 small files + assets)');
    await mkdir(join(root, 'src'));
    smallFilesTree(join(root, 'src', 'app'), 5_000);
    await mkdir(join(root, 'src', 'assets'));
    for (let i = 0; i < 8; i++) await writeFile(join(root, 'src', 'assets', `img-${i}.bin`), seededRandomBytes(`build-asset-${i}`, 256 << 10));
    await writeFile(join(root, 'package.json'), JSON.stringify({ name: 'bench-app', version: '1.0.0', dependencies: { left: '1.0.0' } }, null, 2));
    await writeFile(join(root, '.dockerignore'), '.complete\n*.log\n');
    await writeFile(join(root, '.complete'), '');
  }
  await writeFile(join(root, 'Dockerfile'), dockerfile(base));
  return root;
}

async function prepare(engine: Engine, ctx: BenchContext): Promise<string> {
  const base = await pullFixture(engine, ctx, 'bench/busybox', await busyboxImage(), 'busybox:latest');
  return ensureContext(ctx, base);
}

async function build(engine: Engine, dir: string, tag: string, noCache: boolean): Promise<number> {
  const r = await dockerOk(engine, ['build', ...(noCache ? ['--no-cache'] : []), '-q', '-t', tag, dir], { timeoutMs: 900_000, env: CLASSIC });
  return r.ms / 1000;
}

export const buildColdBenchmark: MeasuredBenchmark = {
  name: 'build 10-step multi-stage, cold',
  description: 'classic builder, --no-cache, 5,000-file context copied in, 2 RUN steps, COPY --from; median of 3',
  unit: 's',
  target: '<= 0.5',
  measure: async (engine, ctx) => {
    const dir = await prepare(engine, ctx);
    return medianOf(RUNS, async (i) => {
      const s = await build(engine, dir, `bench-build:cold${i}`, true);
      ctx.log(`cold build on ${engine.name} #${i + 1}: ${s.toFixed(2)} s`);
      return s;
    });
  },
};

export const buildWarmBenchmark: MeasuredBenchmark = {
  name: 'build 10-step multi-stage, warm',
  description: 'the same build again, every step from the cache (the context is still sent and hashed); median of 3',
  unit: 's',
  target: '<= 0.5',
  measure: async (engine, ctx) => {
    const dir = await prepare(engine, ctx);
    await build(engine, dir, 'bench-build:warm', false);
    return medianOf(RUNS, async (i) => {
      const s = await build(engine, dir, 'bench-build:warm', false);
      ctx.log(`warm build on ${engine.name} #${i + 1}: ${s.toFixed(2)} s`);
      return s;
    });
  },
};
