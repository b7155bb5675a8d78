import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, screenshot } from '../harness/browser';
import { startWebMode, type WebModeHandle } from '../harness/web-mode';
import type { Browser } from 'playwright-core';
import { WebSocket } from 'ws';

describe('web mode shell', () => {
  let web: WebModeHandle;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;

  beforeAll(async () => {
    web = await startWebMode({ socket: '/nonexistent/berthd.sock' });
    ({ browser, close: closeBrowser } = await launchBrowser());
  });
  afterAll(async () => {
    await closeBrowser?.();
    await web?.stop();
  });

  it('prints a loopback URL carrying a token', () => {
    expect(web.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
  });

  it('refuses requests without the token', async () => {
    expect((await fetch(`${web.origin}/`)).status).toBe(401);
    expect((await fetch(`${web.origin}/?token=wrong`)).status).toBe(401);
    const wsStatus = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`${web.origin.replace('http', 'ws')}/ws`);
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => undefined);
    });
    expect(wsStatus).toBe(401);
  });

  it('renders the navigation shell', async () => {
    const page = await browser.newPage();
    await page.goto(web.url);
    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const label of ['Containers', 'Images', 'Mirrors', 'Hosts']) {
      await nav.getByRole('link', { name: label }).waitFor({ state: 'visible', timeout: 10_000 });
    }
    await nav.getByRole('link', { name: 'Images' }).click();
    await page.getByRole('heading', { name: 'Images', level: 1 }).waitFor({ state: 'visible', timeout: 10_000 });
    expect(new URL(page.url()).hash).toBe('#/images');
    await screenshot(page, 'shell');
    await page.close();
  });
});
