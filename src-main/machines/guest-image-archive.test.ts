import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { packGuestImage, unpackGuestImage } from './guest-image-archive';

describe('machine guest image archive', () => {
  const dirs: string[] = [];
  const tmp = async () => {
    const d = await mkdtemp(join(tmpdir(), 'berth-gia-'));
    dirs.push(d);
    return d;
  };
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('packs a built image and unpacks it, verified, once per checksum', async () => {
    const src = await tmp();
    await writeFile(join(src, 'vmlinuz'), 'kernel bytes');
    await writeFile(join(src, 'guest.cpio'), 'initramfs bytes');
    const out = await tmp();
    const { file, sha256 } = await packGuestImage({ kernel: join(src, 'vmlinuz'), initramfs: join(src, 'guest.cpio'), kernelRelease: '6.1.0-99-cloud-amd64' }, out, '9.9.9');
    expect(file).toBe(join(out, 'berth-machine-9.9.9-x86_64.tar.gz'));
    expect(await readFile(`${file}.sha256`, 'utf8')).toBe(`${sha256}  berth-machine-9.9.9-x86_64.tar.gz\n`);
    const cache = await tmp();
    const image = await unpackGuestImage(file, cache);
    expect(image.kernelRelease).toBe('6.1.0-99-cloud-amd64');
    expect(await readFile(image.kernel, 'utf8')).toBe('kernel bytes');
    expect(await readFile(image.initramfs, 'utf8')).toBe('initramfs bytes');
    expect(await unpackGuestImage(file, cache)).toEqual(image);
  });

  it('refuses an archive that does not match its checksum, or has none', async () => {
    const src = await tmp();
    await writeFile(join(src, 'k'), 'k');
    await writeFile(join(src, 'i'), 'i');
    const out = await tmp();
    const { file } = await packGuestImage({ kernel: join(src, 'k'), initramfs: join(src, 'i'), kernelRelease: 'r' }, out, '1');
    const bytes = await readFile(file);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 5) ^ 0xff, bytes.length - 5);
    await writeFile(file, bytes);
    await expect(unpackGuestImage(file, await tmp())).rejects.toThrow(/does not match its checksum/);
    await rm(`${file}.sha256`);
    await expect(unpackGuestImage(file, await tmp())).rejects.toThrow(/no readable/);
  });
});
