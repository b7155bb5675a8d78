/**
 * The logs view against a real berthd: a container writing to stdout and stderr, run from the
 * run dialog with an exec-form argument list and no TTY. New lines stream in while the view is
 * open, stderr is told apart, and search finds lines.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot } from '../harness/browser';
import { IS_ROOT, gotoView, pullInUi, startAppStack, type AppStack } from './app-env';

describe.skipIf(!IS_ROOT)('app: logs', () => {
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

  it('streams new stdout and stderr lines into the open view, told apart', async () => {
    await gotoView(page, 'Containers');
    await page.getByRole('button', { name: 'Run container' }).click();
    const dialog = page.getByRole('dialog', { name: 'Run a container' });
    await dialog.getByLabel('Image', { exact: true }).fill(stack.busyboxRef);
    await dialog.getByLabel('Name', { exact: true }).fill('chatty');
    const args = ['sh', '-c', 'i=0; while true; do echo out-$i; echo err-$i >&2; i=$((i+1)); sleep 0.5; done'];
    for (let i = 0; i < args.length; i++) {
      if (i > 0) await dialog.getByRole('button', { name: 'Add argument' }).click();
      await dialog.getByLabel(`Argument ${i + 1}`, { exact: true }).fill(args[i] as string);
    }
    await dialog.getByLabel(/Allocate a TTY/).uncheck();
    await dialog.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByTestId('container-details').waitFor({ timeout: 20_000 });
    const logs = page.getByRole('log', { name: 'Container logs' });
    await logs.getByText('out-0', { exact: true }).waitFor({ timeout: 15_000 });
    // Lines written after the view opened arrive without any reload or click.
    await logs.getByText('out-6', { exact: true }).waitFor({ timeout: 15_000 });
    const errLine = logs.locator('.log-line', { hasText: 'err-1' }).first();
    expect(await errLine.getAttribute('data-stream')).toBe('stderr');
    expect(await logs.locator('.log-line', { hasText: 'out-1' }).first().getAttribute('data-stream')).toBe('stdout');
    await screenshot(page, 'logs-1-streaming');

    await page.getByLabel('Search logs').fill('err-2');
    expect(await page.getByTestId('log-match-count').innerText()).toMatch(/^\d+ match/);
    expect(await logs.locator('mark', { hasText: 'err-2' }).count()).toBeGreaterThan(0);
    await page.getByLabel('Only matches').check();
    const shown = await logs.locator('.log-line').allInnerTexts();
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.every((l) => l.includes('err-2'))).toBe(true);
    await screenshot(page, 'logs-2-search');
  });
});
