/**
 * Networking in the app, with berthd, the web mode and Chromium all inside the netns sandbox (the
 * sandbox's loopback plays the person's desktop; no packet leaves the sandbox's namespaces): a
 * network made in the Networks view, a web server run from the run dialog with a published port
 * and an alias on that network, its address in the details, the port link clicked and the page
 * seen, a taken host port named in the run dialog before running, and removal refused while in use.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT } from '../harness/berthd';
import { launchBrowser, screenshot } from '../harness/browser';
import { busyboxImage, pushImage } from '../harness/fixtures';
import { startNetnsSandbox, type NetnsSandbox } from '../harness/netns-sandbox';
import { startRegistry, type RegistryHandle } from '../harness/registry';
import { startWebMode, type WebModeHandle } from '../harness/web-mode';
import { gotoView } from './app-env';

const PAGE = 'hello from a berth container';

describe.skipIf(!IS_ROOT)('app: networks, published ports and port links (netns sandbox)', () => {
  let seed: RegistryHandle;
  let sb: NetnsSandbox;
  let web: WebModeHandle;
  let browser: Browser;
  let closeBrowser: () => Promise<void>;
  let stateDir: string;
  let page: Page;
  let image: string;

  beforeAll(async () => {
    seed = await startRegistry();
    await pushImage(seed.url, 'busybox', 'latest', await busyboxImage());
    sb = await startNetnsSandbox({ registryStorage: seed.storageDir });
    image = `${sb.registry.host}/busybox:latest`;
    stateDir = await mkdtemp(join(tmpdir(), 'berth-e2e-net-'));
    web = await startWebMode({ socket: sb.berthd.socket, stateDir, netns: sb.netns });
    ({ browser, close: closeBrowser } = await launchBrowser({ netns: sb.netns }));
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    await page.goto(web.url);
  }, 240_000);

  afterAll(async () => {
    await closeBrowser?.().catch(() => undefined);
    await web?.stop();
    await sb?.cleanup();
    await seed?.stop();
    if (stateDir) await rm(stateDir, { recursive: true, force: true });
  }, 60_000);

  it('creates a network from the Networks view and shows its subnet', async () => {
    await gotoView(page, 'Networks');
    // The default bridge is listed with the subnet berthd chose.
    const bridge = page.locator('[data-network="bridge"]');
    await bridge.waitFor({ timeout: 15_000 });
    expect(await bridge.getByTestId('network-subnet').innerText()).toMatch(/^\d+\.\d+\.\d+\.\d+\/\d+$/);
    await page.getByRole('button', { name: 'Create network' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create network' });
    await dialog.getByLabel('Name', { exact: true }).fill('shop');
    await dialog.getByLabel('Subnet', { exact: true }).fill('10.77.0.0/24');
    await dialog.getByLabel('Gateway', { exact: true }).fill('10.99.0.1');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    // Checked in the dialog before anything is sent.
    await dialog.getByText('Not inside 10.77.0.0/24.').waitFor();
    await dialog.getByLabel('Gateway', { exact: true }).fill('10.77.0.1');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.locator('[data-network="shop"]');
    await row.waitFor();
    expect(await row.getByTestId('network-subnet').innerText()).toBe('10.77.0.0/24');
    const inspect = await sb.d(['network', 'inspect', '-f', '{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}}', 'shop']);
    expect(inspect.stdout.trim()).toBe('10.77.0.0/24 10.77.0.1');
  });

  it('runs a web server with a published port and an alias from the run dialog; its port link opens the page', async () => {
    await gotoView(page, 'Containers');
    await page.getByRole('button', { name: 'Run container' }).click();
    const dialog = page.getByRole('dialog', { name: 'Run a container' });
    await dialog.getByLabel('Image', { exact: true }).fill(image);
    await dialog.getByLabel('Name', { exact: true }).fill('shopweb');
    await dialog.getByRole('radio', { name: 'Shell command (/bin/sh -c)' }).click();
    await dialog.getByLabel('Shell command', { exact: true }).fill(`mkdir -p /www && echo "${PAGE}" > /www/index.html && exec httpd -f -p 80 -h /www`);
    await dialog.getByLabel('Network', { exact: true }).selectOption('shop');
    await dialog.getByLabel('Aliases').fill('storefront');
    await dialog.getByLabel('Published ports').fill('8080:80');
    await screenshot(page, 'networks-1-run-dialog-ports');
    await dialog.getByRole('button', { name: 'Run', exact: true }).click();
    const details = page.getByTestId('container-details');
    await details.waitFor({ state: 'visible', timeout: 60_000 });
    await page.getByRole('heading', { name: 'shopweb', level: 1 }).waitFor();
    const endpoints = page.getByTestId('container-endpoints');
    await endpoints.waitFor({ timeout: 15_000 });
    expect(await endpoints.locator('[data-network="shop"]').innerText()).toMatch(/^shop 10\.77\.0\.\d+\/24 \(aka storefront\)$/);
    const link = endpoints.getByRole('link', { name: '8080→80/tcp' });
    expect(await link.getAttribute('href')).toBe('http://127.0.0.1:8080/');
    await screenshot(page, 'networks-2-details-port-link');
    // The server may need a moment after the start: the person would reload, so does the test.
    const [tab] = await Promise.all([page.context().waitForEvent('page'), link.click()]);
    let body = '';
    for (let i = 0; i < 30 && !body.includes(PAGE); i++) {
      await tab.waitForLoadState('domcontentloaded').catch(() => undefined);
      body = await tab.locator('body').innerText().catch(() => '');
      if (!body.includes(PAGE)) {
        await tab.waitForTimeout(300);
        await tab.reload().catch(() => undefined);
      }
    }
    expect(body).toContain(PAGE);
    expect(tab.url()).toBe('http://127.0.0.1:8080/');
    await tab.close();
  });

  it('shows the container and its address on the network, and refuses to remove a network in use', async () => {
    await gotoView(page, 'Networks');
    const row = page.locator('[data-network="shop"]');
    await row.getByTestId('network-containers').filter({ hasText: /shopweb 10\.77\.0\.\d+/ }).waitFor({ timeout: 15_000 });
    await row.getByRole('link', { name: 'shop' }).click();
    await page.locator('[data-endpoint="shopweb"]').waitFor();
    expect(await page.locator('[data-endpoint="shopweb"] td').nth(1).innerText()).toMatch(/^10\.77\.0\.\d+$/);
    await screenshot(page, 'networks-3-details');
    await gotoView(page, 'Networks');
    await page.locator('[data-network="shop"]').getByRole('button', { name: 'Remove shop' }).click();
    await page.getByRole('dialog', { name: 'Remove network shop?' }).getByRole('button', { name: 'Remove', exact: true }).click();
    await page.getByText(/Cannot remove shop/).first().waitFor({ timeout: 10_000 });
    expect((await sb.d(['network', 'inspect', 'shop'])).code).toBe(0);
  });

  it('names a taken host port in the run dialog before running', async () => {
    await gotoView(page, 'Containers');
    await page.getByRole('button', { name: 'Run container' }).click();
    const dialog = page.getByRole('dialog', { name: 'Run a container' });
    await dialog.getByLabel('Image', { exact: true }).fill(image);
    await dialog.getByLabel('Published ports').fill('8080:80, 8181:80');
    await dialog.getByText('Host port 8080/tcp is taken by container shopweb.').waitFor({ timeout: 10_000 });
    expect(await dialog.getByText(/8181/).filter({ hasText: 'taken' }).count()).toBe(0);
    // A host process holding a port is seen too (berthd tries the port as a start would).
    const squatter = sb.spawnIn('sandbox', ['busybox', 'nc', '-l', '-p', '8282']);
    try {
      await new Promise((res) => setTimeout(res, 300));
      await dialog.getByLabel('Published ports').fill('8282:80');
      await dialog.getByText('Host port 8282/tcp is taken by another process on the host.').waitFor({ timeout: 10_000 });
    } finally {
      squatter.kill();
    }
    await screenshot(page, 'networks-4-port-taken');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
  });
});
