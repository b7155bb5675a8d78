import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT } from './berthd';

export const ARTIFACTS_DIR = join(REPO_ROOT, 'test-results/e2e');

/**
 * Debian's Chromium, driven by playwright-core (never a downloaded browser). The flags keep it
 * from reaching out to the network, which this machine does not allow. Playwright gives each
 * launch a fresh temporary profile.
 */
export async function launchBrowser(opts: { netns?: string } = {}): Promise<{ browser: Browser; close: () => Promise<void> }> {
  const chromiumPath = process.env.BERTH_CHROMIUM ?? '/usr/bin/chromium';
  let wrapper: string | undefined;
  if (opts.netns) {
    // The browser plays the person's desktop inside a test's network namespace (netns-sandbox.ts),
    // so a published port's link opens there. Playwright talks over inherited pipes, which `ip netns exec` keeps.
    const dir = await mkdtemp(join(tmpdir(), 'berth-chromium-'));
    wrapper = join(dir, 'chromium');
    await writeFile(wrapper, `#!/bin/sh\nexec ip netns exec ${opts.netns} ${chromiumPath} "$@"\n`, { mode: 0o755 });
  }
  const browser = await chromium.launch({
    executablePath: wrapper ?? chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    browser,
    close: async () => {
      await browser.close();
      if (wrapper) await rm(dirname(wrapper), { recursive: true, force: true });
    },
  };
}

/** Saves a screenshot under test-results/e2e/ as a test artifact. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const path = join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
