/**
 * The mirrors screen against a real berthd: add a dead mirror and a live pull-through mirror in
 * the list editor, apply, see their health, pull the Docker Hub name `busybox` (Hub is unreachable
 * here, so success means the mirror served it) and see which mirror did. Invalid JSON is refused
 * with a message and the config in force stays.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { engineRequest } from '../harness/berthd';
import { screenshot } from '../harness/browser';
import { deadPort } from '../harness/registry';
import { IS_ROOT, gotoView, pullInUi, startAppStack, type AppStack } from './app-env';

describe.skipIf(!IS_ROOT)('app: mirrors', () => {
  let stack: AppStack;
  let page: Page;
  let dead: string;

  beforeAll(async () => {
    stack = await startAppStack({ withMirror: true });
    dead = `http://127.0.0.1:${await deadPort()}`;
    page = await stack.newPage();
  });
  afterAll(async () => {
    await stack?.cleanup();
  });

  const mirrorsInForce = async (): Promise<string[]> => {
    const res = await engineRequest(stack.berthd.socket, 'GET', '/berth/v1/config/mirrors');
    expect(res.status).toBe(200);
    return (JSON.parse(res.body) as { registryMirrors: string[] }).registryMirrors;
  };

  it('adds a dead and a live mirror in the list, in sync with daemon.json, and applies them', async () => {
    await gotoView(page, 'Mirrors');
    const json = page.getByLabel('daemon.json');
    await json.waitFor();
    for (const url of [dead, stack.mirror!.url]) {
      await page.getByLabel('New mirror URL').fill(url);
      await page.getByRole('button', { name: 'Add mirror' }).click();
    }
    expect(JSON.parse(await json.inputValue())['registry-mirrors']).toEqual([dead, stack.mirror!.url]);
    await page.getByRole('button', { name: 'Apply', exact: true }).click();
    await page.getByTestId('mirrors-applied').waitFor({ timeout: 15_000 });
    expect(await mirrorsInForce()).toEqual([dead, stack.mirror!.url]);

    const health = page.getByRole('table', { name: 'Mirror health' });
    await health.locator(`tr[data-mirror="${stack.mirror!.url}"]`).waitFor({ timeout: 15_000 });
    expect(await health.locator(`tr[data-mirror="${stack.mirror!.url}"]`).innerText()).toMatch(/Reachable\s+[\d.]+ ms/);
    expect(await health.locator(`tr[data-mirror="${dead}"]`).innerText()).toMatch(/Unreachable/);
    await screenshot(page, 'mirrors-1-applied-health');
  });

  it('pulls the Docker Hub name `busybox` through the live mirror and says so', async () => {
    const dialog = await pullInUi(page, 'busybox');
    expect(await dialog.getByTestId('transfer-state').innerText()).toBe('Complete');
    const servedBy = await dialog.getByTestId('served-by').innerText();
    expect(servedBy).toContain(stack.mirror!.url);
    await screenshot(page, 'mirrors-2-pull-via-mirror');
    await dialog.getByRole('button', { name: 'Close', exact: true }).first().click();
  });

  it('refuses invalid JSON with a message, and the old config stays', async () => {
    await gotoView(page, 'Mirrors');
    const json = page.getByLabel('daemon.json');
    await json.fill('{"registry-mirrors": ["http://127.0.0.1:1",');
    expect(await page.getByTestId('json-error').innerText()).toMatch(/^Line 1, column \d+: Invalid JSON/);
    await page.getByRole('button', { name: 'Apply', exact: true }).click();
    const refused = page.getByTestId('mirrors-refused');
    await refused.waitFor({ timeout: 10_000 });
    expect(await refused.innerText()).toMatch(/Not applied — the configuration in force is unchanged/);
    await screenshot(page, 'mirrors-3-invalid-json');
    expect(await mirrorsInForce()).toEqual([dead, stack.mirror!.url]);
    // A bad URL is marked next to its entry and refused too.
    await page.getByRole('button', { name: 'Revert' }).click();
    await page.getByLabel('New mirror URL').fill('ftp://127.0.0.1:21');
    await page.getByRole('button', { name: 'Add mirror' }).click();
    expect(await page.getByTestId('mirror-error').innerText()).toMatch(/http or https/);
    await page.getByRole('button', { name: 'Apply', exact: true }).click();
    await page.getByTestId('mirrors-refused').waitFor({ timeout: 10_000 });
    expect(await mirrorsInForce()).toEqual([dead, stack.mirror!.url]);
    await screenshot(page, 'mirrors-4-invalid-url');
  });
});
