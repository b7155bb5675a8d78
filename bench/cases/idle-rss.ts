/**
 * Daemon memory at idle: RSS of berthd's process tree versus dockerd + containerd. Measured first,
 * after a short settle, before any other benchmark has pulled or run anything.
 */
import { treeRssBytes, type MeasuredBenchmark } from '../framework';

const SETTLE_MS = 3000;

export const idleRssBenchmark: MeasuredBenchmark = {
  name: 'daemon RSS at idle',
  description: 'berthd process tree vs dockerd + containerd, after a 3 s settle',
  unit: 'MB',
  target: '<= 0.5',
  setup: async () => {
    await new Promise((r) => setTimeout(r, SETTLE_MS));
  },
  measure: async (engine) => {
    // Ping first so both daemons have served one request (lazy initialisation counts as idle cost).
    const r = await engine.docker(['version', '--format', '{{.Server.Version}}']);
    if (r.code !== 0) throw new Error(`daemon not answering: ${r.stderr.trim()}`);
    const roots = engine.pids();
    if (roots.length === 0) throw new Error('no daemon process found');
    return treeRssBytes(roots) / (1024 * 1024);
  },
};
