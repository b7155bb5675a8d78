/**
 * The stack the app-*.test.ts suites drive: a real docker-registry on loopback (with fixture
 * images pushed), a real berthd, the built web mode (out/main/web.js) talking to it, and Debian's
 * Chromium. Everything started here is stopped by `cleanup()`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { IS_ROOT, startBerthd, type BerthdHandle } from '../harness/berthd';
import { launchBrowser } from '../harness/browser';
import { busyboxImage, pushImage, shellFormImage } from '../harness/fixtures';
import { startRegistry, type RegistryHandle } from '../harness/registry';
import { startWebMode, type WebModeHandle } from '../harness/web-mode';

export { IS_ROOT };

export interface AppStack {
  registry: RegistryHandle;
  berthd: BerthdHandle;
  web: WebModeHandle;
  browser: Browser;
  /** A pull-through mirror of `registry` (which also holds `library/busybox:latest`), when asked for. */
  mirror?: RegistryHandle;
  /** `127.0.0.1:<port>/busybox:latest` on the test registry. */
  busyboxRef: string;
  /** `127.0.0.1:<port>/shellform:latest`: `CMD ["/bin/sh","-c","sleep 1000"]`. */
  shellFormRef: string;
  /** The web mode's state dir (hosts, known hosts, machines). */
  stateDir: string;
  /** Replaces the berthd handle after a kill + restart. */
  setBerthd: (b: BerthdHandle) => void;
  newPage: () => Promise<Page>;
  cleanup: () => Promise<void>;
}

export async function startAppStack(opts: { daemonConfig?: Record<string, unknown>; withMirror?: boolean; webEnv?: Record<string, string> } = {}): Promise<AppStack> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanup = async (): Promise<void> => {
    for (const c of cleanups.reverse()) await c().catch((e: unknown) => console.warn('cleanup:', e));
  };
  try {
    const registry = await startRegistry();
    cleanups.push(() => registry.stop());
    await pushImage(registry.url, 'busybox', 'latest', await busyboxImage());
    await pushImage(registry.url, 'shellform', 'latest', await shellFormImage());
    let mirror: RegistryHandle | undefined;
    if (opts.withMirror) {
      // Docker Hub's name for `busybox`; Hub itself is unreachable here, so a pull that works came through the mirror.
      await pushImage(registry.url, 'library/busybox', 'latest', await busyboxImage());
      const m = await startRegistry({ proxyRemoteUrl: registry.url });
      cleanups.push(() => m.stop());
      mirror = m;
    }
    let berthd = await startBerthd({ config: opts.daemonConfig ?? {}, logLevel: 'info' });
    // cleanup() removes the suite's containers, then stops berthd (which exits on SIGTERM even with terminals open).
    cleanups.push(() => berthd.cleanup());
    const stateDir = await mkdtemp(join(tmpdir(), 'berth-e2e-state-'));
    cleanups.push(() => rm(stateDir, { recursive: true, force: true }));
    const web = await startWebMode({ socket: berthd.socket, stateDir, ...(opts.webEnv ? { env: opts.webEnv } : {}) });
    cleanups.push(() => web.stop());
    const { browser, close } = await launchBrowser();
    cleanups.push(close);
    const host = new URL(registry.url).host;
    return {
      registry,
      mirror,
      get berthd() {
        return berthd;
      },
      web,
      browser,
      stateDir,
      busyboxRef: `${host}/busybox:latest`,
      shellFormRef: `${host}/shellform:latest`,
      setBerthd: (b) => {
        berthd = b;
      },
      newPage: async () => {
        const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
        await page.goto(web.url);
        return page;
      },
      cleanup,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
/** Polls `probe` (every 100 ms) until it gives something other than undefined/false. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Text of the visible xterm rows (the DOM renderer writes one div per row). */
export async function terminalText(page: Page): Promise<string> {
  return page.locator('[data-testid="terminal"] .xterm-rows').innerText();
}

/** Polls the terminal until `re` matches its text. */
export async function waitTerminal(page: Page, re: RegExp, timeoutMs = 15_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = await terminalText(page).catch(() => '');
    const m = re.exec(text);
    if (m) return m;
    await page.waitForTimeout(100);
  }
  throw new Error(`terminal never matched ${re}; it shows:\n${text}`);
}

export async function gotoView(page: Page, label: 'Dashboard' | 'Containers' | 'Images' | 'Volumes' | 'Mirrors' | 'Hosts' | 'Builds' | 'Networks'): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label }).click();
  await page.getByRole('heading', { name: label, level: 1 }).waitFor({ state: 'visible', timeout: 10_000 });
}

/** Pulls through the Pull dialog and waits for the final snapshot; returns the dialog locator. */
export async function pullInUi(page: Page, ref: string, timeoutMs = 60_000) {
  await gotoView(page, 'Images');
  await page.getByRole('button', { name: 'Pull image' }).click();
  const dialog = page.getByRole('dialog', { name: 'Pull an image' });
  await dialog.getByLabel('Image reference').fill(ref);
  await dialog.getByRole('button', { name: 'Pull', exact: true }).click();
  await dialog.locator('[data-testid="transfer-progress"][data-state="done"], [data-testid="transfer-progress"][data-state="error"], [role="alert"]').first().waitFor({ state: 'visible', timeout: timeoutMs });
  return dialog;
}
