import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveInRoot } from './copy-up';

describe('resolveInRoot', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'berth-resolve-'));
    await mkdir(join(root, 'data', 'real'), { recursive: true });
    await writeFile(join(root, 'data', 'real', 'f'), 'x');
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('follows links as chroot would: absolute targets and .. stay under the root', async () => {
    await symlink('/data/real', join(root, 'abs'));
    await symlink('../../../../data', join(root, 'data', 'up'));
    await symlink('/', join(root, 'data', 'slash'));
    expect(await resolveInRoot(root, '/abs/f')).toBe(join(root, 'data/real/f'));
    expect(await resolveInRoot(root, '/data/up/real')).toBe(join(root, 'data/real'));
    expect(await resolveInRoot(root, '/data/slash/etc/passwd')).toBe(join(root, 'etc/passwd'));
    expect(await resolveInRoot(root, '/../../etc')).toBe(join(root, 'etc'));
    expect(await resolveInRoot(root, '/data/missing/deeper')).toBe(join(root, 'data/missing/deeper'));
  });

  it('refuses a symlink loop', async () => {
    await symlink('b', join(root, 'a'));
    await symlink('a', join(root, 'b'));
    await expect(resolveInRoot(root, '/a/x')).rejects.toMatchObject({ code: 'SYMLINK_LOOP' });
  });
});
