/**
 * Issue #16, the daily comforts in Chromium against a real berthd, each checked with the real
 * docker CLI: sorting the Containers list and bulk Stop/Remove, the run dialog pulling a missing
 * image with progress, the Pull dialog's failure and cancel states, and Settings that survive a
 * reload. Slow pulls go through a throttling loopback proxy in front of the test registry.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot } from '../harness/browser';
import { docker } from '../harness/docker-cli';
import { bigImage, buildImage, busyboxLayer, makeLayer, pushImage, seededRandomBytes } from '../harness/fixtures';
import { startSlowProxy, type SlowProxy } from '../harness/slow-proxy';
import { IS_ROOT, gotoView, startAppStack, waitFor, type AppStack } from './app-env';

describe.skipIf(!IS_ROOT)('app: sorting, bulk actions, pulls and settings', () => {
  let stack: AppStack;
  let page: Page;
  let slow: SlowProxy;
  const d = (args: string[]) => docker(stack.berthd.dockerHost, args, { timeoutMs: 60_000 });
  const names = async (args: string[]): Promise<string[]> => {
    const r = await d([...args, '--format', '{{.Names}}']);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout.split('\n').filter(Boolean).sort();
  };

  beforeAll(async () => {
    stack = await startAppStack();
    slow = await startSlowProxy(stack.registry.port, 256 * 1024);
    expect((await d(['pull', stack.busyboxRef])).code).toBe(0);
    page = await stack.newPage();
  });
  afterAll(async () => {
    await slow?.stop();
    await stack?.cleanup();
  });

  it('sorts the list by Name from its header, then stops and removes two selected containers in bulk', async () => {
    // Created out of order, two running, one exited, one never started.
    for (const n of ['daily-c', 'daily-a']) expect((await d(['run', '-d', '--init', '--name', n, stack.busyboxRef, 'sleep', '1000'])).code).toBe(0);
    expect((await d(['run', '--name', 'daily-d', stack.busyboxRef, 'true'])).code).toBe(0);
    expect((await d(['create', '--name', 'daily-b', stack.busyboxRef, 'sleep', '1000'])).code).toBe(0);
    await gotoView(page, 'Containers');
    const table = page.getByRole('table', { name: 'Containers' });
    const rowNames = (): Promise<string[]> => table.locator('tbody tr[data-container-name]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-container-name') ?? ''));
    await waitFor('4 rows', async () => (await rowNames()).length === 4);
    const nameHeader = table.getByRole('columnheader', { name: /^Name/ });
    expect(await nameHeader.getAttribute('aria-sort')).toBe('none');
    await nameHeader.getByRole('button').click();
    expect(await nameHeader.getAttribute('aria-sort')).toBe('ascending');
    expect(await rowNames()).toEqual(['daily-a', 'daily-b', 'daily-c', 'daily-d']);
    await nameHeader.getByRole('button').click();
    expect(await nameHeader.getAttribute('aria-sort')).toBe('descending');
    expect(await rowNames()).toEqual(['daily-d', 'daily-c', 'daily-b', 'daily-a']);
    await screenshot(page, 'daily-1-sorted');

    await table.getByRole('checkbox', { name: 'Select daily-a' }).check();
    await table.getByRole('checkbox', { name: 'Select daily-c' }).check();
    const bar = page.getByRole('toolbar', { name: 'Actions on selected containers' });
    expect(await bar.innerText()).toContain('2 containers selected');
    await bar.getByRole('button', { name: 'Stop', exact: true }).click();
    await waitFor('both stopped in the engine', async () => (await names(['ps'])).length === 0, 30_000);
    const state = (n: string) => table.locator(`tr[data-container-name="${n}"]`).getAttribute('data-state');
    await waitFor('the rows to say exited', async () => (await state('daily-a')) === 'exited' && (await state('daily-c')) === 'exited');
    expect(await state('daily-b')).toBe('created');
    await screenshot(page, 'daily-2-bulk-stopped');

    await bar.getByRole('button', { name: 'Remove', exact: true }).click();
    const confirm = page.getByRole('dialog', { name: 'Remove 2 containers?' });
    // Both are stopped now: a plain Remove, not "Kill and remove".
    await confirm.getByRole('button', { name: 'Remove', exact: true }).click();
    await waitFor('two containers left in the engine', async () => (await names(['ps', '-a'])).join(',') === 'daily-b,daily-d', 30_000);
    await waitFor('two rows left', async () => (await rowNames()).join(',') === 'daily-d,daily-b');
    expect(await bar.count()).toBe(0);
    await screenshot(page, 'daily-3-bulk-removed');
  });

  it('the run dialog pulls an image the host does not have, with progress, then runs it', async () => {
    // busybox plus a 768 kB random layer the host has never seen, through the throttling proxy:
    // the pull lasts a few seconds, long enough to be seen.
    const extra = await makeLayer([
      { name: 'daily/', type: 'directory' },
      { name: 'daily/blob.bin', content: seededRandomBytes('daily-run', 768 * 1024) },
    ]);
    await pushImage(stack.registry.url, 'daily-run', 'v2', buildImage({ layers: [await busyboxLayer(), extra], config: { Cmd: ['sh'] } }));
    const ref = `${slow.host}/daily-run:v2`;
    slow.rate = 128 * 1024;
    expect(await d(['image', 'inspect', ref]).then((r) => r.code)).not.toBe(0);
    await gotoView(page, 'Containers');
    await page.getByRole('button', { name: 'Run container' }).click();
    const dialog = page.getByRole('dialog', { name: 'Run a container' });
    await dialog.getByLabel('Image', { exact: true }).fill(ref);
    await dialog.getByLabel('Name', { exact: true }).fill('daily-pulled');
    await dialog.getByLabel('Argument 1', { exact: true }).fill('sleep');
    await dialog.getByRole('button', { name: 'Add argument' }).click();
    await dialog.getByLabel('Argument 2', { exact: true }).fill('1000');
    await dialog.getByText('Not on this host yet').waitFor({ timeout: 10_000 });
    await dialog.getByRole('button', { name: 'Run', exact: true }).click();
    const progress = dialog.locator('[data-testid="run-pull"] [data-testid="transfer-progress"]');
    await progress.waitFor({ timeout: 15_000 });
    expect(await progress.getAttribute('data-state')).toBe('running');
    await dialog.locator('[data-testid="run-pull"] [data-testid="layer-progress"]').first().waitFor({ timeout: 15_000 });
    await screenshot(page, 'daily-4-run-pulling');
    await page.getByRole('heading', { name: 'daily-pulled', level: 1 }).waitFor({ timeout: 60_000 });
    const ps = await d(['ps', '--filter', 'name=daily-pulled', '--format', '{{.Image}} {{.Status}}']);
    expect(ps.stdout.trim()).toMatch(new RegExp(`^${ref.replace(/[.]/g, '\\.')} Up `));
    expect((await d(['image', 'inspect', ref])).code).toBe(0);
    slow.rate = 256 * 1024;
  });

  it('a failed pull says so once, without an animated bar; a cancelled pull says Cancelled and stops', async () => {
    await gotoView(page, 'Images');
    await page.getByRole('button', { name: 'Pull image' }).click();
    const dialog = page.getByRole('dialog', { name: 'Pull an image' });
    // A missing tag fails before any layer: one error, no bar at all.
    await dialog.getByLabel('Image reference').fill(`${stack.registry.host}/busybox:no-such-tag`);
    await dialog.getByRole('button', { name: 'Pull', exact: true }).click();
    const alert = dialog.getByRole('alert');
    await alert.waitFor({ timeout: 30_000 });
    expect(await alert.innerText()).toMatch(/no-such-tag not found/);
    expect(await dialog.getByRole('alert').count()).toBe(1);
    expect(await dialog.getByRole('progressbar').count()).toBe(0);
    expect(await dialog.getByText('In progress').count()).toBe(0);
    await dialog.getByRole('button', { name: 'Pull again' }).waitFor();

    // A layer the registry lost fails mid-pull: the progress says Failed, the error appears once
    // (not again as the last status line) and no bar animates.
    const lost = await makeLayer([{ name: 'lost.bin', content: seededRandomBytes('daily-lost', 64 * 1024) }]);
    await pushImage(stack.registry.url, 'daily-lost', 'latest', buildImage({ layers: [await busyboxLayer(), lost], config: { Cmd: ['sh'] } }));
    const hex = lost.digest.slice('sha256:'.length);
    await rm(join(stack.registry.storageDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex), { recursive: true });
    await dialog.getByLabel('Image reference').fill(`${stack.registry.host}/daily-lost:latest`);
    await dialog.getByRole('button', { name: 'Pull again' }).click();
    const progress = dialog.getByTestId('transfer-progress');
    await dialog.locator('[data-testid="transfer-progress"][data-state="error"]').waitFor({ timeout: 30_000 });
    expect(await dialog.getByTestId('transfer-state').innerText()).toBe('Failed');
    const error = await dialog.getByTestId('transfer-error').innerText();
    // Said as dockerd says it, not as the registry's raw JSON.
    expect(error).toBe(`blob ${lost.digest}: blob unknown: blob unknown to registry`);
    const text = await dialog.innerText();
    expect(text.split(error).length - 1, text).toBe(1);
    expect(await dialog.getByRole('alert').count()).toBe(1);
    expect(await progress.locator('.progress.indeterminate').count()).toBe(0);
    expect(await dialog.getByText('In progress').count()).toBe(0);
    // The lost layer's row stops saying "Downloading" (the other one already existed).
    const layerTexts = (): Promise<string> => dialog.getByTestId('layer-progress').allInnerTexts().then((t) => t.join('\n'));
    expect(await layerTexts()).not.toMatch(/Downloading/);
    expect(await layerTexts()).toMatch(/Stopped/);
    await screenshot(page, 'daily-5-pull-failed');
    expect((await d(['image', 'inspect', `${stack.registry.host}/daily-lost:latest`])).code).not.toBe(0);
    const cli = await d(['pull', `${stack.registry.host}/daily-lost:latest`]);
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toContain('blob unknown: blob unknown to registry');

    // A 3 MB random layer at 128 kB/s takes ~25 s: cancel it once bytes are moving.
    await pushImage(stack.registry.url, 'daily-big', 'latest', await bigImage({ layers: 1, totalMB: 3, compressibleMB: 0, seed: 'berth-daily' }));
    const bigRef = `${slow.host}/daily-big:latest`;
    slow.rate = 128 * 1024;
    await dialog.getByLabel('Image reference').fill(bigRef);
    await dialog.getByRole('button', { name: 'Pull again' }).click();
    await waitFor('some bytes of the layer', async () => /Downloading · [1-9][\d.]* [kM]?B \/ /.test(await layerTexts().catch(() => '')), 30_000);
    await dialog.getByRole('button', { name: 'Cancel pull' }).click();
    await dialog.locator('[data-testid="transfer-progress"][data-state="cancelled"]').waitFor({ timeout: 5_000 });
    expect(await dialog.getByTestId('transfer-state').innerText()).toBe('Cancelled');
    expect(await dialog.getByText('In progress').count()).toBe(0);
    expect(await progress.locator('.progress.indeterminate').count()).toBe(0);
    // The layer says it was cancelled at the bytes it reached, not that it is still downloading.
    expect(await layerTexts()).toMatch(/^Cancelled · [1-9][\d.]* [kM]?B \/ 3\.15 MB$/m);
    expect(await layerTexts()).not.toMatch(/Downloading/);
    await screenshot(page, 'daily-6-pull-cancelled');
    // The engine stopped fetching: no byte more goes through the proxy, and no image appeared.
    await page.waitForTimeout(1_000);
    const after = slow.delivered();
    await page.waitForTimeout(2_000);
    expect(slow.delivered()).toBe(after);
    expect((await d(['image', 'inspect', bigRef])).code).not.toBe(0);
    // The dialog still offers to pull again (the state stays Cancelled, not In progress).
    expect(await dialog.getByTestId('transfer-state').innerText()).toBe('Cancelled');
    await dialog.getByRole('button', { name: 'Cancel', exact: true }).click();
  });

  it('keeps the theme, terminal font size and log line limit across a reload, and applies the theme', async () => {
    const html = page.locator('html');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor({ timeout: 10_000 });
    const bg = (): Promise<string> => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
    await page.getByRole('radio', { name: 'Light' }).click();
    await waitFor('light theme', async () => (await html.getAttribute('data-theme')) === 'light');
    const lightBg = await bg();
    await page.getByRole('radio', { name: 'Dark' }).click();
    await waitFor('dark theme', async () => (await html.getAttribute('data-theme')) === 'dark');
    expect(await bg()).not.toBe(lightBg);
    await page.getByLabel('Font size').selectOption('18');
    await page.getByLabel('Lines kept in the Logs tab').selectOption('50000');
    await page.reload();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor({ timeout: 15_000 });
    expect(await html.getAttribute('data-theme')).toBe('dark');
    expect(await page.getByRole('radio', { name: 'Dark' }).getAttribute('aria-checked')).toBe('true');
    expect(await page.getByLabel('Font size').inputValue()).toBe('18');
    expect(await page.getByLabel('Lines kept in the Logs tab').inputValue()).toBe('50000');
    await screenshot(page, 'daily-7-settings-dark');
    // The font size reaches the terminal.
    await page.goto(`${stack.web.url.split('#')[0]}#/containers/${(await d(['ps', '-q', '--filter', 'name=daily-pulled'])).stdout.trim()}`);
    await page.getByRole('heading', { name: 'daily-pulled', level: 1 }).waitFor({ timeout: 15_000 });
    await page.getByRole('tab', { name: 'Terminal' }).click();
    const rows = page.locator('[data-testid="terminal"] .xterm-rows');
    await rows.waitFor({ state: 'visible', timeout: 15_000 });
    expect(await rows.evaluate((el) => getComputedStyle(el).fontSize)).toBe('18px');
  });
});
