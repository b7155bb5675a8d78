/**
 * The Builds view as a person uses it: a folder with a multi-stage Dockerfile on this machine is
 * built on the active host (berthd's classic builder), the steps stream into the view, the result
 * is tagged and listed, a rebuild comes from the cache, a failing RUN says which step failed, and
 * the built image runs from the result's Run link.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { screenshot } from '../harness/browser';
import { docker } from '../harness/docker-cli';
import { IS_ROOT, gotoView, startAppStack, type AppStack } from './app-env';

describe.skipIf(!IS_ROOT)('app: Builds view', () => {
  let stack: AppStack;
  let page: Page;
  let ctx: string;

  beforeAll(async () => {
    stack = await startAppStack();
    ctx = await mkdtemp(join(tmpdir(), 'berth-e2e-build-'));
    await writeFile(
      join(ctx, 'Dockerfile'),
      [
        `FROM ${stack.busyboxRef} AS gen`,
        'RUN echo generated-in-stage-one > /gen.txt',
        `FROM ${stack.busyboxRef}`,
        'COPY --from=gen /gen.txt /app/gen.txt',
        'COPY hello.txt /app/',
        'WORKDIR /app',
        'CMD ["cat", "gen.txt", "hello.txt"]',
        '',
      ].join('\n'),
    );
    await writeFile(join(ctx, 'hello.txt'), 'hello from the context\n');
    await writeFile(join(ctx, 'Dockerfile.fail'), `FROM ${stack.busyboxRef}\nRUN echo about to fail && exit 3\n`);
    page = await stack.newPage();
  });
  afterAll(async () => {
    await page?.close();
    await stack?.cleanup();
    if (ctx) await rm(ctx, { recursive: true, force: true });
  });

  const build = async (opts: { tags?: string; dockerfile?: string }): Promise<void> => {
    const form = page.getByRole('form', { name: 'New build' });
    await form.getByLabel('Context folder').fill(ctx);
    await form.getByLabel('Dockerfile').fill(opts.dockerfile ?? 'Dockerfile');
    await form.getByLabel('Tags').fill(opts.tags ?? '');
    await form.getByRole('button', { name: 'Build' }).click();
  };

  it('builds a folder, streaming the steps, and lists the result', async () => {
    await gotoView(page, 'Builds');
    await build({ tags: 'e2e-built:1' });
    const log = page.getByRole('log', { name: 'Build output' });
    await log.getByText('Step 1/7 : FROM', { exact: false }).waitFor({ timeout: 60_000 });
    const status = page.getByRole('status').filter({ hasText: /^Built [0-9a-f]{12} in/ });
    await status.waitFor({ timeout: 120_000 });
    const text = await log.innerText();
    expect(text).toMatch(/Step 2\/7 : RUN echo generated-in-stage-one > \/gen.txt/);
    expect(text).toMatch(/Step 7\/7 : CMD \["cat", "gen.txt", "hello.txt"\]/);
    expect(text).toMatch(/Successfully tagged e2e-built:1/);
    expect(await status.innerText()).toMatch(/\(0 of 7 steps from cache\), tagged e2e-built:1/);
    await screenshot(page, 'builds-1-done');
    const row = page.getByRole('table', { name: 'Recent builds' }).locator('tr[data-build-state="succeeded"]');
    expect(await row.count()).toBe(1);
    // The engine has it under that tag.
    const inspect = await docker(stack.berthd.dockerHost, ['image', 'inspect', '--format', '{{json .Config.Cmd}} {{.Config.WorkingDir}}', 'e2e-built:1']);
    expect(inspect.stdout.trim()).toBe('["cat","gen.txt","hello.txt"] /app');
  });

  it('a rebuild comes from the cache; a failing RUN names its step and exit code', async () => {
    await build({ tags: 'e2e-built:1' });
    await page.getByRole('status').filter({ hasText: /steps from cache/ }).waitFor({ timeout: 120_000 });
    expect(await page.getByRole('status').filter({ hasText: /steps from cache/ }).innerText()).toMatch(/\(5 of 7 steps from cache\)/);
    await build({ dockerfile: 'Dockerfile.fail' });
    const error = page.locator('.inline-error').filter({ hasText: /returned a non-zero code: 3/ });
    await error.waitFor({ timeout: 120_000 });
    expect(await error.innerText()).toMatch(/step 2/);
    expect(await page.getByRole('log', { name: 'Build output' }).innerText()).toMatch(/about to fail/);
    await page.getByRole('table', { name: 'Recent builds' }).locator('tr[data-build-state="failed"]').waitFor({ timeout: 10_000 });
    await screenshot(page, 'builds-2-failed');
    // A failed build leaves no container behind.
    expect((await docker(stack.berthd.dockerHost, ['ps', '-aq'])).stdout.trim()).toBe('');
  });

  it('runs the built image from the result', async () => {
    await build({ tags: 'e2e-built:1' });
    await page.getByRole('status').filter({ hasText: /steps from cache/ }).getByRole('link', { name: 'Run' }).click({ timeout: 120_000 });
    const dialog = page.getByRole('dialog', { name: 'Run a container' });
    await dialog.waitFor();
    expect(await dialog.getByLabel('Image', { exact: true }).inputValue()).toBe('e2e-built:1');
    await dialog.getByLabel('Name', { exact: true }).fill('from-build');
    const tty = dialog.getByLabel(/Allocate a TTY/);
    if (await tty.isChecked()) await tty.uncheck();
    await dialog.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByTestId('container-details').waitFor({ timeout: 20_000 });
    await page.getByRole('log', { name: 'Container logs' }).getByText('hello from the context', { exact: true }).waitFor({ timeout: 20_000 });
    expect(await page.getByRole('log', { name: 'Container logs' }).innerText()).toMatch(/generated-in-stage-one/);
    await screenshot(page, 'builds-3-ran');
  });
});
