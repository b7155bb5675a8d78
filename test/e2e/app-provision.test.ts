/**
 * Setting up berthd on an SSH host from the Hosts view: the person adds a host where no engine
 * answers (a real sshd on a loopback port; the "remote host" is a fresh prefix, data root and
 * socket on this machine), the row offers "Set up berthd", the dialog shows what the check found,
 * installs the app's own bundle with each step shown, and the host connects. Then the container
 * list works through it, and Uninstall from the same dialog leaves nothing behind.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot } from '../harness/browser';
import { docker } from '../harness/docker-cli';
import { startSshd, type SshdHandle } from '../harness/sshd';
import { IS_ROOT, gotoView, startAppStack, type AppStack } from './app-env';

const execFileP = promisify(execFile);

describe.skipIf(!IS_ROOT)('app: set up berthd on an SSH host', () => {
  let stack: AppStack;
  let sshd: SshdHandle;
  let page: Page;
  let tmp: string;
  let layout: { prefix: string; dataRoot: string; config: string; socket: string };
  const row = (): ReturnType<Page['locator']> => page.locator('tr[data-host-id]:not([data-host-id="local"])');

  beforeAll(async () => {
    sshd = await startSshd();
    tmp = await mkdtemp(join(tmpdir(), 'berth-e2e-provision-'));
    layout = { prefix: join(tmp, 'opt/berth'), dataRoot: join(tmp, 'var/lib/berth'), config: join(tmp, 'etc/daemon.json'), socket: join(tmp, 'run/berthd.sock') };
    stack = await startAppStack({ webEnv: { BERTH_USER_KNOWN_HOSTS: sshd.knownHostsPath } });
    page = await stack.newPage();
  });

  afterAll(async () => {
    await page?.close();
    // A test that failed half-way must not leave a berthd running.
    if (layout && existsSync(join(layout.prefix, 'install.env'))) await execFileP('sh', [join(layout.prefix, 'current/install.sh'), 'uninstall', '--prefix', layout.prefix]).catch(() => undefined);
    await sshd?.stop();
    await stack?.cleanup();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  it('a host without an engine offers "Set up berthd"; the check shows the host', async () => {
    await gotoView(page, 'Hosts');
    await page.getByRole('button', { name: 'Add SSH host' }).click();
    const add = page.getByRole('dialog', { name: 'Add SSH host' });
    await add.getByLabel('Name').fill('fresh');
    await add.getByLabel('Host', { exact: true }).fill('127.0.0.1');
    await add.getByLabel('Port').fill(String(sshd.port));
    await add.getByLabel('User').fill(sshd.user);
    await add.getByLabel('Key path').fill(sshd.clientKeyPath);
    await add.getByLabel('Remote engine socket').fill(layout.socket);
    await add.getByRole('button', { name: 'Add and connect' }).click();
    await add.waitFor({ state: 'detached', timeout: 20_000 });
    await row().getByRole('button', { name: 'Set up berthd' }).click({ timeout: 20_000 });
    const dialog = page.getByRole('dialog', { name: 'Set up berthd on fresh' });
    const facts = dialog.getByRole('definition');
    await dialog.locator('dl[aria-label="Host check"]').waitFor({ timeout: 30_000 });
    const text = await dialog.locator('dl[aria-label="Host check"]').innerText();
    expect(text).toMatch(/Root access\s+root/);
    expect(text).toMatch(/overlayfs\s+yes/);
    expect(text).toMatch(/Node\.js\s+v\d+/);
    expect(text).toMatch(/berthd\s+not installed/);
    expect(await facts.count()).toBe(7);
    await screenshot(page, 'provision-1-check');
  });

  it('installs the app\'s berthd with each step shown, and the host connects', async () => {
    const dialog = page.getByRole('dialog', { name: 'Set up berthd on fresh' });
    await dialog.getByText('Install location').click();
    await dialog.getByLabel('Install prefix').fill(layout.prefix);
    await dialog.getByLabel('Data root').fill(layout.dataRoot);
    await dialog.getByLabel('daemon.json').fill(layout.config);
    await dialog.getByLabel(/own supervisor/).check();
    const install = dialog.getByRole('button', { name: /^Install berthd / });
    await expect.poll(() => install.isEnabled(), { timeout: 30_000 }).toBe(true);
    await install.click();
    await dialog.getByRole('status').filter({ hasText: /is running; the host is connected/ }).waitFor({ timeout: 180_000 });
    const steps = await dialog.getByRole('list', { name: 'Progress' }).innerText();
    expect(steps).toMatch(/uploading berthd-\S+-linux-x64/);
    expect(steps).toMatch(/starting berthd \(supervised\)/);
    await screenshot(page, 'provision-2-installed');
    await dialog.getByText('Close', { exact: true }).click();
    await page.locator('tr[data-host-id]:not([data-host-id="local"])[data-state="connected"]').waitFor({ timeout: 30_000 });
    // The stock CLI finds the same berthd on the socket the host was added with.
    const v = await docker(`unix://${layout.socket}`, ['version', '--format', '{{.Server.Version}}']);
    expect(v.code, v.stderr).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect(await row().getByRole('button', { name: 'Manage berthd' }).count()).toBe(1);
  });

  it('uninstall from the same dialog removes berthd and its files', async () => {
    await row().getByRole('button', { name: 'Manage berthd' }).click();
    const dialog = page.getByRole('dialog', { name: 'Set up berthd on fresh' });
    await dialog.locator('dl[aria-label="Host check"]').waitFor({ timeout: 30_000 });
    // The check looks where this installation is.
    await dialog.getByText('Install location').click();
    await dialog.getByLabel('Install prefix').fill(layout.prefix);
    await dialog.getByLabel(/Keep images/).uncheck();
    await expect.poll(async () => dialog.locator('dl[aria-label="Host check"]').innerText(), { timeout: 30_000 }).toMatch(/berthd\s+\d+\.\d+\.\d+ installed \(current\)/);
    await dialog.getByRole('button', { name: 'Uninstall' }).click();
    await page.getByRole('dialog', { name: 'Uninstall berthd from fresh?' }).getByRole('button', { name: 'Uninstall' }).click();
    await dialog.getByRole('status').filter({ hasText: 'berthd was removed.' }).waitFor({ timeout: 120_000 });
    expect(existsSync(layout.socket)).toBe(false);
    expect(existsSync(layout.prefix)).toBe(false);
    expect(existsSync(layout.dataRoot)).toBe(false);
    await screenshot(page, 'provision-3-uninstalled');
  });
});
