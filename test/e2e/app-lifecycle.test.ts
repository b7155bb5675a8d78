/**
 * A container's lifecycle from its details page, checked against what the engine says through the
 * real docker CLI: pause freezes it and Resume thaws it, Rename renames it, Edit limits changes its
 * memory limit and restart policy live; and a container run from the run dialog with a failing
 * health check and log rotation turns unhealthy in the app, with the check's results shown.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot } from '../harness/browser';
import { docker } from '../harness/docker-cli';
import { IS_ROOT, gotoView, startAppStack, waitFor, type AppStack } from './app-env';

describe.skipIf(!IS_ROOT)('app: pause, rename, update and health', () => {
  let stack: AppStack;
  let page: Page;
  let id = '';
  const inspect = async (ref: string, format: string): Promise<string> => (await docker(stack.berthd.dockerHost, ['inspect', '-f', format, ref])).stdout.trim();

  beforeAll(async () => {
    stack = await startAppStack();
    const run = await docker(stack.berthd.dockerHost, ['run', '-d', '--name', 'life', stack.busyboxRef, 'sleep', '1000']);
    expect(run.code, run.stderr).toBe(0);
    id = run.stdout.trim();
    page = await stack.newPage();
  });
  afterAll(async () => {
    await stack?.cleanup();
  });

  it('pauses and resumes the container', async () => {
    await page.goto(`${stack.web.url.split('#')[0]}#/containers/${id}`);
    const details = page.getByTestId('container-details');
    await details.getByRole('button', { name: 'Pause', exact: true }).click();
    await details.getByRole('button', { name: 'Resume', exact: true }).waitFor({ timeout: 10_000 });
    await details.getByText('Paused', { exact: true }).waitFor();
    expect(await inspect(id, '{{.State.Status}} {{.State.Paused}}')).toBe('paused true');
    await screenshot(page, 'lifecycle-1-paused');
    await details.getByRole('button', { name: 'Resume', exact: true }).click();
    await details.getByRole('button', { name: 'Pause', exact: true }).waitFor({ timeout: 10_000 });
    expect(await inspect(id, '{{.State.Status}} {{.State.Paused}}')).toBe('running false');
  });

  it('renames it; a taken name is refused in the dialog', async () => {
    const other = await docker(stack.berthd.dockerHost, ['create', '--name', 'taken', stack.busyboxRef, 'true']);
    expect(other.code, other.stderr).toBe(0);
    const details = page.getByTestId('container-details');
    await details.getByRole('button', { name: 'Rename', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Rename life' });
    await dialog.getByLabel('New name').fill('taken');
    await dialog.getByRole('button', { name: 'Rename', exact: true }).click();
    await dialog.getByText(/already in use/).waitFor({ timeout: 10_000 });
    await dialog.getByLabel('New name').fill('life-renamed');
    await dialog.getByRole('button', { name: 'Rename', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('heading', { name: 'life-renamed', level: 1 }).waitFor({ timeout: 10_000 });
    expect(await inspect(id, '{{.Name}}')).toBe('/life-renamed');
  });

  it('edits its limits and restart policy live', async () => {
    const details = page.getByTestId('container-details');
    await details.getByRole('button', { name: 'Edit limits', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit limits of life-renamed' });
    await dialog.getByLabel('Memory limit').fill('64m');
    await dialog.getByLabel('Restart policy').selectOption('unless-stopped');
    await dialog.getByRole('button', { name: 'Apply', exact: true }).click();
    await dialog.waitFor({ state: 'detached', timeout: 10_000 });
    expect(await inspect(id, '{{.HostConfig.Memory}} {{.HostConfig.RestartPolicy.Name}}')).toBe(`${64 * 1024 * 1024} unless-stopped`);
    await page.getByRole('tab', { name: 'Inspect' }).click();
    await details.getByText('unless-stopped', { exact: true }).waitFor({ timeout: 10_000 });
    await details.getByText('64.0 MiB', { exact: true }).waitFor({ timeout: 10_000 });
  });

  it('runs a container with a failing health check and log rotation from the run dialog; it turns unhealthy in the app', async () => {
    await gotoView(page, 'Containers');
    await page.getByRole('button', { name: 'Run container' }).click();
    const dialog = page.getByRole('dialog', { name: 'Run a container' });
    await dialog.getByLabel('Image', { exact: true }).fill(stack.busyboxRef);
    await dialog.getByLabel('Name', { exact: true }).fill('sick');
    await dialog.getByLabel('Argument 1', { exact: true }).fill('sleep');
    await dialog.getByRole('button', { name: 'Add argument' }).click();
    await dialog.getByLabel('Argument 2', { exact: true }).fill('1000');
    await dialog.getByLabel('Health check command').fill('echo checking; exit 3');
    await dialog.getByLabel('Check every (seconds)').fill('1');
    await dialog.getByLabel('Unhealthy after (failures)').fill('2');
    await dialog.getByLabel('Rotate logs at').fill('1m');
    await dialog.getByLabel('Log files kept').fill('2');
    await dialog.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByRole('heading', { name: 'sick', level: 1 }).waitFor({ timeout: 30_000 });
    const badge = page.getByTestId('health-badge');
    await waitFor('the health badge to say unhealthy', async () => (await badge.getAttribute('data-health').catch(() => null)) === 'unhealthy', 30_000);
    expect(await inspect('sick', '{{.State.Health.Status}}')).toBe('unhealthy');
    await page.getByTestId('health-details').locator('summary').click();
    const results = page.getByTestId('health-results');
    expect(await results.locator('tbody tr').first().innerText()).toMatch(/\b3\b[\s\S]*checking/);
    expect(await inspect('sick', '{{json .HostConfig.LogConfig}}')).toBe('{"Type":"json-file","Config":{"max-file":"2","max-size":"1m"}}');
    await screenshot(page, 'lifecycle-2-unhealthy');
    // The list says it too.
    await gotoView(page, 'Containers');
    await page.locator('[data-container-name="sick"] [data-testid="row-health"][data-health="unhealthy"]').waitFor({ timeout: 15_000 });
  });
});
