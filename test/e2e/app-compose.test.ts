/**
 * "Run compose file" in the app (#15), in Chromium (web mode) against a real berthd, with the
 * docker-compose installed on this machine: the person types the path of a two-service compose
 * file (`network_mode: none`, busybox from the test registry), the project name defaults to the
 * file's folder, both services go to "started" in the dialog, the link opens the stack page, and
 * the containers list groups the two containers under the stack.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot } from '../harness/browser';
import { docker } from '../harness/docker-cli';
import { IS_ROOT, gotoView, startAppStack, waitFor, type AppStack } from './app-env';

const hasCompose = await new Promise<boolean>((res) => {
  const c = spawn('docker-compose', ['version', '--short'], { stdio: 'ignore' });
  c.on('error', () => res(false));
  c.on('close', (code) => res(code === 0));
});

describe.skipIf(!IS_ROOT || !hasCompose)('app: run a compose file', () => {
  let stack: AppStack;
  let page: Page;
  let dir: string;
  let file: string;

  beforeAll(async () => {
    stack = await startAppStack();
    dir = await mkdtemp(join(tmpdir(), 'berth-e2e-compose-'));
    await mkdir(join(dir, 'Shop'));
    file = join(dir, 'Shop', 'compose.yaml');
    // `trap` lets sh (PID 1) stop at once on SIGTERM when the suite cleans up.
    const service = (name: string): string => `  ${name}:\n    image: ${stack.busyboxRef}\n    network_mode: none\n    command: ["sh", "-c", "trap 'exit 0' TERM; echo ${name} up; while true; do sleep 1; done"]\n`;
    await writeFile(file, `services:\n${service('web')}${service('db')}`);
    page = await stack.newPage();
  });
  afterAll(async () => {
    await stack?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('brings the stack up from the dialog with both services reaching "started"', async () => {
    await gotoView(page, 'Containers');
    await page.getByRole('button', { name: 'Run compose file' }).click();
    const dialog = page.getByRole('dialog', { name: 'Run compose file' });
    await dialog.getByLabel('Compose file').fill(file);
    expect(await dialog.getByLabel('Project name').inputValue()).toBe('shop');
    await dialog.getByRole('button', { name: 'Run', exact: true }).click();
    const services = dialog.getByRole('list', { name: 'Services' });
    for (const s of ['web', 'db']) await services.locator(`li[data-service="${s}"][data-state="started"]`).waitFor({ timeout: 90_000 });
    expect(await dialog.getByText(/^Using docker-compose 1\./).count()).toBe(1);
    // The client's own output, as it printed it.
    expect(await dialog.getByRole('log', { name: 'Compose output' }).innerText()).toMatch(/Creating shop_web_1\s+\.\.\. done/);
    await screenshot(page, 'compose-1-started');
    const ps = await docker(stack.berthd.dockerHost, ['ps', '--filter', 'label=com.docker.compose.project=shop', '--format', '{{.Label "com.docker.compose.service"}}={{.State}}']);
    expect(ps.stdout.trim().split('\n').sort()).toEqual(['db=running', 'web=running']);

    await dialog.getByRole('link', { name: 'Open stack shop' }).click();
    await waitFor('the stack page', async () => (await page.evaluate(() => window.location.hash)) === '#/containers/stack/shop', 10_000);
    const table = page.getByRole('table', { name: 'Services' });
    await table.locator('tr[data-service="web"]').waitFor({ timeout: 20_000 });
    expect(await table.locator('tr[data-service="db"]').count()).toBe(1);
  });

  it('groups the stack in the containers list', async () => {
    await gotoView(page, 'Containers');
    const row = page.getByRole('group', { name: 'Stack shop' });
    await row.waitFor({ timeout: 20_000 });
    await waitFor('2/2 running', async () => (await row.getByTestId('stack-count').innerText()) === '2/2 running', 20_000);
    expect(await row.locator('tr[data-service="web"]').getAttribute('data-container-name')).toBe('shop_web_1');
    expect(await row.locator('tr[data-service="db"]').getAttribute('data-container-name')).toBe('shop_db_1');
    await screenshot(page, 'compose-2-grouped');
  });
});
