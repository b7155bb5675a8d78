/**
 * `docker pull` from a loopback registry, three images:
 * - large files: 4 layers of a few big random + text files (~106 MB compressed, ~250 MB unpacked);
 * - Debian: a Debian 12 root filesystem in 4 layers (base, packages, app files, config with
 *   whiteouts), ~9,600 entries (bench/fixtures/debian-image.ts);
 * - small files: busybox + a node_modules-like layer of 42,000 small files in deep trees with
 *   symlinks and hardlinks (test/harness/tree-image.ts).
 * The image is deleted from the engine before every run so each pull fetches and unpacks all
 * layers; berthd and dockerd take turns. The figure is the median wall time of the pulls through
 * the docker CLI (BERTH_BENCH_PULL_RUNS, default 3, per engine); the details give
 * tar entries per second and the daemon's user and system CPU time per pull (median), read from
 * /proc for the daemon's whole process tree (berthd with its workers and helpers; dockerd with
 * containerd). Both data roots live in the bench's temp dir, on the same filesystem.
 */
import { execFileSync } from 'node:child_process';
import { debianImage } from '../fixtures/debian-image';
import { bigImage, pushImage, type FixtureImage } from '../../test/harness/fixtures';
import { smallFilesImage } from '../../test/harness/tree-image';
import { dockerOk, median, treeCpuSeconds, type BenchContext, type BenchResult, type Engine, type WholeBenchmark } from '../framework';

const RUNS = Number(process.env.BERTH_BENCH_PULL_RUNS ?? 3);

/** Removes the image and proves it is gone, so the next pull cannot be a no-op. */
async function removeImage(engine: Engine, image: string): Promise<void> {
  // dockerd needs more than the CLI helper's default minute to delete 50,000 files here.
  await engine.docker(['rmi', '-f', image], { timeoutMs: 600_000 });
  const still = await engine.docker(['image', 'inspect', image]);
  if (still.code === 0) throw new Error(`cannot delete ${image} between runs (docker rmi did not remove it)`);
}

function tarEntries(image: FixtureImage): number {
  let n = 0;
  for (const l of image.layers) n += Number(execFileSync('sh', ['-c', 'gzip -dc | tar -t | wc -l'], { input: l.tgz, encoding: 'utf8', maxBuffer: 64 << 20 }).trim());
  return n;
}

/**
 * ext4 without a journal (this machine's root filesystem) skips inodes freed within the last 60 s
 * when it allocates new ones, scanning past each of them: right after `rmi` of a 40,000-file image,
 * every file the next pull creates costs a scan over all of them (perf shows ~70% of `tar -x`'s
 * system time in `recently_deleted`). Real pulls rarely follow such a delete, so before a run of
 * an image with many files the bench syncs and waits until the previous delete is this old.
 */
const SETTLE_MS = Number(process.env.BERTH_BENCH_PULL_SETTLE_S ?? 65) * 1000;

interface EngineRuns {
  secs: number[];
  users: number[];
  systems: number[];
  error?: string;
}

function pullCase(name: string, description: string, repo: string, build: (ctx: BenchContext) => Promise<FixtureImage>): WholeBenchmark {
  return {
    name,
    description,
    run: async (ctx) => {
      ctx.log(`${name}: building (or loading cached) image and pushing it to the loopback registry`);
      const fixture = await build(ctx);
      const entries = tarEntries(fixture);
      await pushImage(ctx.registry.url, repo, 'latest', fixture);
      const image = `${ctx.registry.host}/${repo}:latest`;
      const engines: Engine[] = [ctx.berthd, ...(ctx.dockerd ? [ctx.dockerd] : [])];
      const runs = new Map<Engine, EngineRuns>(engines.map((e) => [e, { secs: [], users: [], systems: [] }]));
      let lastDelete = 0;
      const settle = async (): Promise<void> => {
        execFileSync('sync');
        const wait = entries >= 1000 ? lastDelete + SETTLE_MS - Date.now() : 0;
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      };
      for (const e of engines) await removeImage(e, image);
      lastDelete = Date.now();
      // A/B in the same run, alternating which engine goes first, so drift in the machine's load
      // falls on both.
      for (let i = 0; i < RUNS; i++) {
        const order = i % 2 === 0 ? engines : [...engines].reverse();
        for (const engine of order) {
          const r = runs.get(engine)!;
          if (r.error) continue;
          try {
            await settle();
            const before = treeCpuSeconds(engine.pids());
            const res = await dockerOk(engine, ['pull', image], { timeoutMs: 600_000 });
            const after = treeCpuSeconds(engine.pids());
            await dockerOk(engine, ['image', 'inspect', image]);
            const sec = res.ms / 1000;
            r.secs.push(sec);
            r.users.push(after.user - before.user);
            r.systems.push(after.system - before.system);
            ctx.log(`${name} on ${engine.name} #${i + 1}: ${sec.toFixed(2)} s, ${Math.round(entries / sec)} files/s, cpu user ${r.users.at(-1)!.toFixed(2)} s sys ${r.systems.at(-1)!.toFixed(2)} s`);
            await removeImage(engine, image);
            lastDelete = Date.now();
          } catch (e) {
            r.error = e instanceof Error ? e.message.split('\n')[0]!.slice(0, 200) : String(e);
            ctx.log(`${name} on ${engine.name}: ${r.error}`);
            await engine.docker(['rmi', '-f', image], { timeoutMs: 600_000 });
          }
        }
      }
      const result: BenchResult = { berthd: null, unit: 's', target: '<= 0.5', notes: {}, details: {} };
      if (ctx.dockerd) result.dockerd = null;
      for (const [engine, r] of runs) {
        if (r.error || r.secs.length === 0) {
          result.notes![engine.name] = `not available: ${r.error ?? 'no runs'}`;
          continue;
        }
        const sec = median(r.secs);
        result[engine.name] = sec;
        result.details![engine.name] = `${r.secs.length} runs ${r.secs.map((x) => x.toFixed(2)).join('/')} s; ${Math.round(entries / sec)} files/s (${entries} entries); daemon cpu user ${median(r.users).toFixed(2)} s + sys ${median(r.systems).toFixed(2)} s`;
      }
      return result;
    },
  };
}

export const pullBenchmark = pullCase('pull 4-layer 106 MB image', 'large files: docker pull from a loopback registry, image removed between runs', 'bench/big', () => bigImage());

export const pullDebianBenchmark = pullCase('pull Debian 12 rootfs image', 'debootstrap rootfs in 4 layers (base, packages, app, config+whiteouts)', 'bench/debian', async (ctx) => (await debianImage(ctx.log)).image);

export const pullSmallFilesBenchmark = pullCase('pull small-files image', 'node_modules-like: 42,000 small files, deep trees, symlinks, hardlinks', 'bench/smallfiles', async () => (await smallFilesImage()).image);
