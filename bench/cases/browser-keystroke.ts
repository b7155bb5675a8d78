/**
 * Keystroke-to-echo latency in the browser terminal: the whole path a person feels, Chromium
 * (xterm.js) -> web mode's WebSocket -> the app's main-process services -> berthd (locally over
 * its unix socket, or over SSH through a loopback sshd) -> the container's TTY, and the echo back
 * until xterm.js has rendered it.
 *
 * Timed inside the page: from the `keydown` event (capture phase, before xterm.js sees it) to the
 * mutation of xterm's rows that shows the echoed character, so Playwright's own round trips are
 * not counted. A busybox `sh` with a TTY (`docker run -dit`), 60 keystrokes after 10 warm-ups,
 * median. Berth-only (no dockerd equivalent), so no ratio.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../../test/harness/browser';
import { busyboxImage } from '../../test/harness/fixtures';
import { startSshd, type SshdHandle } from '../../test/harness/sshd';
import { startWebMode, type WebModeHandle } from '../../test/harness/web-mode';
import { dockerOk, median, pullFixture, type BenchContext, type BenchResult, type WholeBenchmark } from '../framework';

const WARMUP = 10;
const KEYS = 60;

async function addSshHost(page: Page, sshd: SshdHandle, socket: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Hosts' }).click();
  await page.getByRole('button', { name: 'Add SSH host' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add SSH host' });
  await dialog.getByLabel('Name').fill('bench-ssh');
  await dialog.getByLabel('Host', { exact: true }).fill('127.0.0.1');
  await dialog.getByLabel('Port').fill(String(sshd.port));
  await dialog.getByLabel('User').fill(sshd.user);
  await dialog.getByLabel('Key path').fill(sshd.clientKeyPath);
  await dialog.getByLabel('Remote engine socket').fill(socket);
  await dialog.getByRole('button', { name: 'Add and connect' }).click();
  await page.locator('tr[data-host-id]:not([data-host-id="local"])[data-state="connected"]').waitFor({ timeout: 30_000 });
}

export async function measureBrowserKeystrokes(ctx: BenchContext, via: 'local' | 'ssh'): Promise<number> {
  const engine = ctx.berthd;
  const socket = engine.dockerHost.replace(/^unix:\/\//, '');
  const image = await pullFixture(engine, ctx, 'bench-kbd-busybox', await busyboxImage());
  const name = `bench-kbd-${via}-${process.pid}`;
  const id = (await dockerOk(engine, ['run', '-dit', '--network', 'none', '--name', name, image])).stdout.trim();
  const stateDir = await mkdtemp(join(tmpdir(), 'berth-bench-kbd-'));
  let sshd: SshdHandle | undefined;
  let web: WebModeHandle | undefined;
  let closeBrowser: (() => Promise<void>) | undefined;
  try {
    if (via === 'ssh') sshd = await startSshd();
    web = await startWebMode({ socket, stateDir, env: sshd ? { BERTH_USER_KNOWN_HOSTS: sshd.knownHostsPath } : {} });
    const launched = await launchBrowser();
    closeBrowser = launched.close;
    const page = await launched.browser.newPage({ viewport: { width: 1280, height: 860 } });
    await page.goto(web.url);
    if (sshd) await addSshHost(page, sshd, socket);
    await page.evaluate((cid) => {
      window.location.hash = `#/containers/${cid}/terminal`;
    }, id);
    await page.locator('[data-testid="terminal-panel"]:not([data-terminal-status="connecting"])').waitFor({ timeout: 30_000 });
    await page.locator('[data-testid="terminal"]').click();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => /\/ # \s*$/.test(document.querySelector('[data-testid="terminal"] .xterm-rows')?.textContent ?? ''), null, { timeout: 15_000 });
    await page.evaluate(() => {
      const rows = document.querySelector('[data-testid="terminal"] .xterm-rows') as HTMLElement;
      const state = { t0: 0, last: rows.textContent ?? '', samples: [] as number[] };
      (window as unknown as { berthKbd: typeof state }).berthKbd = state;
      document.addEventListener('keydown', () => (state.t0 = performance.now()), true);
      new MutationObserver(() => {
        const text = rows.textContent ?? '';
        if (state.t0 !== 0 && text !== state.last) {
          state.samples.push(performance.now() - state.t0);
          state.t0 = 0;
        }
        state.last = text;
      }).observe(rows, { subtree: true, childList: true, characterData: true });
    });
    for (let i = 0; i < WARMUP + KEYS; i++) {
      await page.keyboard.press('a');
      await page.waitForFunction((n) => (window as unknown as { berthKbd: { samples: number[] } }).berthKbd.samples.length >= n, i + 1, { timeout: 5_000 });
    }
    const samples = await page.evaluate(() => (window as unknown as { berthKbd: { samples: number[] } }).berthKbd.samples);
    const ms = median(samples.slice(WARMUP));
    ctx.log(`browser keystroke (${via}): median ${ms.toFixed(2)} ms over ${KEYS}, min ${Math.min(...samples.slice(WARMUP)).toFixed(2)}, max ${Math.max(...samples.slice(WARMUP)).toFixed(2)}`);
    return ms;
  } finally {
    await closeBrowser?.().catch(() => undefined);
    await web?.stop().catch(() => undefined);
    await dockerOk(engine, ['rm', '-f', name]).catch(() => undefined);
    await sshd?.stop().catch(() => undefined);
    await rm(stateDir, { recursive: true, force: true });
  }
}

function browserKeystrokeBenchmark(via: 'local' | 'ssh'): WholeBenchmark {
  return {
    name: `browser terminal keystroke-to-echo (${via})`,
    description: `Chromium xterm.js -> web mode -> app -> ${via === 'ssh' ? 'SSH -> ' : ''}berthd -> TTY and back, ms, median of ${KEYS}`,
    run: async (ctx): Promise<BenchResult> => ({ berthd: Math.round((await measureBrowserKeystrokes(ctx, via)) * 100) / 100, unit: 'ms' }),
  };
}

export const browserKeystrokeLocalBenchmark = browserKeystrokeBenchmark('local');
export const browserKeystrokeSshBenchmark = browserKeystrokeBenchmark('ssh');
