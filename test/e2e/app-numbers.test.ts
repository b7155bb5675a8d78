/**
 * Issue #16 defect 3, numbers that must agree: the Images header's on-disk total is `system df`'s
 * (a shared base layer counted once), the Containers column counts containers, the Layers tab shows
 * berthd's layer sizes, and "Prune all" reports the images (not layers) that went and the space
 * berthd reclaimed. Each figure is checked against berthd's API and the docker CLI.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineRequest } from '../harness/berthd';
import { screenshot } from '../harness/browser';
import { docker } from '../harness/docker-cli';
import { pushImage, volumeImage } from '../harness/fixtures';
import { IS_ROOT, gotoView, startAppStack, type AppStack } from './app-env';

/** go-units' HumanSize (`%.4g` and decimal units), what `docker system df` prints. */
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

interface DfApi {
  LayersSize: number;
  Images: { Id: string; Size: number }[];
}

describe.skipIf(!IS_ROOT)('app: numbers agree with berthd and the docker CLI', () => {
  let stack: AppStack;
  let page: Page;
  let volRef: string;
  const d = (args: string[]) => docker(stack.berthd.dockerHost, args, { timeoutMs: 60_000 });
  const df = async (): Promise<DfApi> => JSON.parse((await engineRequest(stack.berthd.socket, 'GET', '/system/df')).body) as DfApi;

  beforeAll(async () => {
    stack = await startAppStack();
    await pushImage(stack.registry.url, 'volimg', 'latest', await volumeImage());
    volRef = `${new URL(stack.registry.url).host}/volimg:latest`;
    for (const ref of [stack.busyboxRef, stack.shellFormRef, volRef]) expect((await d(['pull', ref])).code).toBe(0);
    const created = await d(['create', '--name', 'numbers-user', stack.busyboxRef, 'true']);
    expect(created.code, created.stderr).toBe(0);
    page = await stack.newPage();
  });
  afterAll(async () => {
    await stack?.cleanup();
  });

  it('the Images header says what system df says, not the sum of image sizes', async () => {
    const api = await df();
    const sumOfSizes = api.Images.reduce((a, i) => a + i.Size, 0);
    // busybox and shellform share their only layer: summing sizes would count it twice.
    expect(sumOfSizes).toBeGreaterThan(api.LayersSize);
    await gotoView(page, 'Images');
    const summary = page.getByTestId('images-summary');
    await expect.poll(() => summary.getAttribute('data-disk-bytes'), { timeout: 15_000 }).toBe(String(api.LayersSize));
    expect(await summary.innerText()).toMatch(/^3 images, /);
    const cli = await d(['system', 'df', '--format', '{{json .}}']);
    expect(cli.code, cli.stderr).toBe(0);
    const imagesRow = cli.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { Type: string; TotalCount: string; Size: string })
      .find((r) => r.Type === 'Images');
    expect(imagesRow?.TotalCount).toBe('3');
    expect(imagesRow?.Size).toBe(goHumanSize(api.LayersSize));
  });

  it('the Containers column counts the containers of each image', async () => {
    const cell = (ref: string) => page.locator(`tr[data-image-ref="${ref}"] td`).nth(6);
    await expect.poll(() => cell(stack.busyboxRef).innerText(), { timeout: 10_000 }).toBe('1');
    expect(await cell(stack.shellFormRef).innerText()).toBe('0');
    await screenshot(page, 'numbers-1-images');
  });

  it('the Layers tab shows the sizes berthd reports', async () => {
    const layers = JSON.parse((await engineRequest(stack.berthd.socket, 'GET', `/berth/v1/images/${volRef}/layers`)).body) as { layers: { size: number }[] };
    expect(layers.layers).toHaveLength(2);
    await page.locator(`tr[data-image-ref="${volRef}"] td:first-child a`).click();
    const table = page.getByRole('table', { name: 'Layers' });
    await table.waitFor({ timeout: 15_000 });
    expect(await page.getByText('does not report layer sizes').count()).toBe(0);
    const text = await table.innerText();
    // Each size berthd reports appears, formatted, in the table.
    for (const l of layers.layers) expect(text).toContain(formatDecimal(l.size));
    await screenshot(page, 'numbers-2-layers');
  });

  it('Prune all reports the images that went and the space berthd reclaimed', async () => {
    const before = await df();
    await gotoView(page, 'Images');
    await page.getByRole('button', { name: 'Prune', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Prune images' });
    await dialog.getByLabel(/Also remove every image no container uses/).check();
    await dialog.getByRole('button', { name: 'Prune', exact: true }).click();
    const status = dialog.getByRole('status');
    await status.waitFor({ timeout: 30_000 });
    const after = await df();
    const gone = before.Images.length - after.Images.length;
    // shellform and volimg: busybox has a container.
    expect(gone).toBe(2);
    const text = await status.innerText();
    expect(text).toMatch(new RegExp(`^Deleted ${gone} images\\b`));
    const reclaimed = before.LayersSize - after.LayersSize;
    expect(reclaimed).toBeGreaterThan(0);
    expect(text).toContain(`reclaimed ${formatDecimal(reclaimed)}.`);
    await screenshot(page, 'numbers-3-prune');
    await dialog.getByRole('button', { name: 'Done' }).click();
  });
});

/** The app's formatBytes (three significant digits, a space before the unit). */
function formatDecimal(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(i === 0 || v >= 100 ? 0 : v >= 10 ? 1 : 2)} ${units[i]}`;
}
