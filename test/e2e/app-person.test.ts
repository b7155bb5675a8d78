/**
 * A person's path through the app, in Chromium against web mode and a real berthd:
 * pull busybox from the test registry with progress, run it with a TTY, open its terminal, type
 * `echo hi` and see `hi`, resize the window and see `stty size` change, paste, then stop and
 * remove it. Screenshots go to test-results/e2e/.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot } from '../harness/browser';
import { docker } from '../harness/docker-cli';
import { IS_ROOT, gotoView, pullInUi, startAppStack, terminalText, waitFor, waitTerminal, type AppStack } from './app-env';

describe.skipIf(!IS_ROOT)('app: a person’s path', () => {
  let stack: AppStack;
  let page: Page;

  beforeAll(async () => {
    stack = await startAppStack();
    page = await stack.newPage();
  });
  afterAll(async () => {
    await stack?.cleanup();
  });

  it('pulls busybox from the test registry with per-layer progress', async () => {
    const dialog = await pullInUi(page, stack.busyboxRef);
    expect(await dialog.getByTestId('transfer-state').innerText()).toBe('Complete');
    expect(await dialog.getByTestId('layer-progress').count()).toBeGreaterThan(0);
    const bars = await dialog.getByRole('progressbar').evaluateAll((els) => els.map((e) => e.getAttribute('aria-valuenow')));
    expect(bars.every((v) => v === '100')).toBe(true);
    await screenshot(page, 'person-1-pull');
    await dialog.getByRole('button', { name: 'Close', exact: true }).first().click();
    await page.locator(`tr[data-image-ref="${stack.busyboxRef}"]`).waitFor({ state: 'visible', timeout: 10_000 });
  });

  it('runs it with a TTY and types `echo hi` in its terminal', async () => {
    await gotoView(page, 'Containers');
    await page.getByRole('button', { name: 'Run container' }).click();
    const dialog = page.getByRole('dialog', { name: 'Run a container' });
    await dialog.getByLabel('Image', { exact: true }).fill(stack.busyboxRef);
    await dialog.getByLabel('Name', { exact: true }).fill('person-shell');
    expect(await dialog.getByLabel(/Allocate a TTY/).isChecked()).toBe(true);
    await screenshot(page, 'person-2-run-dialog');
    await dialog.getByRole('button', { name: 'Run', exact: true }).click();
    const details = page.getByTestId('container-details');
    await details.waitFor({ state: 'visible', timeout: 20_000 });
    await page.getByRole('heading', { name: 'person-shell', level: 1 }).waitFor();
    await page.getByRole('tab', { name: 'Terminal' }).click();
    await page.locator('[data-testid="terminal"] .xterm-rows').waitFor({ state: 'visible' });
    await page.locator('[data-testid="terminal-panel"]:not([data-terminal-status="connecting"])').waitFor({ timeout: 15_000 });
    await page.locator('[data-testid="terminal"]').click();
    // busybox's line editor flushes type-ahead when it enters raw mode: type at a prompt. Enter
    // gives a fresh one whether or not the first prompt came before the attach.
    await page.keyboard.type('\n');
    await waitTerminal(page, /\/ # \s*$/);
    await page.keyboard.type('echo hi\n');
    await waitTerminal(page, /^hi\s*$/m);
    await screenshot(page, 'person-3-terminal-echo');
  });

  it('forwards a window resize: `stty size` changes', async () => {
    await page.keyboard.type('stty size\n');
    const [, rows1, cols1] = await waitTerminal(page, /^(\d+) (\d+)\s*$/m);
    await page.setViewportSize({ width: 900, height: 640 });
    // The resize reaches the TTY asynchronously (fit on ResizeObserver, then a resize request):
    // ask again until the TTY reports a new size, each answer told apart by a fresh marker.
    const deadline = Date.now() + 10_000;
    let size = `${rows1} ${cols1}`;
    for (let n = 1; size === `${rows1} ${cols1}` && Date.now() < deadline; n++) {
      await page.keyboard.type(`clear; echo size-$((${n}*1)); stty size\n`);
      const [, rows, cols] = await waitTerminal(page, new RegExp(`^size-${n}\\s*\\n(\\d+) (\\d+)\\s*$`, 'm'));
      size = `${rows} ${cols}`;
    }
    expect(size).not.toBe(`${rows1} ${cols1}`);
    const [rows2, cols2] = size.split(' ').map(Number);
    expect(cols2).toBeLessThan(Number(cols1));
    expect(rows2).toBeLessThan(Number(rows1));
    await screenshot(page, 'person-4-resized');
  });

  it('pastes into the terminal', async () => {
    await page.keyboard.type('clear\n');
    // Wait for the fresh prompt: busybox's line editor swallows type-ahead while it probes the cursor position.
    await waitTerminal(page, /^\s*\/ # \s*$/);
    // A real paste event on xterm's textarea, as the browser fires it for Ctrl+V.
    await page.locator('[data-testid="terminal"] textarea').evaluate((el) => {
      const data = new DataTransfer();
      data.setData('text/plain', 'echo pasted-$((6*7))\n');
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
    });
    await waitTerminal(page, /^pasted-42\s*$/m);
    await screenshot(page, 'person-5-paste');
  });

  it('keeps the terminal buffer when switching tabs', async () => {
    await page.getByRole('tab', { name: 'Logs' }).click();
    await page.getByTestId('logs-panel').waitFor();
    await page.getByRole('tab', { name: 'Terminal' }).click();
    expect(await terminalText(page)).toMatch(/pasted-42/);
  });

  it('Ctrl-C reaches the process', async () => {
    await page.keyboard.type('sleep 100; echo after-sleep\n');
    // Ctrl-C must find `sleep` running, not the line editor still reading the line.
    await waitFor('sleep 100 running in the container', async () => {
      const top = await docker(stack.berthd.dockerHost, ['top', 'person-shell']);
      return /sleep 100/.test(top.stdout) || undefined;
    });
    await page.keyboard.press('Control+C');
    await page.keyboard.type('echo interrupted\n');
    await waitTerminal(page, /^interrupted\s*$/m, 5_000);
    expect(await terminalText(page)).not.toMatch(/^after-sleep/m);
    const top = await docker(stack.berthd.dockerHost, ['top', 'person-shell']);
    expect(top.stdout).not.toMatch(/sleep 100/);
  });

  it('shows processes with host and container PIDs, inspect with overlay dirs, and stats', async () => {
    await page.getByRole('tab', { name: 'Processes' }).click();
    const procs = page.getByRole('table', { name: 'Processes' });
    await procs.waitFor({ timeout: 10_000 });
    const pid1 = procs.locator('tbody tr.selected');
    await pid1.first().waitFor({ timeout: 10_000 });
    const [hostPid, containerPid] = await pid1.first().locator('td').allInnerTexts();
    expect(containerPid).toBe('1');
    expect(Number(hostPid)).toBeGreaterThan(1);
    await screenshot(page, 'person-processes');
    await page.getByRole('tab', { name: 'Inspect' }).click();
    const overlay = await page.getByLabel('Overlay directories').innerText();
    expect(overlay).toMatch(/LowerDir/);
    expect(overlay).toMatch(/UpperDir/);
    expect(overlay).toMatch(/MergedDir/);
    await page.getByRole('tab', { name: 'Stats' }).click();
    await page.getByTestId('stats-panel').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('stats-panel').innerText()).toMatch(/Memory/);
    await page.getByRole('tab', { name: 'Terminal' }).click();
  });

  it('says so when the container restarts, and reconnects the terminal', async () => {
    await page.getByRole('button', { name: 'Restart', exact: true }).click();
    await page.locator('[data-testid="terminal-panel"][data-terminal-status="reconnected"]').waitFor({ timeout: 30_000 });
    await page.locator('[data-testid="terminal"]').click();
    await page.keyboard.type('\n');
    await waitTerminal(page, /\/ # \s*$/);
    await page.keyboard.type('echo again\n');
    await waitTerminal(page, /^again\s*$/m);
    await screenshot(page, 'person-restarted');
  });

  it('stops and removes it', async () => {
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    const stop = page.getByRole('dialog', { name: /Stop person-shell/ });
    await stop.getByLabel('Stop timeout').fill('2');
    await stop.getByRole('button', { name: 'Stop', exact: true }).click();
    await page.getByRole('button', { name: 'Start', exact: true }).waitFor({ timeout: 20_000 });
    // (The "Reconnected." note of the previous restart may still show for a moment.)
    await page
      .getByTestId('terminal-status')
      .filter({ hasText: 'Container stopped — will reconnect when it runs again' })
      .waitFor({ timeout: 10_000 });
    await screenshot(page, 'person-6-stopped');
    await page.getByRole('button', { name: 'Remove', exact: true }).click();
    await page.getByRole('dialog', { name: /Remove person-shell/ }).getByRole('button', { name: 'Remove', exact: true }).click();
    await page.getByRole('heading', { name: 'Containers', level: 1 }).waitFor({ timeout: 10_000 });
    await page.locator('[data-container-name="person-shell"]').waitFor({ state: 'detached', timeout: 10_000 });
    await screenshot(page, 'person-7-removed');
  });
});
