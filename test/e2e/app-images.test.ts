/**
 * Image details against a real berthd: a shell-form image shows the PID 1 warning (with why and
 * the fix), its history and layers; an exec-form image does not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot } from '../harness/browser';
import { IS_ROOT, gotoView, pullInUi, startAppStack, type AppStack } from './app-env';

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
    // The list row says so too, with why and the fix on the badge.
    const flag = page.locator(`tr[data-image-ref="${stack.shellFormRef}"] [data-testid="shell-form-flag"]`);
    await flag.waitFor({ timeout: 10_000 });
    expect(await flag.innerText()).toBe('shell-form CMD');
    expect(await flag.getAttribute('aria-label')).toMatch(/SIGTERM.*--init/);
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

  it('the run dialog suggests local images and warns about the shell-form one', async () => {
    await gotoView(page, 'Images');
    await page.locator(`tr[data-image-ref="${stack.shellFormRef}"]`).getByRole('link', { name: 'Run' }).click();
    const dialog = page.getByRole('dialog', { name: 'Run a container' });
    await dialog.waitFor();
    expect(await dialog.getByLabel('Image', { exact: true }).inputValue()).toBe(stack.shellFormRef);
    const suggestions = dialog.getByTestId('run-image-suggestions').locator('option');
    await suggestions.first().waitFor({ state: 'attached', timeout: 10_000 });
    expect(await suggestions.evaluateAll((els) => els.map((e) => e.getAttribute('value')))).toContain(stack.shellFormRef);
    const warning = dialog.getByTestId('pid1-warning');
    await warning.waitFor({ timeout: 10_000 });
    expect(await warning.innerText()).toMatch(/Shell-form CMD: \/bin\/sh runs as PID 1/);
    expect(await dialog.getByTestId('pid1-source').innerText()).toMatch(/CMD is in shell form/);
    await screenshot(page, 'images-3-run-dialog-shell-form');
    // An argument list replaces the image's CMD.
    await dialog.getByLabel('Argument 1', { exact: true }).fill('sleep');
    await warning.waitFor({ state: 'detached' });
    await dialog.getByRole('button', { name: 'Cancel' }).click();
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
