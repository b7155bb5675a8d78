/**
 * `npm run bench` (as root): berthd versus dockerd on the same machine, through the same docker CLI.
 *
 * Starts a loopback docker-registry and a berthd on a temporary socket and data root (in a fresh
 * dir under BERTH_BENCH_DIR, default /var/lib/berth-bench, removed afterwards), finds or
 * starts a dockerd (bench/dockerd.ts; without one the figures are absolute only), runs every
 * registered benchmark (bench/benchmarks.ts), prints a table of figures, ratios (berthd ÷ dockerd)
 * and targets, writes bench/results/latest.json, and stops everything it started.
 *
 * Flags: `--only <text>` runs the benchmarks whose name contains the text; `--no-dockerd` skips the
 * comparison; `--loop-fs` puts both data roots on a fresh loop-mounted ext4 (see mountLoopFs).
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { REPO_ROOT, startBerthd, type BerthdHandle } from '../test/harness/berthd';
import { startRegistry, type RegistryHandle } from '../test/harness/registry';
import { benchmarks } from './benchmarks';
import { ensureDockerd, type DockerdHandle } from './dockerd';
import { cliFor, formatTable, runBenchmark, type BenchContext, type BenchRecord } from './framework';

const { values: flags } = parseArgs({ options: { only: { type: 'string' }, 'no-dockerd': { type: 'boolean' }, 'loop-fs': { type: 'boolean' } } });

const execFileP = promisify(execFile);

/**
 * `--loop-fs`: a fresh ext4 (default mkfs, so with a journal, as on most hosts) on a sparse file in
 * `dir`, loop-mounted, for both daemons' data roots: the same filesystem for both, untouched by
 * the rest of the machine. Unmounted and deleted after the run.
 */
async function mountLoopFs(dir: string, cleanups: (() => Promise<void>)[]): Promise<string> {
  const img = join(dir, `fs-${process.pid}.img`);
  const mnt = join(dir, `fs-${process.pid}`);
  await execFileP('truncate', ['-s', '16G', img]);
  await execFileP('mkfs.ext4', ['-q', '-F', '-i', '65536', '-E', 'lazy_itable_init=0,lazy_journal_init=0', img]);
  await mkdir(mnt, { recursive: true });
  await execFileP('mount', ['-o', 'loop', img, mnt]);
  cleanups.push(async () => {
    await execFileP('umount', ['-l', mnt]).catch((e: Error) => log(`umount ${mnt}: ${e.message}`));
    await rm(mnt, { recursive: true, force: true });
    await rm(img, { force: true });
  });
  log(`data roots on a fresh loop-mounted ext4 at ${mnt}`);
  return mnt;
}

const log = (msg: string) => console.log(`[bench] ${msg}`);

async function main(): Promise<number> {
  if (process.getuid?.() !== 0) {
    console.error('[bench] must run as root (berthd and dockerd need namespaces, mounts and cgroups)');
    return 1;
  }
  // Both daemons' data roots live here, side by side on one filesystem. Not /tmp: on a shared
  // machine every test suite creates and deletes files there, and ext4 (no journal) makes new
  // inodes slow near recently freed ones, which measured 2-9x more system time for the same
  // `tar -x` in /tmp than in /var/lib.
  const benchRoot = process.env.BERTH_BENCH_DIR ?? '/var/lib/berth-bench';
  await mkdir(benchRoot, { recursive: true, mode: 0o700 });
  const cleanups: (() => Promise<void>)[] = [];
  const area = flags['loop-fs'] ? await mountLoopFs(benchRoot, cleanups) : benchRoot;
  const tmpDir = await mkdtemp(join(area, 'run-'));
  let stopping = false;
  const cleanup = async () => {
    if (stopping) return;
    stopping = true;
    for (const c of cleanups.reverse()) await c().catch((e: Error) => log(`cleanup: ${e.message}`));
    await rm(tmpDir, { recursive: true, force: true }).catch(() => undefined);
  };
  const onSignal = (sig: NodeJS.Signals) => {
    log(`${sig}: stopping everything started`);
    void cleanup().then(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    const registry: RegistryHandle = await startRegistry();
    cleanups.push(() => registry.stop());
    log(`registry on ${registry.url}`);

    const berthdDir = join(tmpDir, 'berthd');
    await mkdir(berthdDir, { recursive: true });
    const berthd: BerthdHandle = await startBerthd({ dir: berthdDir, config: {}, logLevel: 'warn' });
    cleanups.push(() => berthd.cleanup());
    log(`berthd pid ${berthd.process.pid} on ${berthd.socket}`);

    let dockerd: DockerdHandle | undefined;
    if (!flags['no-dockerd']) {
      dockerd = await ensureDockerd(tmpDir, log);
      if (dockerd) cleanups.push(() => dockerd!.stop());
      else log('no dockerd: reporting absolute figures only');
    }

    const ctx: BenchContext = {
      registry,
      tmpDir,
      log,
      berthd: {
        name: 'berthd',
        dockerHost: berthd.dockerHost,
        pids: () => (berthd.process.pid ? [berthd.process.pid] : []),
        docker: cliFor(berthd.dockerHost, join(tmpDir, 'docker-config-berthd')),
      },
      dockerd: dockerd
        ? { name: 'dockerd', dockerHost: dockerd.dockerHost, pids: dockerd.pids, docker: cliFor(dockerd.dockerHost, join(tmpDir, 'docker-config-dockerd')) }
        : undefined,
    };

    const selected = benchmarks.filter((b) => !flags.only || b.name.includes(flags.only));
    const records: BenchRecord[] = [];
    for (const b of selected) {
      log(`running: ${b.name}`);
      const rec = await runBenchmark(b, ctx);
      records.push(rec);
      log(`done: ${b.name} (${(rec.ms / 1000).toFixed(1)} s)`);
    }

    console.log('\n' + formatTable(records, ctx.dockerd !== undefined) + '\n');
    const resultsDir = join(REPO_ROOT, 'bench/results');
    await mkdir(resultsDir, { recursive: true });
    const out = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memMB: Math.round(totalmem() / 1024 / 1024) },
      dockerd: dockerd ? { dockerHost: dockerd.dockerHost, startedByBench: dockerd.startedByUs } : null,
      results: records,
    };
    const file = join(resultsDir, 'latest.json');
    await writeFile(`${file}.tmp`, JSON.stringify(out, null, 2) + '\n');
    await rename(`${file}.tmp`, file);
    log(`results written to ${file}`);
    return 0;
  } finally {
    await cleanup();
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error('[bench] failed:', e instanceof Error ? e.message : e);
    process.exit(1);
  },
);
