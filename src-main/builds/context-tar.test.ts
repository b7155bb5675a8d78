import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { extract } from 'tar-stream';
import { packContext } from './context-tar';

async function names(tar: Buffer): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (h, stream, next) => {
      out[h.name] = h.type === 'symlink' ? `-> ${h.linkname ?? ''}` : h.type;
      stream.resume();
      stream.on('end', next);
    });
    ex.on('finish', resolve).on('error', reject);
  });
  ex.end(tar);
  await done;
  return out;
}

describe('packContext', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it("leaves out what .dockerignore excludes, keeps the Dockerfile and .dockerignore, and packs symlinks as links", async () => {
    const d = await mkdtemp(join(tmpdir(), 'berth-ctx-'));
    dirs.push(d);
    await mkdir(join(d, 'node_modules/pkg'), { recursive: true });
    await mkdir(join(d, 'src'));
    await writeFile(join(d, 'node_modules/pkg/index.js'), 'x');
    await writeFile(join(d, 'src/app.js'), 'y');
    await writeFile(join(d, 'src/debug.log'), 'z');
    await writeFile(join(d, 'build.Dockerfile'), 'FROM scratch\n');
    await writeFile(join(d, '.dockerignore'), 'node_modules\n**/*.log\n*.Dockerfile\n');
    await symlink('app.js', join(d, 'src/link'));
    expect(await names(await packContext(d, 'build.Dockerfile'))).toEqual({
      '.dockerignore': 'file',
      'build.Dockerfile': 'file',
      src: 'directory',
      'src/app.js': 'file',
      'src/link': '-> app.js',
    });
  });

  it('refuses a context that is not a folder', async () => {
    await expect(packContext('/nonexistent/berth', 'Dockerfile')).rejects.toMatchObject({ code: 'BUILD_CONTEXT_NOT_A_FOLDER' });
  });
});
