// Builds berthd's native shims (helper/native/*.c) with the machine's C compiler. They only make
// the syscalls Node cannot (clone into namespaces, pivot_root, setns, pty); all policy is in TS.
import { execFileSync } from 'node:child_process';
import { readdirSync, mkdirSync, existsSync, statSync } from 'node:fs';
import { join, dirname, basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const srcDir = join(root, 'helper/native');
// scripts/build-bundle.mjs cross-builds the shims for another architecture (CC=aarch64-linux-gnu-gcc) into another dir.
const outDir = process.env.BERTH_NATIVE_OUT ?? join(srcDir, 'build');
if (process.platform !== 'linux') {
  console.warn('berth: native shims are Linux-only; skipping (berthd runs on Linux hosts)');
  process.exit(0);
}
mkdirSync(outDir, { recursive: true });
const cc = process.env.CC ?? 'cc';
// Libraries a shim links (statically; libseccomp-dev ships libseccomp.a): only the container
// monitor loads a seccomp filter.
const LIBS = { 'berth-shim.c': ['-lseccomp'] };
for (const file of existsSync(srcDir) ? readdirSync(srcDir) : []) {
  if (!file.endsWith('.c')) continue;
  const src = join(srcDir, file);
  const out = join(outDir, basename(file, '.c'));
  if (process.argv.includes('--if-stale') && existsSync(out) && statSync(out).mtimeMs > statSync(src).mtimeMs) continue;
  // Static so the binary can be bind-mounted into a container (e.g. as its init) and runs there.
  execFileSync(cc, ['-O2', '-std=gnu11', '-Wall', '-Wextra', '-Werror', '-static', '-o', out, src, ...(LIBS[file] ?? [])], { stdio: 'inherit' });
  console.log(`berth: built ${out}`);
}
