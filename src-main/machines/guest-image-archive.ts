/**
 * The Berth machine guest image as a release artefact, for desktops that cannot build one (macOS
 * and Windows have no Debian packages to take the kernel, busybox, sshd and nft from): the kernel
 * and initramfs the Linux build makes, packed with their kernel release into
 * `berth-machine-<version>-x86_64.tar.gz` plus a `.sha256`. A desktop given the archive verifies the
 * checksum and unpacks it once into its image cache (atomically) instead of building.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { AppError } from '../lib/app-error';
import type { GuestImage } from './guest-image';

const execFileP = promisify(execFile);

async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Packs a built guest image into `outDir`; returns the archive's path and checksum. */
export async function packGuestImage(image: GuestImage, outDir: string, version: string): Promise<{ file: string; sha256: string }> {
  const name = `berth-machine-${version}-x86_64`;
  const stage = await mkdtemp(join(outDir, '.stage-'));
  try {
    await mkdir(join(stage, name));
    await copyFile(image.kernel, join(stage, name, 'vmlinuz'));
    await copyFile(image.initramfs, join(stage, name, 'initramfs.cpio'));
    await writeFile(join(stage, name, 'RELEASE'), `${image.kernelRelease}\n`);
    await writeFile(join(stage, name, 'VERSION'), `${version}\n`);
    const file = join(outDir, `${name}.tar.gz`);
    const tmp = `${file}.tmp-${process.pid}`;
    await execFileP('tar', ['-C', stage, '--owner=0', '--group=0', '--numeric-owner', '--sort=name', '-czf', tmp, name]);
    const sha256 = await sha256File(tmp);
    await rename(tmp, file);
    await writeFile(`${file}.sha256`, `${sha256}  ${basename(file)}\n`);
    return { file, sha256 };
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

/** Verifies `archive` against its `.sha256` and unpacks it into `cacheDir` (once per checksum). */
export async function unpackGuestImage(archive: string, cacheDir: string): Promise<GuestImage> {
  const expected = (await readFile(`${archive}.sha256`, 'utf8').catch(() => '')).split(/\s+/)[0] ?? '';
  if (!/^[0-9a-f]{64}$/.test(expected)) throw new AppError('NotFound', 'GUEST_IMAGE_CHECKSUM_MISSING', `the machine image ${archive} has no readable ${basename(archive)}.sha256 beside it`);
  const got = await sha256File(archive);
  if (got !== expected) throw new AppError('InvalidArgument', 'GUEST_IMAGE_CORRUPT', `the machine image ${archive} does not match its checksum (expected ${expected.slice(0, 12)}…, got ${got.slice(0, 12)}…): download it again`);
  const dir = join(cacheDir, `prebuilt-${got.slice(0, 16)}`);
  if (!existsSync(join(dir, 'initramfs.cpio'))) {
    await mkdir(cacheDir, { recursive: true });
    const tmp = await mkdtemp(join(cacheDir, '.unpack-'));
    try {
      await execFileP('tar', ['-xzf', archive, '-C', tmp, '--strip-components=1', '--no-same-owner']);
      for (const f of ['vmlinuz', 'initramfs.cpio', 'RELEASE']) {
        if (!existsSync(join(tmp, f))) throw new AppError('InvalidArgument', 'GUEST_IMAGE_INVALID', `the machine image ${archive} has no ${f}`);
      }
      await rm(dir, { recursive: true, force: true });
      await rename(tmp, dir);
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw err;
    }
  }
  return { kernel: join(dir, 'vmlinuz'), initramfs: join(dir, 'initramfs.cpio'), kernelRelease: (await readFile(join(dir, 'RELEASE'), 'utf8')).trim() };
}
