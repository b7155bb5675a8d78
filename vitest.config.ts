import { defineConfig } from 'vitest/config';

/**
 * Four projects: `unit` (pure logic, next to the code), `integration` (root: real berthd,
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
          name: 'renderer',
          include: ['src-renderer/**/*.test.{ts,tsx}'],
          environment: 'jsdom',
          setupFiles: ['src-renderer/src/testing/setup.ts'],
          // A file's first render pays for jsdom and the component tree; under the full suite's load
          // (VMs, e2e browsers) that alone passed the 5 s default (run-dialog, seen in a full run).
          testTimeout: 20_000,
        },
      },
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
