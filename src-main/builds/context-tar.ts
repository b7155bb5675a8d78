import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import ignore from '@balena/dockerignore';
import { pack } from 'tar-stream';
import { AppError } from '../lib/app-error';

/**
 * Packs a build context folder as the docker CLI does before `POST /build`: every file the
 * .dockerignore does not exclude (the Dockerfile and .dockerignore themselves always go), symlinks
 * as symlinks, modes and mtimes kept, owners zeroed. Sockets, devices and fifos are left out.
 */
export async function packContext(dir: string, dockerfile: string, maxBytes = 2 * 1024 ** 3): Promise<Buffer> {
  const st = await lstat(dir).catch(() => undefined);
  if (!st?.isDirectory()) throw new AppError('InvalidArgument', 'BUILD_CONTEXT_NOT_A_FOLDER', `the build context must be a folder: ${dir}`);
  const rules = await readFile(join(dir, '.dockerignore'), 'utf8').catch(() => '');
  const ig = ignore().add(rules.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#')));
  const keep = new Set([posix.normalize(dockerfile), '.dockerignore']);
  const tar = pack();
  const chunks: Buffer[] = [];
  let size = 0;
  tar.on('data', (c: unknown) => {
    const b = c as Buffer;
    size += b.length;
    chunks.push(b);
  });
  const finished = new Promise<void>((resolve, reject) => {
    tar.on('end', resolve);
    tar.on('error', reject);
  });
  const entry = (header: Parameters<typeof tar.entry>[0], body?: Buffer): Promise<void> =>
    new Promise((resolve, reject) => {
      tar.entry(header, body ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
    });
  const walk = async (rel: string): Promise<void> => {
    for (const name of (await readdir(join(dir, rel))).sort()) {
      const path = rel === '' ? name : `${rel}/${name}`;
      const s = await lstat(join(dir, path));
      if (!keep.has(path) && ig.ignores(path)) {
        // An excluded folder can still hold re-included files (`!dir/file`): look inside it then.
        if (!(s.isDirectory() && rules.includes('!'))) continue;
      }
      const common = { name: path, mode: s.mode & 0o7777, mtime: s.mtime, uid: 0, gid: 0 };
      if (s.isDirectory()) {
        await entry({ ...common, type: 'directory' });
        await walk(path);
      } else if (s.isFile()) {
        if (size + s.size > maxBytes) throw new AppError('InvalidArgument', 'BUILD_CONTEXT_TOO_LARGE', `the build context is over ${Math.round(maxBytes / 1024 ** 2)} MiB; exclude what the build does not need in .dockerignore`);
        await entry({ ...common, type: 'file', size: s.size }, await readFile(join(dir, path)));
      } else if (s.isSymbolicLink()) {
        await entry({ ...common, type: 'symlink', linkname: await readlink(join(dir, path)) });
      }
    }
  };
  await walk('');
  tar.finalize();
  await finished;
  return Buffer.concat(chunks);
}
