/**
 * Daemon down and back: killing berthd shows the error state (a clear message and Retry, never a
 * blank view); restarting it recovers the views without reloading the page.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot } from '../harness/browser';
import { IS_ROOT, gotoView, pullInUi, startAppStack, type AppStack } from './app-env';

describe.skipIf(!IS_ROOT)('app: daemon down and back', () => {
  let stack: AppStack;
  let page: Page;

  beforeAll(async () => {
    stack = await startAppStack();
    page = await stack.newPage();
    const dialog = await pullInUi(page, stack.busyboxRef);
    await dialog.getByRole('button', { name: 'Close', exact: true }).first().click();
  });
  afterAll(async () => {
    await stack?.cleanup();
  });

  it('shows the error state when berthd dies and recovers when it is back, without a reload', async () => {
    await gotoView(page, 'Images');
    await page.locator(`tr[data-image-ref="${stack.busyboxRef}"]`).waitFor();
    await page.evaluate(() => {
      (window as unknown as { berthNoReload: boolean }).berthNoReload = true;
    });

    await stack.berthd.kill();
    const alert = page.getByRole('alert').filter({ hasText: 'The Berth daemon is not reachable' });
    await alert.waitFor({ timeout: 20_000 });
    expect(await alert.getByRole('button', { name: 'Retry' }).count()).toBe(1);
    await page.getByTestId('host-banner').waitFor({ timeout: 10_000 });
    await screenshot(page, 'daemon-1-down');
    await gotoView(page, 'Containers');
    await alert.waitFor({ timeout: 20_000 });

    stack.setBerthd(await stack.berthd.restart());
    // Main retries with backoff; when it reconnects, the views refetch by themselves.
    await page.getByTestId('host-banner').waitFor({ state: 'detached', timeout: 30_000 });
    await alert.waitFor({ state: 'detached', timeout: 15_000 });
    await page.getByTestId('empty-state').filter({ hasText: 'No containers yet' }).waitFor({ timeout: 10_000 });
    expect(await page.getByRole('alert').count()).toBe(0);
    await gotoView(page, 'Images');
    await page.locator(`tr[data-image-ref="${stack.busyboxRef}"]`).waitFor({ timeout: 10_000 });
    expect(await page.evaluate(() => (window as unknown as { berthNoReload?: boolean }).berthNoReload)).toBe(true);
    await screenshot(page, 'daemon-2-recovered');
  });
});
