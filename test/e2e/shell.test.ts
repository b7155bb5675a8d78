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
      const ws = new WebSocket(`${web.origin.replace('http', 'ws')}/ws`, { headers: { Origin: web.origin } });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => resolve(101));
      ws.on('error', () => undefined);
    });
    expect(wsStatus).toBe(401);
  });

  it('refuses a WebSocket from a page on another local port, even though the browser sends the cookie', async () => {
    const page = await browser.newPage();
    await page.goto(web.url);
    // A second loopback server plays the other local service whose page tries to drive berth.
    const { createServer } = await import('node:http');
    const evil = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>evil</title>'));
    await new Promise<void>((r) => evil.listen(0, '127.0.0.1', () => r()));
    try {
      const evilOrigin = `http://127.0.0.1:${(evil.address() as { port: number }).port}`;
      await page.goto(evilOrigin);
      // A string, not a function: this file's `WebSocket` import must not be rewritten into the page.
      const wsUrl = `${web.origin.replace('http', 'ws')}/ws`;
      const result = await page.evaluate(`new Promise((resolve) => { const ws = new WebSocket(${JSON.stringify(wsUrl)}); ws.onopen = () => resolve('open'); ws.onerror = () => resolve('refused'); })`);
      expect(result).toBe('refused');
    } finally {
      evil.close();
      await page.close();
    }
  });

  it('renders the navigation shell', async () => {
    const page = await browser.newPage();
    await page.goto(web.url);
    // The token went into an HttpOnly cookie; the address bar (and history) no longer holds it.
    expect(page.url()).toBe(`${web.origin}/`);
    expect(await page.evaluate(() => document.cookie)).toBe('');
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
