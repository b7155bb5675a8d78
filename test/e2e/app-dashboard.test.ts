/**
 * Issue #16, the dashboard and the Stats charts in Chromium against a real berthd: the counts and
 * disk figures are what `docker system df` (the real CLI) says, a prune from the dashboard removes
 * a stopped container, and the Stats tab draws charts whose samples survive a trip to Logs.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot } from '../harness/browser';
import { docker } from '../harness/docker-cli';
import { IS_ROOT, gotoView, startAppStack, waitFor, type AppStack } from './app-env';

/** go-units' HumanSize (`%.4g`, decimal units): what `docker system df` prints. */
function goHumanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${parseFloat(v.toPrecision(4))}${units[i]}`;
}

interface CliDfRow {
  Type: string;
  TotalCount: string;
  Active: string;
  Size: string;
  Reclaimable: string;
}

const CLI_TYPE: Record<string, string> = { images: 'Images', containers: 'Containers', volumes: 'Local Volumes', buildCache: 'Build Cache' };

describe.skipIf(!IS_ROOT)('app: dashboard and stats charts', () => {
  let stack: AppStack;
  let page: Page;
  let runningId = '';
  const d = (args: string[]) => docker(stack.berthd.dockerHost, args, { timeoutMs: 60_000 });

  async function cliDf(): Promise<Map<string, CliDfRow>> {
    const r = await d(['system', 'df', '--format', '{{json .}}']);
    expect(r.code, r.stderr).toBe(0);
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as CliDfRow);
    return new Map(rows.map((row) => [row.Type, row]));
  }

  const count = async (state: string): Promise<number> => Number(await page.locator(`[data-container-state="${state}"]`).getAttribute('data-count'));

  beforeAll(async () => {
    stack = await startAppStack();
    for (const ref of [stack.busyboxRef, stack.shellFormRef]) expect((await d(['pull', ref])).code).toBe(0);
    // A container that does I/O every second, so the network and block charts have rates to draw.
    const run = await d(['run', '-d', '--name', 'dash-running', '--init', stack.busyboxRef, 'sh', '-c', 'while true; do head -c 65536 /dev/urandom > /tmp/f; sleep 1; done']);
    expect(run.code, run.stderr).toBe(0);
    runningId = run.stdout.trim();
    expect((await d(['run', '-d', '--name', 'dash-paused', '--init', stack.busyboxRef, 'sleep', '1000'])).code).toBe(0);
    const pause = await d(['pause', 'dash-paused']);
    expect(pause.code, pause.stderr).toBe(0);
    const exited = await d(['run', '--name', 'dash-exited', '-v', '/data', stack.busyboxRef, 'sh', '-c', 'echo hi > /data/f; echo x > /left-behind']);
    expect(exited.code, exited.stderr).toBe(0);
    page = await stack.newPage();
  });
  afterAll(async () => {
    await d(['unpause', 'dash-paused']).catch(() => undefined);
    await stack?.cleanup();
  });

  it('shows the containers by state and the disk use that docker system df reports', async () => {
    await gotoView(page, 'Dashboard');
    await page.locator('tr[data-disk-category="images"]').waitFor({ timeout: 15_000 });
    expect([await count('running'), await count('paused'), await count('stopped')]).toEqual([1, 1, 1]);
    const running = page.getByRole('link', { name: /^Running/ });
    expect(await running.getAttribute('href')).toBe('#/containers');
    const cli = await cliDf();
    // The CLI counts paused containers as active, like running ones.
    expect(cli.get('Containers')?.TotalCount).toBe('3');
    expect(cli.get('Containers')?.Active).toBe(String((await count('running')) + (await count('paused'))));
    for (const [category, type] of Object.entries(CLI_TYPE)) {
      const row = page.locator(`tr[data-disk-category="${category}"]`);
      const cliRow = cli.get(type);
      expect(cliRow, type).toBeDefined();
      const attr = async (name: string): Promise<string> => (await row.getAttribute(name)) ?? '';
      expect(await attr('data-total'), type).toBe(cliRow?.TotalCount);
      expect(await attr('data-active'), type).toBe(cliRow?.Active);
      expect(goHumanSize(Number(await attr('data-size-bytes'))), type).toBe(cliRow?.Size);
      // "1.2MB (40%)": the bytes, and the percent where the CLI prints one.
      const [cliBytes, cliPercent] = (cliRow?.Reclaimable ?? '').split(' ');
      expect(goHumanSize(Number(await attr('data-reclaimable-bytes'))), type).toBe(cliBytes);
      if (cliPercent) expect(await row.innerText(), type).toContain(cliPercent);
    }
    // The rows are not all empty: the pulled images and the exited container's volume take space.
    expect(Number(await page.locator('tr[data-disk-category="images"]').getAttribute('data-size-bytes'))).toBeGreaterThan(0);
    expect(await page.getByLabel('Engine resources').innerText()).toMatch(/Storage driver\s+overlay2/);
    await screenshot(page, 'dashboard-1-overview');
  });

  it('a container prune from the dashboard removes the stopped container and the counts follow', async () => {
    await page.getByRole('button', { name: 'Prune containers' }).click();
    const dialog = page.getByRole('dialog', { name: 'Prune containers' });
    await dialog.getByRole('button', { name: 'Prune', exact: true }).click();
    const status = dialog.getByRole('status');
    await status.waitFor({ timeout: 30_000 });
    expect(await status.innerText()).toMatch(/^Removed 1 container, reclaimed /);
    await screenshot(page, 'dashboard-2-pruned');
    await dialog.getByRole('button', { name: 'Done' }).click();
    const ps = await d(['ps', '-a', '--format', '{{.Names}}']);
    expect(ps.stdout.split('\n').filter(Boolean).sort()).toEqual(['dash-paused', 'dash-running']);
    await waitFor('stopped count 0', async () => (await count('stopped')) === 0);
    await waitFor('containers row of 2', async () => (await page.locator('tr[data-disk-category="containers"]').getAttribute('data-total')) === '2');
    expect(await count('running')).toBe(1);
  });

  it('draws the Stats charts and keeps their samples across a switch to Logs and back', async () => {
    await page.goto(`${stack.web.url.split('#')[0]}#/containers/${runningId}`);
    await page.getByRole('heading', { name: 'dash-running', level: 1 }).waitFor({ timeout: 15_000 });
    await page.getByRole('tab', { name: 'Stats' }).click();
    const panel = page.getByTestId('stats-panel');
    await panel.waitFor({ timeout: 15_000 });
    const samples = async (): Promise<number> => Number(await panel.getAttribute('data-sample-count'));
    await waitFor('4 samples', async () => (await samples()) >= 4, 20_000);
    expect(await panel.locator('canvas').count()).toBe(4);
    // The CPU chart's canvas holds drawn pixels (axes, grid and the line), not a blank box.
    const painted = await panel.locator('canvas').first().evaluate((c: HTMLCanvasElement) => {
      const px = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
      let n = 0;
      for (let i = 3; i < px.length; i += 4) if ((px[i] ?? 0) > 0) n++;
      return n;
    });
    expect(painted).toBeGreaterThan(500);
    expect(await panel.getByRole('img', { name: /^Memory/ }).count()).toBe(1);
    await screenshot(page, 'stats-1-charts');
    const before = await samples();
    await page.getByRole('tab', { name: 'Logs' }).click();
    await panel.waitFor({ state: 'detached', timeout: 5_000 });
    await page.waitForTimeout(2_000);
    await page.getByRole('tab', { name: 'Stats' }).click();
    await panel.waitFor({ timeout: 5_000 });
    // Read at once: a lost history would start again from 0 or 1 sample.
    expect(await samples()).toBeGreaterThanOrEqual(before);
    await waitFor('a new sample after coming back', async () => (await samples()) > before, 10_000);
    await screenshot(page, 'stats-2-after-logs');
  });
});
