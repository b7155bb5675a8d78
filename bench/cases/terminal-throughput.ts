/**
 * Terminal output throughput: `cat` of a large file in a `docker run -t` container, through the
 * stock docker CLI running under a pty (`script`), as a user's terminal would see it. The file
 * (32 MiB of 'a', no newlines so the tty's ONLCR does not change the byte count) is written inside
 * the container before a START marker; the clock runs from the first output byte to the end of the
 * stream, so container start-up is not counted. Median of 3 runs, in MB/s (higher is better).
 */
import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { busyboxImage } from '../../test/harness/fixtures';
import { medianOf, pullFixture, type BenchContext, type Engine, type MeasuredBenchmark } from '../framework';

const RUNS = 3;
const MIB = 32;

/** One `docker run -t … cat` under `script`; returns MB/s of terminal output received. */
async function oneRun(engine: Engine, ctx: BenchContext, image: string): Promise<number> {
  const inner = `head -c ${MIB}m /dev/zero | tr '\\000' a > /big; echo START; cat /big`;
  const cmd = `docker run --rm -t --network none ${image} sh -c "${inner}"`;
  const dockerConfig = join(ctx.tmpDir, 'throughput-docker-config');
  await mkdir(dockerConfig, { recursive: true });
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], {
      env: { ...process.env, DOCKER_HOST: engine.dockerHost, DOCKER_CONFIG: dockerConfig, DOCKER_CLI_HINTS: 'false' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let bytes = 0;
    let first: bigint | null = null;
    let last: bigint = 0n;
    let tail = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      const now = process.hrtime.bigint();
      first ??= now;
      last = now;
      bytes += d.length;
      tail = (tail + d.subarray(-200).toString('latin1')).slice(-200);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out after ${bytes} bytes`));
    }, 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const expected = MIB * 1024 * 1024;
      if (code !== 0 || bytes < expected || first === null) {
        reject(new Error(`exit ${code}, ${bytes} bytes of ${expected}: ${stderr.trim() || JSON.stringify(tail.slice(-120))}`));
        return;
      }
      const seconds = Number(last - first) / 1e9;
      resolve(bytes / 1e6 / seconds);
    });
    // Keep the pty's stdin open (EOF would end `script`); nothing is typed.
  });
}

export const terminalThroughputBenchmark: MeasuredBenchmark = {
  name: 'terminal output throughput',
  description: `docker run -t … cat of a ${MIB} MiB file under a pty (script), first byte to end, median of 3`,
  unit: 'MB/s',
  target: '>= 1',
  measure: async (engine, ctx) => {
    const image = await pullFixture(engine, ctx, 'bench/busybox', await busyboxImage(), 'busybox:latest');
    return medianOf(RUNS, async (i) => {
      const mbps = await oneRun(engine, ctx, image);
      ctx.log(`terminal throughput on ${engine.name} #${i + 1}: ${mbps.toFixed(1)} MB/s`);
      return mbps;
    });
  },
};
