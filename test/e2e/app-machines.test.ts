/**
 * Berth machines from the app, as a person does it: create and start a machine from the Hosts
 * view (machines are listed under the SSH hosts) and watch its progress, switch to it, and open a terminal in a container
 * running inside it. The guest boots under TCG here (no usable KVM), so this is the slowest e2e.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot } from '../harness/browser';
import { busyboxRootfsEntries, makeTar } from '../harness/fixtures';
import { vmUnavailableReason } from '../harness/vm-guest';
import { gotoView, startAppStack, waitTerminal, type AppStack } from './app-env';
import { KnownHostsStore } from '../../src-main/connections/ssh/known-hosts';
import { MachineManager } from '../../src-main/machines/machine-manager';

const reason = vmUnavailableReason();

describe.skipIf(reason !== undefined)('app: Berth machines', () => {
  let stack: AppStack;
  let page: Page;
  let home: string;
  let dockerConfig: string;

  const docker = (args: string[], input?: Buffer) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = execFile('docker', ['--context', 'berth-e2e', ...args], { env: { ...process.env, DOCKER_CONFIG: dockerConfig, DOCKER_HOST: '' }, timeout: 240_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
      if (input !== undefined) child.stdin?.end(input);
    });

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'berth-e2e-home-'));
    dockerConfig = await mkdtemp(join(tmpdir(), 'berth-e2e-docker-'));
    stack = await startAppStack({ webEnv: { HOME: home, DOCKER_CONFIG: dockerConfig } });
    page = await stack.newPage();
  });
  afterAll(async () => {
    // Machines are removed from the UI in the last test; this is the safety net if one failed.
    if (stack) {
      const manager = new MachineManager({ stateDir: stack.stateDir, knownHosts: new KnownHostsStore({ ownFile: join(stack.stateDir, 'known_hosts'), readFiles: [] }), guestNode: process.execPath, bundleDir: '', version: '', installerPath: '' });
      for (const m of await manager.list().catch(() => [])) await manager.remove(m.name).catch(() => undefined);
    }
    await stack?.cleanup();
    for (const d of [home, dockerConfig]) if (d) await rm(d, { recursive: true, force: true });
  });

  it('creates and starts a machine from the Hosts view, showing each step', async () => {
    await gotoView(page, 'Hosts');
    await page.getByRole('button', { name: 'Create machine' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create a machine' });
    await dialog.getByLabel('Machine name').fill('e2e');
    await dialog.getByLabel('Disk (GiB)').fill('4');
    await dialog.getByRole('button', { name: 'Create and start' }).click();
    const progress = page.getByRole('dialog', { name: 'Creating machine e2e' });
    await progress.locator('li[data-step^="booting with TCG"]').waitFor({ timeout: 120_000 });
    await screenshot(page, 'machines-1-progress');
    await progress.getByRole('status').getByText('Machine e2e is running').waitFor({ timeout: 480_000 });
    const steps = await progress.locator('li').allInnerTexts();
    expect(steps.join('\n')).toMatch(/installing berthd/);
    await screenshot(page, 'machines-2-running');
    // The footer's Close (the title bar has a Close icon too).
    await progress.getByRole('button', { name: 'Close', exact: true }).last().click();
    const row = page.locator('tr[data-machine="e2e"]');
    await row.getByText('Running').waitFor({ timeout: 20_000 });
    expect(await row.innerText()).toMatch(/TCG/);
  }, 600_000);

  it('opens a terminal in a container running in the machine', async () => {
    const row = page.locator('tr[data-machine="e2e"]');
    // The desktop's docker CLI reaches the machine through the context the app serves.
    await row.getByRole('button', { name: 'Docker context for e2e' }).click();
    await page.getByText('docker --context berth-e2e ps', { exact: true }).waitFor({ timeout: 20_000 });
    expect((await docker(['import', '-', 'busybox'], await makeTar(busyboxRootfsEntries()))).code).toBe(0);
    const id = (await docker(['run', '-d', '-it', '--name', 'machine-shell', 'busybox', 'sh'])).stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    await row.getByRole('button', { name: 'Show containers of e2e' }).click();
    await gotoView(page, 'Containers');
    await page.evaluate((cid) => {
      window.location.hash = `#/containers/${cid}`;
    }, id);
    await page.getByRole('heading', { name: 'machine-shell', level: 1 }).waitFor({ timeout: 30_000 });
    await page.getByRole('tab', { name: 'Terminal' }).click();
    await page.locator('[data-testid="terminal"] .xterm-rows').waitFor({ state: 'visible' });
    await page.locator('[data-testid="terminal-panel"]:not([data-terminal-status="connecting"])').waitFor({ timeout: 60_000 });
    await page.locator('[data-testid="terminal"] .xterm-helper-textarea').focus();
    await page.keyboard.type('\n');
    await waitTerminal(page, /\/ # \s*$/, 60_000);
    await page.keyboard.type('echo in-machine-$((6*7)) $(hostname)\n');
    // Not anchored at the line start: over a slow (TCG + SSH) link, busybox sh's cursor-position
    // query is often answered after it gave up waiting, and the tty echoes the reply (^[[2;5R)
    // in front of the output. The command line itself never contains "in-machine-42".
    await waitTerminal(page, /in-machine-42 \w+\s*$/m, 60_000);
    await screenshot(page, 'machines-3-terminal');
  }, 300_000);

  it('removes the machine after a confirmation', async () => {
    await gotoView(page, 'Hosts');
    const row = page.locator('tr[data-machine="e2e"]');
    await row.getByRole('button', { name: 'Remove e2e' }).click();
    await page.getByRole('dialog', { name: /Remove machine e2e/ }).getByRole('button', { name: 'Remove', exact: true }).click();
    await row.waitFor({ state: 'detached', timeout: 60_000 });
  }, 120_000);
});
