/**
 * Image details against a real berthd: a shell-form image shows the PID 1 warning (with why and
 * the fix), its history and layers; an exec-form image does not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot } from '../harness/browser';
import { IS_ROOT, pullInUi, startAppStack, type AppStack } from './app-env';

describe.skipIf(!IS_ROOT)('app: images', () => {
  let stack: AppStack;
  let page: Page;

  beforeAll(async () => {
    stack = await startAppStack();
    page = await stack.newPage();
  });
  afterAll(async () => {
    await stack?.cleanup();
  });

  it('flags a shell-form CMD with the PID 1 explanation and the fix', async () => {
    const dialog = await pullInUi(page, stack.shellFormRef);
    expect(await dialog.getByTestId('transfer-state').innerText()).toBe('Complete');
    await dialog.getByRole('button', { name: 'Close', exact: true }).first().click();
    await page.locator(`tr[data-image-ref="${stack.shellFormRef}"] td:first-child a`).click();
    const warning = page.getByTestId('pid1-warning');
    await warning.waitFor({ timeout: 10_000 });
    const text = await warning.innerText();
    expect(text).toMatch(/Shell-form CMD: \/bin\/sh runs as PID 1/);
    expect(text).toMatch(/SIGTERM/);
    expect(text).toMatch(/whole timeout/);
    expect(text).toContain('CMD ["sleep","1000"]');
    expect(text).toContain('--init');
    await page.getByRole('table', { name: 'Layers' }).waitFor({ timeout: 10_000 });
    await page.getByRole('tab', { name: 'History' }).click();
    expect(await page.getByRole('table', { name: 'History' }).innerText()).toMatch(/CMD \["\/bin\/sh" "-c" "sleep 1000"\]/);
    await screenshot(page, 'images-1-shell-form-warning');
  });

  it('does not flag an exec-form image', async () => {
    const dialog = await pullInUi(page, stack.busyboxRef);
    await dialog.getByRole('button', { name: 'Close', exact: true }).first().click();
    await page.locator(`tr[data-image-ref="${stack.busyboxRef}"] td:first-child a`).click();
    await page.getByTestId('image-details').waitFor();
    await page.getByRole('table', { name: 'Layers' }).waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('pid1-warning').count()).toBe(0);
    await screenshot(page, 'images-2-exec-form');
  });
});
