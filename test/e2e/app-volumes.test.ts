/**
 * The Volumes view against a real berthd, as a person uses it: create a volume, run a container
 * that writes into it from the run dialog, see the volume's size and its user in the list, browse
 * its files and read one, and be told (not silently ignored) when removing a volume in use.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot } from '../harness/browser';
import { IS_ROOT, gotoView, pullInUi, startAppStack, waitFor, type AppStack } from './app-env';

describe.skipIf(!IS_ROOT)('app: volumes', () => {
  let stack: AppStack;
  let page: Page;

  beforeAll(async () => {
    stack = await startAppStack();
    page = await stack.newPage();
    const dialog = await pullInUi(page, stack.busyboxRef);
    expect(await dialog.getByTestId('transfer-state').innerText()).toBe('Complete');
    await dialog.getByRole('button', { name: 'Close', exact: true }).first().click();
  });
  afterAll(async () => {
    await stack?.cleanup();
  });

  const row = (name: string) => page.locator(`tr[data-volume="${name}"]`);

  it('creates a volume', async () => {
    await gotoView(page, 'Volumes');
    await page.getByRole('button', { name: 'Create volume' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create volume' });
    await dialog.getByLabel('Name', { exact: true }).fill('e2e-data');
    await dialog.getByLabel('Labels', { exact: true }).fill('team=e2e');
    await dialog.getByRole('button', { name: 'Create', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await row('e2e-data').waitFor({ timeout: 10_000 });
    expect(await row('e2e-data').getByTestId('volume-size').innerText()).toBe('0 B');
    expect(await row('e2e-data').getByTestId('volume-users').innerText()).toBe('—');
  });

  it('runs a container that writes into it, then shows its size and the container using it', async () => {
    await gotoView(page, 'Containers');
    await page.getByRole('button', { name: 'Run container' }).click();
    const dialog = page.getByRole('dialog', { name: 'Run a container' });
    await dialog.getByLabel('Image', { exact: true }).fill(stack.busyboxRef);
    await dialog.getByLabel(/^Name/).fill('vol-writer');
    await dialog.getByRole('radio', { name: /Shell command/ }).check();
    await dialog.getByRole('textbox', { name: 'Shell command' }).fill('head -c 250000 /dev/zero > /data/blob && echo "written by vol-writer" > /data/note.txt');
    await dialog.getByLabel('Volumes and bind mounts').fill('e2e-data:/data');
    await dialog.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByTestId('container-details').waitFor({ state: 'visible', timeout: 20_000 });
    await gotoView(page, 'Volumes');
    // The list follows engine events; the size is the volume's content as berthd measures it.
    let shown = '';
    await waitFor(
      'the volume size and its user',
      async () => {
        // Once the container has exited: its user shows without "(running)".
        const size = await row('e2e-data').getByTestId('volume-size').innerText().catch(() => '');
        const users = await row('e2e-data').getByTestId('volume-users').innerText().catch(() => '');
        shown = `${size} used by ${users}`;
        return size === '250 kB' && users === 'vol-writer';
      },
      20_000,
    ).catch(async (err: unknown) => {
      await screenshot(page, 'volumes-1-list-with-size-FAILED');
      throw new Error(`${(err as Error).message}: the list shows ${shown}`);
    });
    expect(await row('e2e-data').getByTestId('volume-users').innerText()).toBe('vol-writer');
    await screenshot(page, 'volumes-1-list-with-size');
  });

  it("browses the volume's files and reads one", async () => {
    await row('e2e-data').getByRole('link', { name: 'e2e-data', exact: true }).click();
    await page.getByTestId('volume-files').waitFor();
    const files = page.getByRole('table', { name: 'Files' });
    await files.locator('tr[data-file="blob"]').waitFor({ timeout: 10_000 });
    expect(await files.locator('tr[data-file="blob"]').innerText()).toMatch(/250 kB/);
    await files.getByRole('button', { name: 'note.txt' }).click();
    const text = page.getByTestId('volume-file-text');
    await text.waitFor({ timeout: 10_000 });
    expect(await text.innerText()).toBe('written by vol-writer\n');
    await screenshot(page, 'volumes-2-files');
  });

  it('refuses to remove a volume a container uses, saying why', async () => {
    await gotoView(page, 'Volumes');
    await row('e2e-data').getByRole('button', { name: 'Remove e2e-data' }).click();
    const confirm = page.getByRole('dialog', { name: /Remove volume e2e-data/ });
    await confirm.getByRole('button', { name: 'Remove', exact: true }).click();
    await page.getByText(/volume is in use/).first().waitFor({ timeout: 10_000 });
    expect(await row('e2e-data').count()).toBe(1);
    await screenshot(page, 'volumes-3-in-use');
  });
});
