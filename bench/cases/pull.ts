/**
 * `docker pull` from a loopback registry, three images:
 * - large files: 4 layers of a few big random + text files (~106 MB compressed, ~250 MB unpacked);
 * - Debian: a Debian 12 root filesystem in 4 layers (base, packages, app files, config with
 *   whiteouts), ~9,600 entries (bench/fixtures/debian-image.ts);
 * - small files: busybox + a node_modules-like layer of 42,000 small files in deep trees with
 *   symlinks and hardlinks (test/harness/tree-image.ts).
 * The image is deleted from the engine before every run so each pull fetches and unpacks all
 * layers. The figure is the median wall time of the pulls through the docker CLI; the details give
 * tar entries per second and the daemon's user and system CPU time per pull (median), read from
 * /proc for the daemon's whole process tree (berthd with its workers and helpers; dockerd with
 * containerd). Both data roots live in the bench's temp dir, on the same filesystem.
 */
import { execFileSync } from 'node:child_process';
import { debianImage } from '../fixtures/debian-image';
import { bigImage, pushImage, type FixtureImage } from '../../test/harness/fixtures';
import { smallFilesImage } from '../../test/harness/tree-image';
import { dockerOk, median, treeCpuSeconds, type BenchContext, type Engine, type MeasuredBenchmark } from '../framework';

const RUNS = Number(process.env.BERTH_BENCH_PULL_RUNS ?? 3);

/** Removes the image and proves it is gone, so the next pull cannot be a no-op. */
async function removeImage(engine: Engine, image: string): Promise<void> {
  await engine.docker(['rmi', '-f', image]);
  const still = await engine.docker(['image', 'inspect', image]);
  if (still.code === 0) throw new Error(`cannot delete ${image} between runs (docker rmi did not remove it)`);
}

function tarEntries(image: FixtureImage): number {
  let n = 0;
  for (const l of image.layers) n += Number(execFileSync('sh', ['-c', 'gzip -dc | tar -t | wc -l'], { input: l.tgz, encoding: 'utf8', maxBuffer: 64 << 20 }).trim());
  return n;
}

function pullCase(name: string, description: string, repo: string, build: (ctx: BenchContext) => Promise<FixtureImage>): MeasuredBenchmark {
  let entries = 0;
  const ref = (ctx: BenchContext): string => `${ctx.registry.host}/${repo}:latest`;
  return {
    name,
    description,
    unit: 's',
    target: '<= 0.5',
    setup: async (ctx) => {
      ctx.log(`${name}: building (or loading cached) image and pushing it to the loopback registry`);
      const image = await build(ctx);
      entries = tarEntries(image);
      await pushImage(ctx.registry.url, repo, 'latest', image);
    },
    measure: async (engine, ctx) => {
      const image = ref(ctx);
      await removeImage(engine, image);
      const secs: number[] = [];
      const users: number[] = [];
      const systems: number[] = [];
      try {
        for (let i = 0; i < RUNS; i++) {
          // Dirty pages of the previous run's delete would otherwise be written back during this pull.
          execFileSync('sync');
          const before = treeCpuSeconds(engine.pids());
          const r = await dockerOk(engine, ['pull', image], { timeoutMs: 600_000 });
          const after = treeCpuSeconds(engine.pids());
          await dockerOk(engine, ['image', 'inspect', image]);
          const s = r.ms / 1000;
          secs.push(s);
          users.push(after.user - before.user);
          systems.push(after.system - before.system);
          ctx.log(`${name} on ${engine.name} #${i + 1}: ${s.toFixed(2)} s, ${Math.round(entries / s)} files/s, cpu user ${users[i]!.toFixed(2)} s sys ${systems[i]!.toFixed(2)} s`);
          await removeImage(engine, image);
        }
      } finally {
        await engine.docker(['rmi', '-f', image]);
      }
      const s = median(secs);
      return {
        value: s,
        detail: `${RUNS} runs ${secs.map((x) => x.toFixed(2)).join('/')} s; ${Math.round(entries / s)} files/s (${entries} entries); daemon cpu user ${median(users).toFixed(2)} s + sys ${median(systems).toFixed(2)} s`,
      };
    },
  };
}

export const pullBenchmark = pullCase('pull 4-layer 106 MB image', 'large files: docker pull from a loopback registry, image removed between runs', 'bench/big', () => bigImage());

export const pullDebianBenchmark = pullCase('pull Debian 12 rootfs image', 'debootstrap rootfs in 4 layers (base, packages, app, config+whiteouts)', 'bench/debian', async (ctx) => (await debianImage(ctx.log)).image);

export const pullSmallFilesBenchmark = pullCase('pull small-files image', 'node_modules-like: 42,000 small files, deep trees, symlinks, hardlinks', 'bench/smallfiles', async () => (await smallFilesImage()).image);
