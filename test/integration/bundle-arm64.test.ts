/**
 * The arm64 berthd bundle (issue 14): cross-built with Debian's aarch64 compiler and arm64
 * libseccomp, it carries aarch64 shims, the same JavaScript and a checksum that matches.
 */
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../harness/berthd';

const execFileP = promisify(execFile);
const hasCross = (() => {
  try {
    execFileSync('aarch64-linux-gnu-gcc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const EM_AARCH64 = 183;

describe.skipIf(!hasCross)('arm64 bundle', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('builds with aarch64 shims, the bundled daemon and a matching checksum', { timeout: 300_000 }, async () => {
    const out = await mkdtemp(join(tmpdir(), 'berth-bundle-arm64-'));
    dirs.push(out);
    await execFileP(process.execPath, [join(REPO_ROOT, 'scripts/build-bundle.mjs'), '--arch', 'arm64', '--out', out], { cwd: REPO_ROOT });
    const version = (JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const name = `berthd-${version}-linux-arm64`;
    const tarball = join(out, `${name}.tar.gz`);
    const sum = (await readFile(`${tarball}.sha256`, 'utf8')).split(/\s+/)[0];
    expect(createHash('sha256').update(await readFile(tarball)).digest('hex')).toBe(sum);

    const x = join(out, 'x');
    execFileSync('mkdir', ['-p', x]);
    execFileSync('tar', ['-xzf', tarball, '-C', x]);
    const native = join(x, name, 'native/build');
    const shims = await readdir(native);
    expect(shims).toEqual(expect.arrayContaining(['berth-shim', 'berth-init', 'berth-cfs', 'berth-fsutil', 'berth-getxattr', 'berth-devfilter']));
    for (const s of shims) {
      const elf = await readFile(join(native, s));
      expect(elf.subarray(0, 4).toString('latin1'), s).toBe('\x7fELF');
      expect(elf.readUInt16LE(18), `${s} e_machine`).toBe(EM_AARCH64);
    }
    expect(await readdir(join(x, name, 'dist'))).toEqual(expect.arrayContaining(['berthd.mjs', 'layer-worker.mjs']));
  });
});
