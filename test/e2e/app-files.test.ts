/**
 * The Files tab of a container against a real berthd in Chromium (web mode): browse to a folder,
 * view a text file, download a file (the browser gets its exact bytes) and upload one (the
 * container sees it). Then the Images view commits the container and saves the new image.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot } from '../harness/browser';
import { docker } from '../harness/docker-cli';
import { IS_ROOT, gotoView, startAppStack, type AppStack } from './app-env';

describe.skipIf(!IS_ROOT)('app: container files', () => {
  let stack: AppStack;
  let page: Page;
  let work: string;
  let id: string;
  const d = (args: string[]) => docker(stack.berthd.dockerHost, args, { timeoutMs: 60_000 });

  beforeAll(async () => {
    stack = await startAppStack();
    work = await mkdtemp(join(tmpdir(), 'berth-e2e-files-'));
    expect((await d(['pull', stack.busyboxRef])).code).toBe(0);
    const run = await d(['run', '-d', '--name', 'filebox', stack.busyboxRef, 'sh', '-c', 'mkdir -p /srv/app && printf "hello from the container\\nline two\\n" > /srv/app/notes.txt && sleep 600']);
    expect(run.code, run.stderr).toBe(0);
    id = run.stdout.trim();
    page = await stack.newPage();
    await page.goto(`${new URL(stack.web.url).origin}/#/containers/${id}`);
    await page.getByTestId('container-details').waitFor({ timeout: 20_000 });
  });
  afterAll(async () => {
    await stack?.cleanup();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('browses, views a text file, downloads it and uploads a file', async () => {
    await page.getByRole('tab', { name: 'Files' }).click();
    const panel = page.getByTestId('files-panel');
    await panel.locator('[data-testid="file-row"][data-name="srv"]').getByRole('button', { name: 'srv/', exact: true }).click();
    await panel.locator('[data-testid="file-row"][data-name="app"]').getByRole('button', { name: 'app/', exact: true }).click();
    const row = panel.locator('[data-testid="file-row"][data-name="notes.txt"]');
    await row.waitFor({ timeout: 15_000 });
    await row.getByRole('button', { name: 'notes.txt', exact: true }).click();
    await expect.poll(() => panel.getByTestId('file-viewer').innerText(), { timeout: 15_000 }).toContain('hello from the container');
    await screenshot(page, 'files-1-view');

    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 20_000 }), row.getByRole('button', { name: 'Download notes.txt' }).click()]);
    expect(download.suggestedFilename()).toBe('notes.txt');
    const saved = join(work, 'notes.txt');
    await download.saveAs(saved);
    expect(await readFile(saved, 'utf8')).toBe('hello from the container\nline two\n');

    const local = join(work, 'from-browser.txt');
    await writeFile(local, 'uploaded through the Files tab\n');
    await panel.getByLabel('Upload file').setInputFiles(local);
    await panel.locator('[data-testid="file-row"][data-name="from-browser.txt"]').waitFor({ timeout: 20_000 });
    const inside = await d(['exec', 'filebox', 'cat', '/srv/app/from-browser.txt']);
    expect(inside.stdout).toBe('uploaded through the Files tab\n');
    await screenshot(page, 'files-2-uploaded');
  });

  it('commits the container from the Images view and saves the new image as an archive', async () => {
    await gotoView(page, 'Images');
    await page.getByRole('button', { name: 'Commit container…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Commit a container to an image' });
    await dialog.getByLabel('Container').selectOption(id);
    await dialog.getByLabel('New image').fill('snapshot:e2e');
    await dialog.getByRole('button', { name: 'Commit' }).click();
    await page.getByRole('status').getByText(/Created sha256:/).waitFor({ timeout: 30_000 });
    const run = await d(['run', '--rm', 'snapshot:e2e', 'cat', '/srv/app/from-browser.txt']);
    expect(run.stdout).toBe('uploaded through the Files tab\n');

    await page.getByRole('button', { name: 'Save…' }).click();
    const save = page.getByRole('dialog', { name: 'Save images to an archive' });
    await save.getByRole('checkbox', { name: 'snapshot:e2e' }).check();
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), save.getByRole('button', { name: 'Save' }).click()]);
    const file = join(work, 'snapshot.tar');
    await download.saveAs(file);
    // The archive loads back: remove the image, load it through the view, run it.
    expect((await d(['rmi', 'snapshot:e2e'])).code).toBe(0);
    await page.getByLabel('Load image archive').setInputFiles(file);
    await page.getByRole('status').getByText('Loaded image: snapshot:e2e').waitFor({ timeout: 60_000 });
    expect((await d(['run', '--rm', 'snapshot:e2e', 'cat', '/srv/app/notes.txt'])).stdout).toBe('hello from the container\nline two\n');
  });
});
