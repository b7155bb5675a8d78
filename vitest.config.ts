import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Renderer test files that replace a module with vi.mock: those need a fresh module cache; the
 * others share one jsdom and module cache per worker (isolate: false), which cuts the renderer
 * project from about 70 s to about 14 s here (jsdom and the component tree loaded once per worker).
 */
const ROOT = fileURLToPath(new URL('.', import.meta.url));
function rendererFilesMocking(dir = join(ROOT, 'src-renderer')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : rendererFilesMocking(path);
    return /\.test\.tsx?$/.test(e.name) && readFileSync(path, 'utf8').includes('vi.mock(') ? [relative(ROOT, path)] : [];
  });
}
const RENDERER_MOCKING = rendererFilesMocking();

/** What both renderer projects share. */
const RENDERER = {
  environment: 'jsdom' as const,
  setupFiles: ['src-renderer/src/testing/setup.ts'],
  // A file's first render pays for jsdom and the component tree; under the full suite's load
  // (VMs, e2e browsers) that alone passed the 5 s default (run-dialog, seen in a full run).
  testTimeout: 20_000,
};

/**
 * The projects: `unit` (pure logic, next to the code), `renderer` (React views in jsdom; those that
 * mock a module in `renderer-mocked`), `integration` (root: real berthd,
 * docker-registry, sshd and docker CLI; files run one at a time because they share the kernel)
 * and `e2e` (Playwright driving Debian Chromium against web mode).
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['helper/src/**/*.test.ts', 'src-main/**/*.test.ts', 'src-shared/**/*.test.ts', 'scripts/**/*.test.ts', 'bench/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          ...RENDERER,
          name: 'renderer',
          include: ['src-renderer/**/*.test.{ts,tsx}'],
          exclude: [...configDefaults.exclude, ...RENDERER_MOCKING],
          isolate: false,
        },
      },
      ...(RENDERER_MOCKING.length > 0 ? [{ test: { ...RENDERER, name: 'renderer-mocked', include: RENDERER_MOCKING } }] : []),
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/harness/root-notice.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/harness/root-notice.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 240_000,
        },
      },
      {
        test: {
          // Tests in a qemu guest (a real cgroup v2 kernel; see test/harness/vm-guest.ts).
          name: 'vm',
          include: ['test/vm/**/*.test.ts'],
          globalSetup: ['test/harness/root-notice.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
