// Bundles berthd (helper/src) into helper/dist/berthd.mjs. With --if-stale it returns at once when
// the bundle is newer than every source file, so helper/bin/berthd can call it on every start.
import { build } from 'esbuild';
import { readdirSync, readFileSync, statSync, existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// scripts/build-bundle.mjs builds bundles of another version (e.g. an upgrade test's) into another dir.
const distDir = process.env.BERTH_DIST_DIR ?? join(root, 'helper/dist');
const version = process.env.BERTH_BUILD_VERSION ?? JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
const outfile = join(distDir, 'berthd.mjs');
const sources = [join(root, 'helper/src'), join(root, 'src-shared')];

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if ((entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) || entry.name.endsWith('.json')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

// Layer workers (worker_threads) run from their own small bundle beside berthd.mjs.
const workerOutfile = join(distDir, 'layer-worker.mjs');

// npm packages are bundled too, so a dependency update or a change of this script also makes the bundle stale.
const buildInputs = [fileURLToPath(import.meta.url), join(root, 'package-lock.json')];

if (process.argv.includes('--if-stale') && existsSync(outfile) && existsSync(workerOutfile)) {
  const built = statSync(outfile).mtimeMs;
  const inputsOlder = buildInputs.every((f) => !existsSync(f) || statSync(f).mtimeMs < built);
  if (inputsOlder && sources.every((dir) => newestMtime(dir) < built)) process.exit(0);
}

/**
 * zod's `z.locales` re-exports every language (~370 KB of code parsed and kept by V8 in each
 * berthd); only English messages are used (zod configures `en` itself), so the namespace is
 * reduced to `en`. Falls back to the real module if zod's layout changes.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => {
      if (!args.importer.includes(`${join('node_modules', 'zod')}/`)) return undefined;
      const en = join(args.resolveDir, '../locales/en.js');
      return existsSync(en) ? { path: en, namespace: 'zod-english-only' } : undefined;
    });
    b.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: dirname(args.path),
    }));
  },
};

// esbuild keeps a few comments with non-ASCII characters; one such character makes V8 hold the
// whole ~1 MB source as a two-byte string (2 MB per process). Escaped, they stay readable.
const asciiOnly = (text) => text.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

for (const [entry, out] of [
  ['helper/src/main.ts', outfile],
  ['helper/src/engine/images/layer-worker-entry.ts', workerOutfile],
]) {
  const result = await build({
    entryPoints: [join(root, entry)],
    outfile: out,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    // npm packages are bundled: one module instead of ~80 files through Node's loaders (less
    // memory at idle, faster start). Bundled CommonJS packages (pino) get a real `require`.
    plugins: [zodEnglishOnly],
    banner: { js: "import { createRequire as __berthCreateRequire } from 'node:module'; const require = __berthCreateRequire(import.meta.url);" },
    define: { __BERTH_VERSION__: JSON.stringify(version) },
    sourcemap: 'linked',
    logLevel: 'warning',
    write: false,
  });
  // write:false skips esbuild's own directory creation, and a fresh clone has no helper/dist yet.
  mkdirSync(dirname(out), { recursive: true });
  for (const file of result.outputFiles) writeFileSync(file.path, file.path.endsWith('.mjs') ? asciiOnly(file.text) : file.contents);
}
