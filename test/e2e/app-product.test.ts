/**
 * Product defects, as a person meets them: the PID 1 advice and the one-click --init, proved by a
 * stop that ends with SIGTERM (exit 143) instead of the timeout's SIGKILL (137); the "Stopping…"
 * countdown while a stop waits; a TTY container's colour codes rendered as colours with its
 * control sequences (ESC[6n, ESC[J, titles) gone from the Logs tab.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot } from '../harness/browser';
import { docker } from '../harness/docker-cli';
import { IS_ROOT, gotoView, startAppStack, waitFor, type AppStack } from './app-env';

const exitCode = async (stack: AppStack, name: string): Promise<number | null> => {
  const r = await docker(stack.berthd.dockerHost, ['inspect', '-f', '{{.State.Running}} {{.State.ExitCode}}', name]);
  const [running, code] = r.stdout.trim().split(' ');
  return running === 'false' ? Number(code) : null;
};

describe.skipIf(!IS_ROOT)('app: PID 1 advice, --init, stopping countdown, ANSI logs', () => {
  let stack: AppStack;
  let page: Page;

  beforeAll(async () => {
    stack = await startAppStack();
    const pull = await docker(stack.berthd.dockerHost, ['pull', stack.busyboxRef]);
    expect(pull.code, pull.stderr).toBe(0);
    page = await stack.newPage();
  });
  afterAll(async () => {
    await stack?.cleanup();
  });

  it('says exec form only helps programs that handle SIGTERM, and Use --init makes stop end by SIGTERM at once', async () => {
    await gotoView(page, 'Containers');
    await page.getByRole('button', { name: 'Run container' }).click();
    const dialog = page.getByRole('dialog', { name: 'Run a container' });
    await dialog.getByLabel('Image', { exact: true }).fill(stack.busyboxRef);
    await dialog.getByLabel('Name', { exact: true }).fill('pid1-init');
    await dialog.getByLabel('Argument 1', { exact: true }).fill('sleep');
    await dialog.getByRole('button', { name: 'Add argument' }).click();
    await dialog.getByLabel('Argument 2', { exact: true }).fill('1000');
    const note = dialog.getByTestId('exec-form-note');
    expect(await note.innerText()).toMatch(/only if it handles SIGTERM itself/);
    expect(await dialog.getByText(/recommended: .*receives signals/).count()).toBe(0);
    await dialog.getByLabel(/Allocate a TTY/).uncheck();
    await screenshot(page, 'product-run-exec-note');
    await dialog.getByRole('button', { name: 'Use --init' }).click();
    expect(await dialog.getByLabel('--init', { exact: true }).isChecked()).toBe(true);
    await dialog.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByRole('heading', { name: 'pid1-init', level: 1 }).waitFor({ timeout: 20_000 });
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    const stop = page.getByRole('dialog', { name: /Stop pid1-init/ });
    await stop.getByLabel('Stop timeout').fill('30');
    await stop.getByRole('button', { name: 'Stop', exact: true }).click();
    await page.getByRole('button', { name: 'Start', exact: true }).waitFor({ timeout: 25_000 });
    // tini forwarded SIGTERM: sleep died of it (128+15), not of the timeout's SIGKILL (137).
    expect(await exitCode(stack, 'pid1-init')).toBe(143);
  });

  it('shows Stopping… with the countdown of the stop timeout while a stop waits (no --init: SIGKILL at the end)', async () => {
    const run = await docker(stack.berthd.dockerHost, ['run', '-d', '--name', 'slow-stop', stack.busyboxRef, 'sleep', '1000']);
    expect(run.code, run.stderr).toBe(0);
    await page.goto(`${stack.web.url.split('#')[0]}#/containers/${run.stdout.trim()}`);
    await page.getByRole('heading', { name: 'slow-stop', level: 1 }).waitFor({ timeout: 15_000 });
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    const stop = page.getByRole('dialog', { name: /Stop slow-stop/ });
    await stop.getByLabel('Stop timeout').fill('6');
    await stop.getByRole('button', { name: 'Stop', exact: true }).click();
    const countdown = page.getByTestId('stopping-countdown');
    await countdown.waitFor({ timeout: 5_000 });
    expect(await countdown.innerText()).toMatch(/^Stopping…( [1-6] s)?$/);
    await screenshot(page, 'product-stopping-countdown');
    await page.getByRole('button', { name: 'Start', exact: true }).waitFor({ timeout: 30_000 });
    expect(await countdown.count()).toBe(0);
    expect(await exitCode(stack, 'slow-stop')).toBe(137);
  });

  it('renders a TTY container’s colours and strips its control sequences in the Logs tab', async () => {
    const script = "printf '\\033]0;title\\007\\033[31mred-word\\033[0m plain \\033[1;32mgreen-bold\\033[m\\n/ # \\033[6n\\033[J\\n'; sleep 1000";
    const run = await docker(stack.berthd.dockerHost, ['run', '-d', '-t', '--name', 'ansi', stack.busyboxRef, 'sh', '-c', script]);
    expect(run.code, run.stderr).toBe(0);
    await page.goto(`${stack.web.url.split('#')[0]}#/containers/${run.stdout.trim()}`);
    await page.getByRole('heading', { name: 'ansi', level: 1 }).waitFor({ timeout: 15_000 });
    const logs = page.getByRole('log', { name: 'Container logs' });
    await logs.getByText('red-word').waitFor({ timeout: 15_000 });
    const text = await logs.innerText();
    expect(text).toContain('red-word plain green-bold');
    expect(text).not.toMatch(/\[6n|\[J|\[31m|\]0;title/);
    expect(text.includes(String.fromCharCode(27))).toBe(false);
    expect(await logs.locator('span.ansi-red-fg', { hasText: 'red-word' }).count()).toBe(1);
    expect(await logs.locator('span.ansi-green-fg.ansi-bold', { hasText: 'green-bold' }).count()).toBe(1);
    await screenshot(page, 'product-ansi-logs');
    await waitFor('stop', async () => (await docker(stack.berthd.dockerHost, ['rm', '-f', 'ansi'])).code === 0);
  });
});
