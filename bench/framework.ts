/**
 * The benchmark framework: what a benchmark is, what it gets to work with, and how results are
 * turned into a berthd ÷ dockerd table.
 *
 * A benchmark is either
 * - per-engine (`measure`): the framework calls `measure(engine, ctx)` once for berthd and once for
 *   dockerd (when there is one), so a failure on one engine (say, berthd does not implement the
 *   endpoint yet) is reported as "not available" for that engine while the other still counts; or
 * - whole (`run`): full control, returns both figures itself.
 * Benchmarks never throw out of the framework: any error becomes a per-engine "not available" note.
 * Register new ones in bench/benchmarks.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { docker, type DockerOptions, type DockerResult } from '../test/harness/docker-cli';
import { pushImage, type Pushable } from '../test/harness/fixtures';
import type { RegistryHandle } from '../test/harness/registry';

export type EngineName = 'berthd' | 'dockerd';

/** One daemon under test, driven through the stock docker CLI. */
export interface Engine {
  name: EngineName;
  /** `unix://…` for DOCKER_HOST. */
  dockerHost: string;
  /** Root pids of the daemon's process trees (RSS is summed over each tree). */
  pids: () => number[];
  docker: (args: string[], opts?: DockerOptions) => Promise<DockerResult>;
}

export interface BenchContext {
  registry: RegistryHandle;
  berthd: Engine;
  /** Absent when no dockerd could be found or started: results are then absolute only. */
  dockerd?: Engine;
  /** Scratch dir removed after the run. */
  tmpDir: string;
  log: (msg: string) => void;
}

export interface BenchResult {
  berthd: number | null;
  dockerd?: number | null;
  unit: string;
  /** berthd ÷ dockerd target, e.g. `<= 0.5` or `>= 1`. */
  target?: string;
  /** Why a figure is missing, per engine. */
  notes?: Partial<Record<EngineName, string>>;
  /** Secondary figures behind the main one (e.g. files/s and daemon CPU time), per engine. */
  details?: Partial<Record<EngineName, string>>;
}

/** What `measure` returns: the figure, optionally with secondary figures shown under the table. */
export type Measurement = number | { value: number; detail: string };

interface BenchmarkBase {
  name: string;
  /** Shown in the table. */
  description?: string;
}

export interface MeasuredBenchmark extends BenchmarkBase {
  unit: string;
  target?: string;
  /** Once before measuring either engine (e.g. push a fixture). A throw marks both engines not available. */
  setup?: (ctx: BenchContext) => Promise<void>;
  measure: (engine: Engine, ctx: BenchContext) => Promise<Measurement>;
  teardown?: (ctx: BenchContext) => Promise<void>;
}

export interface WholeBenchmark extends BenchmarkBase {
  run: (ctx: BenchContext) => Promise<BenchResult>;
}

export type Benchmark = MeasuredBenchmark | WholeBenchmark;

export interface BenchRecord extends BenchResult {
  name: string;
  description?: string;
  ratio: number | null;
  /** true/false when both figures and a target exist; null otherwise. */
  meetsTarget: boolean | null;
  ms: number;
}

function errText(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0]!.slice(0, 200);
}

/** Runs one benchmark, turning every failure into a note instead of an exception. */
export async function runBenchmark(b: Benchmark, ctx: BenchContext): Promise<BenchRecord> {
  const started = Date.now();
  let result: BenchResult;
  if ('run' in b) {
    try {
      result = await b.run(ctx);
    } catch (e) {
      result = { berthd: null, dockerd: ctx.dockerd ? null : undefined, unit: '', notes: { berthd: `not available: ${errText(e)}` } };
    }
  } else {
    result = { berthd: null, unit: b.unit, target: b.target, notes: {} };
    let setupError: string | undefined;
    try {
      await b.setup?.(ctx);
    } catch (e) {
      setupError = `not available (setup failed): ${errText(e)}`;
    }
    const engines: Engine[] = [ctx.berthd, ...(ctx.dockerd ? [ctx.dockerd] : [])];
    for (const engine of engines) {
      if (setupError) {
        result.notes![engine.name] = setupError;
        result[engine.name] = null;
        continue;
      }
      try {
        const m = await b.measure(engine, ctx);
        if (typeof m === 'number') result[engine.name] = m;
        else {
          result[engine.name] = m.value;
          (result.details ??= {})[engine.name] = m.detail;
        }
      } catch (e) {
        result[engine.name] = null;
        result.notes![engine.name] = `not available: ${errText(e)}`;
        ctx.log(`${b.name} on ${engine.name}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    try {
      await b.teardown?.(ctx);
    } catch (e) {
      ctx.log(`${b.name} teardown: ${errText(e)}`);
    }
  }
  const ratio = result.berthd != null && result.dockerd != null && result.dockerd > 0 ? result.berthd / result.dockerd : null;
  return { name: b.name, description: b.description, ...result, ratio, meetsTarget: ratio !== null && result.target ? checkTarget(ratio, result.target) : null, ms: Date.now() - started };
}

/** `<= 0.5`, `< 0.5`, `>= 1`, `> 1` (an optional trailing `x`/`×` is ignored). */
export function checkTarget(ratio: number, target: string): boolean | null {
  const m = /^\s*(<=|>=|<|>|≤|≥)\s*([0-9.]+)\s*[x×]?\s*$/.exec(target);
  if (!m) return null;
  const v = Number(m[2]);
  switch (m[1]) {
    case '<=':
    case '≤':
      return ratio <= v;
    case '<':
      return ratio < v;
    case '>=':
    case '≥':
      return ratio >= v;
    default:
      return ratio > v;
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers for benchmarks

export function median(values: number[]): number {
  if (values.length === 0) throw new Error('median of nothing');
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Runs `fn` n times and returns the median of what it returns (e.g. elapsed ms). */
export async function medianOf(n: number, fn: (i: number) => Promise<number>): Promise<number> {
  const values: number[] = [];
  for (let i = 0; i < n; i++) values.push(await fn(i));
  return median(values);
}

/** Runs the docker CLI and throws with its stderr when it exits non-zero. */
export async function dockerOk(engine: Engine, args: string[], opts?: DockerOptions): Promise<DockerResult> {
  const r = await engine.docker(args, opts);
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')} exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r;
}

/**
 * Makes a fixture image available in an engine: pushes it to the bench registry (blobs already
 * there are skipped), pulls `<registry>/<repo>:latest` into the engine and, with `tagAs`, tags it
 * (e.g. `busybox`, so both engines run the same short name). Returns the name to use.
 */
export async function pullFixture(engine: Engine, ctx: BenchContext, repo: string, image: Pushable, tagAs?: string): Promise<string> {
  await pushImage(ctx.registry.url, repo, 'latest', image);
  const ref = `${ctx.registry.host}/${repo}:latest`;
  await dockerOk(engine, ['pull', '-q', ref], { timeoutMs: 300_000 });
  if (!tagAs) return ref;
  await dockerOk(engine, ['tag', ref, tagAs]);
  return tagAs;
}

/** The docker CLI bound to one daemon, with an isolated DOCKER_CONFIG. */
export function cliFor(dockerHost: string, dockerConfigDir: string): Engine['docker'] {
  return (args, opts) => docker(dockerHost, args, { ...opts, env: { DOCKER_CONFIG: dockerConfigDir, ...opts?.env } });
}

/**
 * CPU seconds (user, system) used so far by the given roots' process trees: live processes' own
 * time plus what their reaped children used (cutime/cstime), each pid counted once.
 */
export function treeCpuSeconds(roots: number[]): { user: number; system: number } {
  const table = processTable();
  const pids = new Set(roots.flatMap((r) => processTree(r, table)));
  const hz = 100; // USER_HZ is 100 on every Linux ABI Node runs on
  let user = 0;
  let system = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields after comm: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14)
      user += (Number(f[11]) + Number(f[13])) / hz;
      system += (Number(f[12]) + Number(f[14])) / hz;
    } catch {
      // exited while we looked
    }
  }
  return { user, system };
}

/** Resident set size of one process in bytes (0 when it is gone). */
export function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Every live pid with its parent and command name, from /proc. */
export function processTable(): { pid: number; ppid: number; comm: string }[] {
  const out: { pid: number; ppid: number; comm: string }[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // comm is parenthesised and may contain spaces: parse around the last ')'.
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      out.push({ pid: Number(name), ppid, comm });
    } catch {
      // exited while we looked
    }
  }
  return out;
}

/** The pid and all its descendants. */
export function processTree(root: number, table = processTable()): number[] {
  const children = new Map<number, number[]>();
  for (const p of table) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const out: number[] = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop()!;
    out.push(pid);
    stack.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** Summed RSS (bytes) of the given roots' process trees, each pid counted once. */
export function treeRssBytes(roots: number[]): number {
  const table = processTable();
  const pids = new Set(roots.flatMap((r) => processTree(r, table)));
  let total = 0;
  for (const pid of pids) total += rssBytes(pid);
  return total;
}

// ---------------------------------------------------------------------------------------------
// Report

function fmt(v: number | null | undefined, unit: string): string {
  if (v === null || v === undefined) return '—';
  const digits = Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2;
  return `${v.toFixed(digits)} ${unit}`;
}

export function formatTable(records: BenchRecord[], haveDockerd: boolean): string {
  const header = ['benchmark', 'berthd', ...(haveDockerd ? ['dockerd', 'ratio', 'target', 'ok'] : ['target'])];
  const rows = records.map((r) => [
    r.name,
    fmt(r.berthd, r.unit),
    ...(haveDockerd
      ? [fmt(r.dockerd, r.unit), r.ratio === null ? '—' : `${r.ratio.toFixed(2)}×`, r.target ?? '', r.meetsTarget === null ? '' : r.meetsTarget ? 'yes' : 'NO']
      : [r.target ?? '']),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
  const notes = records.flatMap((r) => Object.entries(r.notes ?? {}).map(([engine, note]) => `  ${r.name} [${engine}]: ${note}`));
  const details = records.flatMap((r) => Object.entries(r.details ?? {}).map(([engine, d]) => `  ${r.name} [${engine}]: ${d}`));
  if (details.length) out.push('', 'details:', ...details);
  if (notes.length) out.push('', 'notes:', ...notes);
  return out.join('\n');
}
