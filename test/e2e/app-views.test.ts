/**
 * Every view, in both themes: a screenshot under test-results/e2e/ (views-<view>-<theme>.png) and
 * an axe-core scan with no serious or critical violation. The views come from the sidebar itself,
 * so a view another feature registers is covered without editing this file. The theme follows
 * the OS (emulated prefers-color-scheme) since the default setting is "system".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { blocking, describeViolations, runAxe } from '../harness/axe';
import { screenshot } from '../harness/browser';
import { docker } from '../harness/docker-cli';
import { IS_ROOT, startAppStack, waitFor, type AppStack } from './app-env';

const THEMES = ['light', 'dark'] as const;

describe.skipIf(!IS_ROOT)('app: every view in both themes, accessible', () => {
  let stack: AppStack;
  let page: Page;
  let containerId = '';
  const findings: string[] = [];

  beforeAll(async () => {
    stack = await startAppStack();
    const pull = await docker(stack.berthd.dockerHost, ['pull', stack.busyboxRef]);
    expect(pull.code, pull.stderr).toBe(0);
    const run = await docker(stack.berthd.dockerHost, ['run', '-d', '--name', 'views-sleeper', '--init', stack.busyboxRef, 'sleep', '1000']);
    expect(run.code, run.stderr).toBe(0);
    containerId = run.stdout.trim();
    await docker(stack.berthd.dockerHost, ['create', '--name', 'views-stopped', stack.busyboxRef, 'true']);
    page = await stack.newPage();
  });
  afterAll(async () => {
    if (findings.length) console.warn(findings.join('\n'));
    await stack?.cleanup();
  });

  async function check(name: string, theme: (typeof THEMES)[number]): Promise<void> {
    // Let lists and charts settle (no spinner) before the scan.
    await page.locator('.state-loading').first().waitFor({ state: 'detached', timeout: 15_000 }).catch(() => undefined);
    await screenshot(page, `views-${name}-${theme}`);
    const violations = blocking(await runAxe(page));
    if (violations.length) findings.push(`${name} (${theme}):\n${describeViolations(violations)}`);
    expect(violations, `${name} (${theme}):\n${describeViolations(violations)}`).toEqual([]);
  }

  for (const theme of THEMES) {
    it(`${theme}: follows the OS theme and passes axe on every sidebar view`, async () => {
      await page.emulateMedia({ colorScheme: theme });
      await page.goto(stack.web.url);
      await waitFor('theme', async () => (await page.evaluate(() => document.documentElement.dataset.theme)) === theme);
      const nav = page.getByRole('navigation', { name: 'Main' });
      const labels = await nav.getByRole('link').allInnerTexts();
      expect(labels.length).toBeGreaterThanOrEqual(4);
      for (const label of labels) {
        await nav.getByRole('link', { name: label.trim(), exact: true }).click();
        await page.getByRole('heading', { name: label.trim(), level: 1 }).waitFor({ timeout: 15_000 });
        await check(label.trim().toLowerCase().replace(/\W+/g, '-'), theme);
      }
    });

    it(`${theme}: container details (each tab), image details and the run dialog pass axe`, async () => {
      await page.emulateMedia({ colorScheme: theme });
      await page.goto(`${stack.web.url.split('#')[0]}#/containers/${containerId}`);
      await page.getByRole('heading', { name: 'views-sleeper', level: 1 }).waitFor({ timeout: 15_000 });
      for (const tab of await page.getByRole('tab').allInnerTexts()) {
        await page.getByRole('tab', { name: tab, exact: true }).click();
        await check(`container-${tab.toLowerCase()}`, theme);
      }
      await page.goto(`${stack.web.url.split('#')[0]}#/images`);
      await page.locator(`tr[data-image-ref="${stack.busyboxRef}"] a`).first().click();
      await page.getByRole('tab').first().waitFor();
      await check('image-details', theme);
      await page.goto(`${stack.web.url.split('#')[0]}#/containers`);
      await page.getByRole('button', { name: 'Run container' }).click();
      await page.getByRole('dialog', { name: 'Run a container' }).waitFor();
      await check('run-dialog', theme);
      await page.keyboard.press('Escape');
    });
  }
});
