/**
 * Monitor memory per running container: RSS of the process that parents each container's init
 * (berth-shim for berthd, containerd-shim for dockerd), median over 5 `run -d` containers.
 */
import { readFileSync } from 'node:fs';
import { busyboxImage } from '../../test/harness/fixtures';
import { dockerOk, median, pullFixture, rssBytes, type MeasuredBenchmark } from '../framework';

const CONTAINERS = 5;

function parentOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

export const monitorRssBenchmark: MeasuredBenchmark = {
  name: 'monitor RSS per running container',
  description: 'RSS of the per-container monitor (parent of the container init), median of 5 running containers',
  unit: 'MB',
  target: '<= 0.25',
  measure: async (engine, ctx) => {
    const image = await pullFixture(engine, ctx, 'bench/busybox', await busyboxImage(), 'busybox:latest');
    const ids: string[] = [];
    try {
      for (let i = 0; i < CONTAINERS; i++) {
        ids.push((await dockerOk(engine, ['run', '-d', '--network', 'none', image, 'sleep', '300'])).stdout.trim());
      }
      // Let each monitor settle into its idle loop (first attach/log writes done).
      await new Promise((r) => setTimeout(r, 1000));
      const sizes: number[] = [];
      for (const id of ids) {
        const pid = Number((await dockerOk(engine, ['inspect', '-f', '{{.State.Pid}}', id])).stdout.trim());
        const monitor = parentOf(pid);
        const rss = rssBytes(monitor);
        ctx.log(`${engine.name}: container ${id.slice(0, 12)} init ${pid} monitor ${monitor}: ${(rss / 1024).toFixed(0)} kB`);
        sizes.push(rss / (1024 * 1024));
      }
      return median(sizes);
    } finally {
      if (ids.length) await engine.docker(['rm', '-f', ...ids]);
    }
  },
};
