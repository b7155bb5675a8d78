/**
 * The containers list with 1,000 containers in Debian's Chromium: the whole renderer (App over a
 * fake engine, see bench/ui/app-bench-entry.tsx), built by Vite as the app is. Berth-only (no
 * dockerd equivalent), so no ratio.
 *
 * Reported: frames per second while the list scrolls (the mean of 300 frame times from
 * requestAnimationFrame, scrolling 40 px per frame, bouncing at the ends), with the p95 frame
 * time, the time from navigation to the first painted rows, and the page's memory (JS heap used,
 * from the DevTools protocol) with the list mounted. Targets: >= 50 fps, < 150 MB.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { readFile } from 'node:fs/promises';
import { build } from 'vite';
import react from '@vitejs/plugin-react';
import { REPO_ROOT } from '../../test/harness/berthd';
import { launchBrowser } from '../../test/harness/browser';
import type { BenchResult, WholeBenchmark } from '../framework';

const ROWS = 1000;
const FRAMES = 300;
const STEP_PX = 40;

export interface ListBenchFigures {
  fps: number;
  p95FrameMs: number;
  firstRowsMs: number;
  heapMB: number;
  domNodes: number;
  rowsInDom: number;
  /** Main-thread ms per frame: Script, Layout, RecalcStyle, Task. */
  perFrame: Record<string, number>;
}

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

/** A loopback static server (module scripts do not load from file://). */
function serve(dir: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    readFile(join(dir, path === '/' ? 'app-bench.html' : path))
      .then((body) => {
        res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' });
        res.end(body);
      })
      .catch(() => {
        res.writeHead(404);
        res.end();
      });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, server })));
}

export async function measureContainerList(log: (m: string) => void = () => {}, rows = ROWS): Promise<ListBenchFigures> {
  const out = await mkdtemp(join(tmpdir(), 'berth-bench-ui-'));
  const { browser, close } = await launchBrowser();
  let server: Server | undefined;
  try {
    await build({
      configFile: false,
      logLevel: 'error',
      root: join(REPO_ROOT, 'bench/ui'),
      base: './',
      plugins: [react()],
      define: { 'process.env.NODE_ENV': '"production"' },
      build: { outDir: out, emptyOutDir: true, rollupOptions: { input: join(REPO_ROOT, 'bench/ui/app-bench.html') } },
    });
    const s = await serve(out);
    server = s.server;
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const started = Date.now();
    await page.goto(`${s.url}app-bench.html?n=${rows}`);
    await page.locator('table[aria-label="Containers"] tbody tr[data-container-id]').first().waitFor({ timeout: 30_000 });
    const firstRowsMs = Date.now() - started;
    // A warm-up pass (JIT, first layout of every row shape), then the measured one.
    await page.evaluate(([f, st]) => window.berthBench.scroll(f, st), [60, STEP_PX] as const);
    const work = async (): Promise<Record<string, number>> => {
      const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
      return Object.fromEntries(metrics.filter((m) => /Duration$/.test(m.name)).map((m) => [m.name, m.value]));
    };
    const before = await work();
    const times = await page.evaluate(([f, st]) => window.berthBench.scroll(f, st), [FRAMES, STEP_PX] as const);
    const after = await work();
    // Main-thread work per frame by kind (ms): tells the app's own cost from a busy machine's.
    const perFrame = Object.fromEntries(Object.keys(after).map((k) => [k.replace(/Duration$/, ''), ((after[k] ?? 0) - (before[k] ?? 0)) * 1000 / times.length]));
    const rowsInDom = await page.evaluate(() => window.berthBench.rows());
    await cdp.send('HeapProfiler.collectGarbage');
    const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
    const metric = (name: string): number => metrics.find((m) => m.name === name)?.value ?? 0;
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    const sorted = [...times].sort((a, b) => a - b);
    const figures: ListBenchFigures = {
      fps: 1000 / mean,
      p95FrameMs: sorted[Math.floor(sorted.length * 0.95)] ?? 0,
      firstRowsMs,
      heapMB: metric('JSHeapUsedSize') / 1e6,
      domNodes: metric('Nodes'),
      rowsInDom,
      perFrame,
    };
    log(
      `container list (${rows} containers): ${figures.fps.toFixed(1)} fps scrolling (p95 frame ${figures.p95FrameMs.toFixed(1)} ms), first rows ${firstRowsMs} ms, JS heap ${figures.heapMB.toFixed(1)} MB, ${figures.domNodes} DOM nodes, ${rowsInDom} rows in the DOM; main thread per frame: ${Object.entries(perFrame).map(([k, v]) => `${k} ${v.toFixed(1)} ms`).join(', ')}`,
    );
    return figures;
  } finally {
    server?.close();
    await close();
    await rm(out, { recursive: true, force: true });
  }
}

export const containerListRenderBenchmark: WholeBenchmark = {
  name: 'container list, 1,000 containers: scroll fps',
  description: 'frames per second while scrolling the whole app’s containers list in Chromium (target >= 50 fps; JS heap < 150 MB)',
  run: async (ctx): Promise<BenchResult> => {
    const r = await measureContainerList(ctx.log);
    return {
      berthd: Math.round(r.fps * 10) / 10,
      unit: 'fps',
      notes: {
        berthd: `p95 frame ${r.p95FrameMs.toFixed(1)} ms; first rows ${r.firstRowsMs} ms; JS heap ${r.heapMB.toFixed(1)} MB (target < 150); ${r.domNodes} DOM nodes, ${r.rowsInDom} rows in the DOM`,
      },
    };
  },
};
