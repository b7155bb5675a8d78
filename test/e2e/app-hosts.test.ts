/**
 * The host model cannot break: adding an SSH host that works makes it active; removing the
 * active host asks first, returns the app to this machine, and a reload stays there (the deleted
 * id is gone from localStorage); adding a host that cannot connect keeps the working one active.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot } from '../harness/browser';
import { startSshd, type SshdHandle } from '../harness/sshd';
import { IS_ROOT, gotoView, startAppStack, waitFor, type AppStack } from './app-env';

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

const storedHost = (page: Page): Promise<string | null> => page.evaluate(() => window.localStorage.getItem('berth.activeHost'));

describe.skipIf(!IS_ROOT)('app: hosts cannot break the views', () => {
  let stack: AppStack;
  let sshd: SshdHandle;
  let page: Page;

  beforeAll(async () => {
    sshd = await startSshd();
    stack = await startAppStack({ webEnv: { BERTH_USER_KNOWN_HOSTS: sshd.knownHostsPath } });
    page = await stack.newPage();
  });
  afterAll(async () => {
    await page?.close();
    await sshd?.stop();
    await stack?.cleanup();
  });

  it('adding a host that cannot connect keeps the working host active', async () => {
    // A port nothing listens on: the first attempt fails.
    await addHost(page, 'deadport', 1, sshd, stack.berthd.socket);
    const row = page.locator('tr[data-host-id]:not([data-host-id="local"])');
    await waitFor('failed attempt', async () => ((await row.getAttribute('data-state')) ?? '') !== 'connecting' && (await row.getAttribute('data-state')) !== 'connected');
    expect(await page.getByLabel('Active host').inputValue()).toBe('local');
    expect(await storedHost(page)).not.toBe(await row.getAttribute('data-host-id'));
    // Remove it again (after the confirmation) for the next case.
    await row.getByRole('button', { name: 'Remove' }).click();
    await page.getByRole('dialog', { name: /Remove host deadport/ }).getByRole('button', { name: 'Remove host' }).click();
    await row.waitFor({ state: 'detached', timeout: 10_000 });
  });

  it('removing the active host asks, switches to this machine, and a reload stays there', async () => {
    await addHost(page, 'remote', sshd.port, sshd, stack.berthd.socket);
    const row = page.locator('tr[data-host-id]:not([data-host-id="local"])');
    await page.locator('tr[data-host-id]:not([data-host-id="local"])[data-state="connected"]').waitFor({ timeout: 30_000 });
    const remoteId = (await row.getAttribute('data-host-id')) ?? '';
    expect(await page.getByLabel('Active host').inputValue()).toBe(remoteId);
    expect(await storedHost(page)).toBe(remoteId);

    await row.getByRole('button', { name: 'Remove' }).click();
    const confirm = page.getByRole('dialog', { name: 'Remove host remote?' });
    await confirm.waitFor();
    await screenshot(page, 'hosts-remove-confirm');
    await confirm.getByRole('button', { name: 'Remove host' }).click();
    await row.waitFor({ state: 'detached', timeout: 10_000 });
    expect(await page.getByLabel('Active host').inputValue()).toBe('local');
    expect(await page.getByTestId('active-host-state').innerText()).toBe('Connected');

    await gotoView(page, 'Containers');
    expect(await page.getByText(/no host with id/i).count()).toBe(0);
    expect(await storedHost(page)).toBe('local');

    await page.reload();
    await page.getByRole('heading', { name: 'Containers', level: 1 }).waitFor();
    await page.locator('[data-testid="empty-state"], table[aria-label="Containers"]').first().waitFor({ timeout: 15_000 });
    expect(await page.getByText(/no host with id/i).count()).toBe(0);
    expect(await page.getByLabel('Active host').inputValue()).toBe('local');
    expect(await storedHost(page)).toBe('local');
  });

  it('a stored id of a host that no longer exists falls back to this machine on load', async () => {
    await page.evaluate(() => window.localStorage.setItem('berth.activeHost', 'ssh-gone'));
    await page.reload();
    await waitFor('fallback', async () => (await storedHost(page)) === 'local');
    await gotoView(page, 'Containers');
    await page.locator('[data-testid="empty-state"], table[aria-label="Containers"]').first().waitFor({ timeout: 15_000 });
    expect(await page.getByText(/no host with id/i).count()).toBe(0);
  });
});
