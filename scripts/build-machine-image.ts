/**
 * `npm run build:machine-image [-- --out DIR]` (on a Debian/Ubuntu desktop with the guest's packages:
 * linux-image-cloud-amd64, openssh-server, busybox-static, nftables): builds the Berth machine guest
 * image and packs it as the release artefact macOS and Windows desktops boot
 * (out/machine/berth-machine-<version>-x86_64.tar.gz + .sha256; see src-main/machines/guest-image-archive.ts).
 */
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildGuestImage } from '../src-main/machines/guest-image';
import { packGuestImage } from '../src-main/machines/guest-image-archive';

const root = resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { out: { type: 'string' } } });
const out = values.out ?? join(root, 'out/machine');
const version = (JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string }).version;
const cache = await mkdtemp(join(tmpdir(), 'berth-machine-image-'));
try {
  await mkdir(out, { recursive: true });
  const image = await buildGuestImage({ node: process.execPath, cacheDir: cache });
  const { file, sha256 } = await packGuestImage(image, out, version);
  console.warn(`berth: machine image ${file} (sha256 ${sha256.slice(0, 12)}…)`);
} finally {
  await rm(cache, { recursive: true, force: true });
}
