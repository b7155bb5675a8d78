/**
 * Time to render the app's container list with 500 containers, in Debian's Chromium (real style,
 * layout and paint), using the renderer's own ContainerTable and view-model mapper over fake data.
 * It needs no engine: the figure is Berth-only (there is no dockerd equivalent), so no ratio.
 *
 * Reported: median ms from render to the painted frame for a fresh mount of 500 rows (after 2
 * warm-ups), plus, in the log, a stats tick that changes every row and a one-row state change
 * (memoised rows make the latter cheap).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { REPO_ROOT } from '../../test/harness/berthd';
import { launchBrowser } from '../../test/harness/browser';
import { median, type BenchResult, type WholeBenchmark } from '../framework';

const ROWS = 500;
const RUNS = 7;

export async function measureContainerListRender(log: (m: string) => void = () => {}): Promise<{ mount: number; statsTick: number; oneRow: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-bench-ui-'));
  const { browser, close } = await launchBrowser();
  try {
    await build({
      entryPoints: [join(REPO_ROOT, 'bench/ui/container-list-entry.tsx')],
      bundle: true,
      format: 'iife',
      minify: true,
      jsx: 'automatic',
      define: { 'process.env.NODE_ENV': '"production"' },
      outfile: join(dir, 'bench.js'),
      logLevel: 'error',
    });
    const css = await readFile(join(REPO_ROOT, 'src-renderer/src/app/styles.css'), 'utf8');
    await writeFile(join(dir, 'index.html'), `<!doctype html><html><head><style>${css}</style></head><body><main class="content"><div id="root"></div></main><script src="bench.js"></script></body></html>`);
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await page.goto(`file://${join(dir, 'index.html')}`);
    await page.waitForFunction(() => 'berthBench' in window);
    const mounts: number[] = [];
    for (let i = 0; i < RUNS + 2; i++) {
      const ms = await page.evaluate((n) => window.berthBench.mount(n), ROWS);
      if (i >= 2) mounts.push(ms);
    }
    const rows = await page.evaluate(() => window.berthBench.rowCount());
    if (rows !== ROWS) throw new Error(`rendered ${rows} rows, expected ${ROWS}`);
    const ticks: number[] = [];
    const ones: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      ticks.push(await page.evaluate(([n, t]) => window.berthBench.statsTick(n, t), [ROWS, i + 1] as const));
      await page.evaluate((n) => window.berthBench.mount(n), ROWS);
      ones.push(await page.evaluate((n) => window.berthBench.oneRowChange(n), ROWS));
    }
    const result = { mount: median(mounts), statsTick: median(ticks), oneRow: median(ones) };
    log(`container list (${ROWS} rows): mount ${result.mount.toFixed(1)} ms, stats tick ${result.statsTick.toFixed(1)} ms, one-row change ${result.oneRow.toFixed(1)} ms`);
    return result;
  } finally {
    await close();
    await rm(dir, { recursive: true, force: true });
  }
}

export const containerListRenderBenchmark: WholeBenchmark = {
  name: 'container list render (500 rows)',
  description: 'ms from render to painted frame, Chromium, median of 7',
  run: async (ctx): Promise<BenchResult> => {
    const r = await measureContainerListRender(ctx.log);
    return {
      berthd: Math.round(r.mount * 10) / 10,
      unit: 'ms',
      notes: { berthd: `stats tick ${r.statsTick.toFixed(1)} ms, one-row change ${r.oneRow.toFixed(1)} ms` },
    };
  },
};
