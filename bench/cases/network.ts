/**
 * Networking, side by side, each daemon in a network namespace of its own with its own bridge
 * (berthd: the test harness's netns sandbox; dockerd: Debian's docker.io with its default bridge
 * and iptables, in another namespace), so nothing touches the host's network:
 * - `docker run --rm busybox true` on the default bridge (veth, address, NAT rules): median of 7;
 * - TCP throughput through a published port from the daemon's own loopback (berthd: kernel DNAT;
 *   dockerd: docker-proxy, its default): 256 MiB into a container's `nc -l`, MiB/s, median of 3;
 * - TCP connect latency through a published port from loopback (connect to accept, then close):
 *   median of 200 connections, ms.
 * The clients are Node one-liners run in the daemon's namespace (nsenter), the same for both.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { docker } from '../../test/harness/docker-cli';
import { startDockerd, type PrivateDockerd } from '../../test/harness/dockerd';
import { busyboxImage, pushImage } from '../../test/harness/fixtures';
import { startNetnsSandbox, type NetnsSandbox } from '../../test/harness/netns-sandbox';
import { startRegistry, type RegistryHandle } from '../../test/harness/registry';
import { median, type BenchContext, type BenchResult, type WholeBenchmark } from '../framework';

const execFileP = promisify(execFile);
const RUNS = 7;

interface Side {
  netns: string;
  image: string;
  d: (args: string[]) => Promise<{ code: number; stdout: string; stderr: string; ms: number }>;
}

interface World {
  berthd: Side;
  dockerd?: Side;
  stop: () => Promise<void>;
}

async function startWorld(ctx: BenchContext): Promise<World> {
  const seed = await startRegistry();
  await pushImage(seed.url, 'busybox', 'latest', await busyboxImage());
  const sb: NetnsSandbox = await startNetnsSandbox({ registryStorage: seed.storageDir });
  const bImage = `${sb.registry.host}/busybox:latest`;
  const berthd: Side = { netns: sb.netns, image: bImage, d: (args) => sb.d(args, { timeoutMs: 120_000 }) };
  await berthd.d(['pull', '-q', bImage]);
  let dockerd: Side | undefined;
  let dd: PrivateDockerd | undefined;
  let ddRegistry: RegistryHandle | undefined;
  const ddNetns = `berth-bench-dd-${randomBytes(3).toString('hex')}`;
  if (ctx.dockerd) {
    try {
      await execFileP('ip', ['netns', 'add', ddNetns]);
      await execFileP('ip', ['-n', ddNetns, 'link', 'set', 'lo', 'up']);
      ddRegistry = await startRegistry({ netns: ddNetns, storageDir: seed.storageDir });
      // Its own dir: the bench's comparison dockerd (no bridge) already lives in tmpDir/dockerd.
      dd = await startDockerd({ netns: ddNetns, parentDir: join(ctx.tmpDir, ddNetns) });
      const host = dd.dockerHost;
      const dImage = `${ddRegistry.host}/busybox:latest`;
      dockerd = { netns: ddNetns, image: dImage, d: (args) => docker(host, args, { timeoutMs: 120_000 }) };
      const pulled = await dockerd.d(['pull', '-q', dImage]);
      if (pulled.code !== 0) throw new Error(pulled.stderr);
    } catch (err) {
      ctx.log(`dockerd with a bridge could not be started in its namespace: ${(err as Error).message.split('\n')[0]}`);
      dockerd = undefined;
    }
  }
  return {
    berthd,
    ...(dockerd ? { dockerd } : {}),
    stop: async () => {
      await dd?.stop();
      await ddRegistry?.stop();
      await execFileP('ip', ['netns', 'del', ddNetns]).catch(() => undefined);
      await sb.cleanup();
      await seed.stop();
    },
  };
}

async function ok(side: Side, args: string[]): Promise<string> {
  const r = await side.d(args);
  if (r.code !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/** Runs a Node client in the daemon's network namespace; returns its stdout. */
async function nodeIn(netns: string, script: string): Promise<string> {
  const { stdout } = await execFileP('nsenter', [`--net=/run/netns/${netns}`, '--', process.execPath, '-e', script], { timeout: 300_000, maxBuffer: 16 << 20 });
  return stdout.trim();
}

/** Sends `bytes` once connected and prints the seconds from connect to the peer's close. */
const THROUGHPUT_CLIENT = (port: number, bytes: number) => `
const net = require('net'); const chunk = Buffer.alloc(1 << 20); let left = ${bytes}; let t0;
const s = net.connect(${port}, '127.0.0.1');
const pump = () => { while (left > 0) { left -= chunk.length; if (!s.write(chunk)) return s.once('drain', pump); } s.end(); };
s.on('connect', () => { t0 = process.hrtime.bigint(); pump(); });
s.on('error', (e) => { console.error(e.message); process.exit(1); });
s.on('close', () => console.log(Number(process.hrtime.bigint() - t0) / 1e9));`;

const CONNECT_CLIENT = (port: number, n: number) => `
const net = require('net'); const times = []; let i = 0;
const one = () => { if (i++ >= ${n}) { times.sort((a, b) => a - b); console.log(times[times.length >> 1]); return; }
  const t0 = process.hrtime.bigint(); const s = net.connect(${port}, '127.0.0.1', () => { times.push(Number(process.hrtime.bigint() - t0) / 1e6); s.destroy(); setImmediate(one); });
  s.on('error', (e) => { console.error(e.message); process.exit(1); }); };
one();`;

async function runLatency(side: Side, log: (m: string) => void, name: string): Promise<number> {
  const args = ['run', '--rm', side.image, 'true'];
  await ok(side, args);
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = await side.d(args);
    if (r.code !== 0) throw new Error(r.stderr);
    log(`run on the bridge, ${name} #${i + 1}: ${r.ms} ms`);
    times.push(r.ms / 1000);
  }
  return median(times);
}

async function throughput(side: Side, log: (m: string) => void, name: string): Promise<number> {
  const bytes = 256 << 20;
  const secs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const c = `bench-sink-${i}`;
    // The sink counts what arrived, so a figure is only taken for a transfer that really happened.
    // busybox nc stops reading once its stdin ends: a sleep keeps that open for the whole transfer.
    await ok(side, ['run', '-d', '--name', c, '-p', '15001:5001', side.image, 'sh', '-c', 'sleep 3600 | nc -l -p 5001 | wc -c > /tmp/n; exec sleep 3600']);
    await new Promise((r) => setTimeout(r, 1000));
    const s = Number(await nodeIn(side.netns, THROUGHPUT_CLIENT(15001, bytes)));
    let got = NaN;
    for (let t = 0; t < 100 && Number.isNaN(got); t++) {
      const r = await side.d(['exec', c, 'cat', '/tmp/n']);
      if (r.code === 0 && r.stdout.trim() !== '') got = Number(r.stdout.trim());
      else await new Promise((res) => setTimeout(res, 100));
    }
    await side.d(['rm', '-f', c]);
    if (got !== bytes) throw new Error(`${name}: the container received ${got} of ${bytes} bytes`);
    log(`published-port throughput, ${name} #${i + 1}: ${(bytes / (1 << 20) / s).toFixed(0)} MiB/s`);
    secs.push(s);
  }
  return Math.round(bytes / (1 << 20) / median(secs));
}

async function connectLatency(side: Side, log: (m: string) => void, name: string): Promise<number> {
  const c = 'bench-accept';
  await ok(side, ['run', '-d', '--name', c, '-p', '15002:80', side.image, 'httpd', '-f', '-p', '80']);
  await new Promise((r) => setTimeout(r, 500));
  try {
    const ms = Number(await nodeIn(side.netns, CONNECT_CLIENT(15002, 200)));
    log(`published-port connect latency, ${name}: ${ms.toFixed(3)} ms`);
    return Math.round(ms * 1000) / 1000;
  } finally {
    await side.d(['rm', '-f', c]);
  }
}

/** Each figure gets its own pair of namespaces (about 15 s to set up), so any one can run alone with --only. */
function networkBenchmark(name: string, description: string, unit: string, target: string, measure: (side: Side, log: (m: string) => void, name: string) => Promise<number>): WholeBenchmark {
  return {
    name,
    description,
    run: async (ctx): Promise<BenchResult> => {
      const w = await startWorld(ctx);
      try {
        const b = await measure(w.berthd, ctx.log, 'berthd');
        const d = w.dockerd ? await measure(w.dockerd, ctx.log, 'dockerd') : null;
        return { berthd: b, dockerd: d, unit, target, ...(w.dockerd ? {} : { notes: { dockerd: 'no dockerd with a bridge in its own namespace' } }) };
      } finally {
        await w.stop();
      }
    },
  };
}

export const bridgeRunBenchmark = networkBenchmark('run --rm busybox true (default bridge)', 'docker run round trip with a veth on the default bridge, median of 7, each daemon in its own netns', 's', '<= 0.35', runLatency);
export const portThroughputBenchmark = networkBenchmark('published port TCP throughput (loopback)', '256 MiB from the daemon host loopback into a container through -p, MiB/s, median of 3 (berthd: kernel DNAT; dockerd: docker-proxy)', 'MiB/s', '>= 1', throughput);
export const portConnectBenchmark = networkBenchmark('published port connect latency (loopback)', 'TCP connect through -p from loopback, median of 200, ms', 'ms', '<= 1', connectLatency);
