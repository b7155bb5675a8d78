// Bundles berthd (helper/src) into helper/dist/berthd.mjs. With --if-stale it returns at once when
// the bundle is newer than every source file, so helper/bin/berthd can call it on every start.
import { build } from 'esbuild';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = join(root, 'helper/dist/berthd.mjs');
const sources = [join(root, 'helper/src'), join(root, 'src-shared')];

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

// Layer workers (worker_threads) run from their own small bundle beside berthd.mjs.
const workerOutfile = join(root, 'helper/dist/layer-worker.mjs');

if (process.argv.includes('--if-stale') && existsSync(outfile) && existsSync(workerOutfile)) {
  const built = statSync(outfile).mtimeMs;
  if (sources.every((dir) => newestMtime(dir) < built)) process.exit(0);
}

for (const [entry, out] of [
  ['helper/src/main.ts', outfile],
  ['helper/src/engine/images/layer-worker-entry.ts', workerOutfile],
]) {
  await build({
    entryPoints: [join(root, entry)],
    outfile: out,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}
