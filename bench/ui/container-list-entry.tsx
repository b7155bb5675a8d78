/**
 * Browser entry for the container-list render benchmark (bundled by bench/cases/container-list-render.ts
 * with esbuild and loaded into Chromium). Renders the real ContainerTable with the real view-model
 * mapper over fake containers and reports milliseconds from render to the next painted frame.
 */
import { flushSync } from 'react-dom';
import { createRoot, type Root } from 'react-dom/client';
import { ContainerTable, type RowHandlers } from '../../src-renderer/src/features/containers/components/container-table';
import { toContainerRowViews, type StatsById } from '../../src-renderer/src/features/containers/model/container-mapper';
import { fakeContainers } from '../../src-renderer/src/testing/fixtures';

const handlers: RowHandlers = { onStart: () => {}, onStop: () => {}, onRestart: () => {}, onKill: () => {}, onRemove: () => {} };
const NOW = 1_700_000_000_000;

function nextFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

let root: Root | null = null;
const list = (n: number) => fakeContainers(n);

async function timed(render: () => void): Promise<number> {
  const start = performance.now();
  flushSync(render);
  // Force style and layout, then wait for the frame that paints it.
  void document.body.offsetHeight;
  await nextFrame();
  return performance.now() - start;
}

declare global {
  interface Window {
    berthBench: {
      /** Mounts a fresh table of n rows; ms to the painted frame. */
      mount: (n: number) => Promise<number>;
      /** A stats tick for every running row (all rows' CPU/memory change). */
      statsTick: (n: number, tick: number) => Promise<number>;
      /** One container changes state: memoised rows keep the other n-1 untouched. */
      oneRowChange: (n: number) => Promise<number>;
      rowCount: () => number;
    };
  }
}

function stats(n: number, tick: number): StatsById {
  const out: StatsById = {};
  for (const c of list(n)) out[c.id] = { cpuPercent: (tick * 7) % 100, memoryUsage: (tick + 1) * 1024 * 1024, memoryLimit: 1024 ** 3 };
  return out;
}

window.berthBench = {
  mount: async (n) => {
    root?.unmount();
    const el = document.getElementById('root') as HTMLElement;
    el.innerHTML = '';
    root = createRoot(el);
    const rows = toContainerRowViews(list(n), {}, NOW);
    const r = root;
    return timed(() => r.render(<ContainerTable rows={rows} pendingIds={new Set()} handlers={handlers} />));
  },
  statsTick: async (n, tick) => {
    const rows = toContainerRowViews(list(n), stats(n, tick), NOW);
    const r = root as Root;
    return timed(() => r.render(<ContainerTable rows={rows} pendingIds={new Set()} handlers={handlers} />));
  },
  oneRowChange: async (n) => {
    const containers = list(n);
    containers[0] = { ...containers[0]!, state: 'exited', status: 'Exited (0) just now' };
    const rows = toContainerRowViews(containers, {}, NOW);
    const r = root as Root;
    return timed(() => r.render(<ContainerTable rows={rows} pendingIds={new Set()} handlers={handlers} />));
  },
  rowCount: () => document.querySelectorAll('table[aria-label="Containers"] tbody tr').length,
};
