/**
 * Vitest global setup for the integration and e2e projects: their root-only suites skip
 * themselves when not run as root; this makes that skip loud instead of silent.
 */
export default function setup(): void {
  if (process.getuid?.() === 0) return;
  const line = '!'.repeat(78);
  console.warn(
    `\n${line}\n! Not running as root: the integration and e2e suites that need namespaces, mounts and\n` +
      `! cgroups are SKIPPED, not passed. Run the tests as root (sudo npm test) to exercise them.\n${line}\n`,
  );
}
