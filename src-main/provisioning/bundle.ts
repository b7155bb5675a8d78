import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../lib/app-error';

/** One berthd bundle built by scripts/build-bundle.mjs. */
export interface BundleRef {
  path: string;
  /** `berthd-<version>-linux-<arch>`: the tarball's top directory. */
  name: string;
  version: string;
  arch: 'x64' | 'arm64';
  sha256: string;
}

/**
 * The bundle for `version` and `arch` in `dir`, with its checksum verified against the `.sha256`
 * written beside it (a truncated or swapped file is refused here, before anything is uploaded).
 */
export async function findBundle(dir: string, version: string, arch: 'x64' | 'arm64'): Promise<BundleRef> {
  const name = `berthd-${version}-linux-${arch}`;
  const path = join(dir, `${name}.tar.gz`);
  let expected: string;
  try {
    expected = (await readFile(`${path}.sha256`, 'utf8')).split(/\s+/)[0] ?? '';
  } catch (err) {
    throw new AppError('NotFound', 'BUNDLE_NOT_FOUND', `no berthd bundle ${name} in ${dir} (build it with npm run build)`, { cause: err });
  }
  const actual = await sha256File(path).catch((err: unknown) => {
    throw new AppError('NotFound', 'BUNDLE_NOT_FOUND', `cannot read ${path}`, { cause: err });
  });
  if (actual !== expected) throw new AppError('Internal', 'BUNDLE_CORRUPT', `${path} does not match its checksum (sha256 ${actual}, expected ${expected})`);
  return { path, name, version, arch, sha256: actual };
}

export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('data', (d) => h.update(d))
      .on('error', reject)
      .on('end', () => resolve(h.digest('hex')));
  });
}
