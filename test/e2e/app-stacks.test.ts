/**
 * Compose stacks in the app against a real berthd, in Chromium (web mode). The stack is made
 * without docker-compose: two containers carrying the labels compose writes (project `shop`,
 * services `web` and `db`), each printing its own line every 0.2 s. The containers list groups
 * them under one stack row; stopping and starting the stack acts on both; the stack's combined
 * log shows the lines of every service, prefixed with the service, and keeps following. The
 * stack page shows each service's health and the stack's volume; removing the stack removes its
 * containers and keeps the volume, like `docker-compose down`.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshot } from '../harness/browser';
import { docker } from '../harness/docker-cli';
import { IS_ROOT, gotoView, startAppStack, waitFor, type AppStack } from './app-env';

const PROJECT = 'shop';
// `trap` lets sh (PID 1, which ignores SIGTERM by default) stop at once instead of after the 10 s timeout.
const chatter = (service: string) => `trap "exit 0" TERM; i=0; while true; do echo "${service}-line-$i"; i=$((i+1)); sleep 0.2; done`;

describe.skipIf(!IS_ROOT)('app: compose stacks', () => {
  let stack: AppStack;
  let page: Page;
  const d = (args: string[]) => docker(stack.berthd.dockerHost, args, { timeoutMs: 60_000 });
  const states = async (): Promise<string> => {
    const r = await d(['ps', '-a', '--filter', `label=com.docker.compose.project=${PROJECT}`, '--format', '{{.Label "com.docker.compose.service"}}={{.State}}']);
    return r.stdout.trim().split('\n').sort().join(' ');
  };
  const stackRow = () => page.getByRole('group', { name: `Stack ${PROJECT}` });

  beforeAll(async () => {
    stack = await startAppStack();
    expect((await d(['pull', stack.busyboxRef])).code).toBe(0);
    const volume = await d(['volume', 'create', '--label', `com.docker.compose.project=${PROJECT}`, '--label', 'com.docker.compose.volume=data', `${PROJECT}_data`]);
    expect(volume.code, volume.stderr).toBe(0);
    // What compose would create for: db (named volume, healthcheck) and web (depends_on db healthy).
    const extra: Record<string, string[]> = {
      db: ['-v', `${PROJECT}_data:/data`, '--health-cmd', 'true', '--health-interval', '1s'],
      web: ['--label', 'com.docker.compose.depends_on=db:service_healthy:false'],
    };
    for (const service of ['db', 'web']) {
      const labels = [`com.docker.compose.project=${PROJECT}`, `com.docker.compose.service=${service}`, 'com.docker.compose.container-number=1', 'com.docker.compose.oneoff=False'];
      const run = await d(['run', '-d', '--name', `${PROJECT}-${service}-1`, ...labels.flatMap((l) => ['--label', l]), ...(extra[service] ?? []), stack.busyboxRef, 'sh', '-c', chatter(service)]);
      expect(run.code, run.stderr).toBe(0);
    }
    // A standalone container stays outside the stack.
    expect((await d(['run', '-d', '--name', 'loner', stack.busyboxRef, 'sleep', '600'])).code).toBe(0);
    page = await stack.newPage();
  });
  afterAll(async () => {
    await stack?.cleanup();
  });

  it('groups the stack in the containers list, with each member’s service and replica', async () => {
    await gotoView(page, 'Containers');
    await stackRow().waitFor({ timeout: 20_000 });
    expect(await stackRow().getByTestId('stack-count').innerText()).toBe('2/2 running');
    expect(await stackRow().locator('tr[data-service="web"]').getAttribute('data-container-name')).toBe('shop-web-1');
    expect(await stackRow().locator('tr[data-service="db"]').getByTestId('member-service').innerText()).toMatch(/^db #1/);
    expect(await stackRow().locator('tr[data-container-name="loner"]').count()).toBe(0);
    expect(await page.locator('tr[data-container-name="loner"]').count()).toBe(1);
    await screenshot(page, 'stacks-1-grouped');
  });

  it('stops both services with the stack’s Stop, and starts both with its Start', async () => {
    await stackRow().getByRole('button', { name: `Stop stack ${PROJECT}` }).click();
    await waitFor('the stack row to show 0/2 running', async () => (await stackRow().getByTestId('stack-count').innerText()) === '0/2 running', 20_000);
    expect(await states()).toBe('db=exited web=exited');
    expect((await d(['inspect', '--format', '{{.State.Status}}', 'loner'])).stdout.trim()).toBe('running');
    await screenshot(page, 'stacks-2-stopped');

    await stackRow().getByRole('button', { name: `Start stack ${PROJECT}` }).click();
    await waitFor('the stack row to show 2/2 running', async () => (await stackRow().getByTestId('stack-count').innerText()) === '2/2 running', 20_000);
    expect(await states()).toBe('db=running web=running');
  });

  it('shows every service’s lines in the combined log, prefixed with the service, and keeps following', async () => {
    await stackRow().getByRole('button', { name: `Logs of stack ${PROJECT}` }).click();
    const log = page.getByRole('log', { name: 'Stack logs' });
    await log.locator('.log-line[data-service="web"]').first().waitFor({ timeout: 20_000 });
    await log.locator('.log-line[data-service="db"]').first().waitFor({ timeout: 20_000 });
    const line = log.locator('.log-line[data-service="db"]').last();
    expect(await line.locator('.service').innerText()).toMatch(/^db\s+\|$/);
    expect(await line.locator('.text').innerText()).toMatch(/^db-line-\d+$/);
    // Following: a line printed after the log opened arrives without a reload.
    const newest = async (service: string): Promise<number> => {
      const text = await log.locator(`.log-line[data-service="${service}"] .text`).last().innerText();
      return Number(/-line-(\d+)$/.exec(text)?.[1] ?? -1);
    };
    const [web0, db0] = [await newest('web'), await newest('db')];
    await waitFor('new lines of both services', async () => (await newest('web')) >= web0 + 5 && (await newest('db')) >= db0 + 5, 15_000);
    // Interleaved by time: the newest lines mix both services rather than one block after the other.
    const recent = (await log.locator('.log-line').evaluateAll((els) => els.slice(-12).map((e) => e.getAttribute('data-service')))) as string[];
    expect(new Set(recent)).toEqual(new Set(['web', 'db']));
    const colours = await log.locator('.log-line .service').evaluateAll((els) => [...new Set(els.map((e) => getComputedStyle(e).color))]);
    expect(colours.length).toBe(2);
    await screenshot(page, 'stacks-3-combined-log');
  });

  it('shows the services with their health and the stack’s volume on the stack page', async () => {
    await page.getByRole('tab', { name: 'Services' }).click();
    const services = page.getByRole('table', { name: 'Services' });
    await waitFor('db to be reported healthy', async () => (await services.locator('tr[data-service="db"]').getByTestId('service-health').innerText()) === 'healthy', 20_000);
    expect(await services.locator('tr[data-service="web"]').getByTestId('service-health').innerText()).toBe('—');
    const volume = page.getByRole('table', { name: 'Stack volumes' }).locator(`tr[data-volume="${PROJECT}_data"]`);
    await volume.waitFor({ timeout: 10_000 });
    expect(await volume.innerText()).toMatch(/shop_data\s+data\s+local/);
    await screenshot(page, 'stacks-4-services');
  });

  it('removes the stack’s containers and keeps its volume and other containers', async () => {
    await page.getByRole('button', { name: 'Remove', exact: true }).click();
    await page.getByRole('dialog', { name: `Remove stack ${PROJECT}?` }).getByRole('button', { name: 'Stop and remove' }).click();
    await page.getByRole('heading', { name: 'Containers', level: 1 }).waitFor({ timeout: 20_000 });
    await waitFor('the stack row to go', async () => (await stackRow().count()) === 0, 20_000);
    expect(await states()).toBe('');
    expect((await d(['volume', 'inspect', '--format', '{{.Name}}', `${PROJECT}_data`])).stdout.trim()).toBe(`${PROJECT}_data`);
    expect(await page.locator('tr[data-container-name="loner"]').count()).toBe(1);
  });
});
