/**
 * Issue #16 defects 4 and 6 over a real SSH host (sshd on loopback forwarding to berthd):
 * - a new terminal shows the shell's first prompt without a key press (exec and attach mode);
 * - plain Ctrl+V and Ctrl+Shift+V paste the clipboard into the terminal;
 * - a dropped SSH link is shown as a lost link with the retry count and time, never as
 *   "Container stopped", and the terminal reattaches when the link is back;
 * - an SSH port that refuses says so, not "check that berthd is running".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { screenshot } from '../harness/browser';
import { docker } from '../harness/docker-cli';
import { freePort } from '../harness/registry';
import { startSshd, type SshdHandle } from '../harness/sshd';
import { IS_ROOT, gotoView, startAppStack, waitFor, waitTerminal, type AppStack } from './app-env';

const execFileP = promisify(execFile);

async function addHost(page: Page, name: string, port: number, sshd: SshdHandle, socket: string): Promise<void> {
  await gotoView(page, 'Hosts');
  await page.getByRole('button', { name: 'Add SSH host' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add SSH host' });
  await dialog.getByLabel('Name').fill(name);
  await dialog.getByLabel('Host', { exact: true }).fill('127.0.0.1');
  await dialog.getByLabel('Port').fill(String(port));
  await dialog.getByLabel('User').fill(sshd.user);
  await dialog.getByLabel('Key path').fill(sshd.clientKeyEncryptedPath);
  await dialog.getByLabel(/Passphrase/).fill(sshd.passphrase);
  await dialog.getByLabel('Remote engine socket').fill(socket);
  await dialog.getByRole('button', { name: 'Add and connect' }).click();
  await dialog.waitFor({ state: 'detached', timeout: 30_000 });
}

async function openTerminal(page: Page, name: string): Promise<void> {
  await gotoView(page, 'Containers');
  await page.locator(`[data-container-name="${name}"] a`).first().click();
  await page.getByRole('tab', { name: 'Terminal' }).click();
  await page.locator('[data-testid="terminal-panel"][data-terminal-status="attached"]').waitFor({ timeout: 20_000 });
}

describe.skipIf(!IS_ROOT)('app: terminal and link states over SSH', () => {
  let stack: AppStack;
  let sshd: SshdHandle;
  let page: Page;
  let remoteId = '';
  const d = (args: string[]) => docker(stack.berthd.dockerHost, args, { timeoutMs: 60_000 });

  beforeAll(async () => {
    sshd = await startSshd();
    stack = await startAppStack({ webEnv: { BERTH_USER_KNOWN_HOSTS: sshd.knownHostsPath } });
    expect((await d(['pull', stack.busyboxRef])).code).toBe(0);
    // -t without -i: the terminal execs a shell; -it: it attaches to the container's own shell.
    expect((await d(['run', '-d', '-t', '--name', 'link-exec', stack.busyboxRef])).code).toBe(0);
    expect((await d(['run', '-d', '-i', '-t', '--name', 'link-attach', stack.busyboxRef, 'sh'])).code).toBe(0);
    const context = await stack.browser.newContext({ viewport: { width: 1280, height: 860 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(stack.web.url).origin });
    page = await context.newPage();
    await page.goto(stack.web.url);
    await addHost(page, 'remote', sshd.port, sshd, stack.berthd.socket);
    const row = page.locator('tr[data-host-id]:not([data-host-id="local"])');
    await page.locator('tr[data-host-id]:not([data-host-id="local"])[data-state="connected"]').waitFor({ timeout: 30_000 });
    remoteId = (await row.getAttribute('data-host-id')) ?? '';
    expect(await page.getByLabel('Active host').inputValue()).toBe(remoteId);
  });
  afterAll(async () => {
    // Never leave the listener stopped, whatever failed.
    if (sshd?.process.pid) process.kill(sshd.process.pid, 'SIGCONT');
    await page?.context().close();
    if (stack) await d(['rm', '-f', 'link-exec', 'link-attach']);
    await sshd?.stop();
    await stack?.cleanup();
  });

  it('a new terminal shows the first prompt without a key press (exec and attach)', async () => {
    await openTerminal(page, 'link-exec');
    await waitTerminal(page, /\/ # \s*$/);
    await screenshot(page, 'link-1-first-prompt-exec');
    await openTerminal(page, 'link-attach');
    await waitTerminal(page, /\/ # \s*$/);
    await screenshot(page, 'link-2-first-prompt-attach');
  });

  it('Ctrl+V and Ctrl+Shift+V paste the clipboard', async () => {
    await openTerminal(page, 'link-exec');
    await waitTerminal(page, /\/ # \s*$/);
    await page.locator('[data-testid="terminal"]').click();
    await page.evaluate(() => navigator.clipboard.writeText('echo ctrl-v-$((6*7))'));
    await page.keyboard.press('Control+V');
    await page.keyboard.press('Enter');
    await waitTerminal(page, /^ctrl-v-42\s*$/m);
    await page.evaluate(() => navigator.clipboard.writeText('echo ctrl-shift-v-$((6*7))'));
    await page.keyboard.press('Control+Shift+V');
    await page.keyboard.press('Enter');
    await waitTerminal(page, /^ctrl-shift-v-42\s*$/m);
    await screenshot(page, 'link-3-paste');
  });

  it('a dropped link is a lost link with retry count and time, not a stopped container, and the terminal comes back', async () => {
    const pid = sshd.process.pid as number;
    // The listener stops answering (new handshakes hang) and the live connection dies.
    process.kill(pid, 'SIGSTOP');
    const { stdout } = await execFileP('pgrep', ['-P', String(pid)]).catch(() => ({ stdout: '' }));
    for (const child of stdout.split('\n').filter(Boolean).map(Number)) process.kill(child, 'SIGKILL');
    const banner = page.getByTestId('host-banner');
    await expect.poll(() => banner.innerText().catch(() => ''), { timeout: 20_000 }).toMatch(/remote: .* — retry #\d+/);
    const status = page.getByTestId('terminal-status');
    await expect.poll(() => status.innerText().catch(() => ''), { timeout: 20_000 }).toMatch(/^Connection to the host lost/);
    expect(await status.innerText()).not.toMatch(/Container stopped/);
    // The countdown is of the host's backoff (seconds), never minutes.
    const retry = /in (\d+) s/.exec(await banner.innerText());
    if (retry) expect(Number(retry[1])).toBeLessThanOrEqual(30);
    await screenshot(page, 'link-4-link-lost');
    process.kill(pid, 'SIGCONT');
    await banner.waitFor({ state: 'detached', timeout: 60_000 });
    await page.locator('[data-testid="terminal-panel"]:is([data-terminal-status="attached"], [data-terminal-status="reconnected"])').waitFor({ timeout: 30_000 });
    await page.locator('[data-testid="terminal"]').click();
    await page.keyboard.type('echo back-$((2*21))\n');
    await waitTerminal(page, /^back-42\s*$/m);
    await screenshot(page, 'link-5-back');
  });

  it('an SSH port that refuses says so, not that berthd is not running', async () => {
    const port = await freePort();
    await addHost(page, 'deadport', port, sshd, stack.berthd.socket);
    const row = page.locator('tr[data-host-id]').filter({ hasText: 'deadport' });
    const id = (await row.getAttribute('data-host-id')) ?? '';
    await waitFor('a failed attempt', async () => ['reconnecting', 'failed'].includes((await row.getAttribute('data-state')) ?? ''));
    await page.getByLabel('Active host').selectOption(id);
    await gotoView(page, 'Containers');
    const banner = page.getByTestId('host-banner');
    await expect.poll(() => banner.innerText().catch(() => ''), { timeout: 20_000 }).toMatch(/The SSH server does not answer: check the host address and port/);
    // No spinner left behind: the view settles on an explained state.
    await page.locator('.state-loading').waitFor({ state: 'detached', timeout: 20_000 });
    expect(await page.locator('body').innerText()).not.toMatch(/Check that berthd is running/);
    await screenshot(page, 'link-6-refused-port');
    await page.getByLabel('Active host').selectOption(remoteId);
  });
});
