import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ContextTree } from './context-tree';
import { applyIgnore, cleanContextPath, detectCompression, parseIgnoreFile, readBuildContext } from './context-reader';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const trees: ContextTree[] = [];
afterEach(() => {
  for (const t of trees.splice(0)) t.close();
});

async function tree(files: string[]): Promise<ContextTree> {
  const d = await mkdtemp(join(tmpdir(), 'berth-ignore-'));
  dirs.push(d);
  const t = new ContextTree(join(d, 'spool'));
  trees.push(t);
  for (const f of files) await t.addFile(f, 0o644, new Date(0), [Buffer.from('x')]);
  return t;
}

function listAll(t: ContextTree): string[] {
  return t
    .walk()
    .filter((e) => !e.dir)
    .map((e) => e.path)
    .sort();
}

const FILES = ['a.log', 'keep.log', 'src/a.go', 'src/b.log', 'src/deep/c.md', 'docs/x.md', 'docs/keep/y.md', 'node_modules/m/index.js', 'Dockerfile', '.git/HEAD'];

describe('.dockerignore with Docker\'s semantics', () => {
  it.each<[string, string[], string[]]>([
    ['plain name at the root only', ['a.log'], FILES.filter((f) => f !== 'a.log')],
    ['* matches one level', ['*.log'], FILES.filter((f) => !['a.log', 'keep.log'].includes(f))],
    ['! re-includes', ['*.log', '!keep.log'], FILES.filter((f) => f !== 'a.log')],
    ['** matches any depth', ['**/*.log'], FILES.filter((f) => !f.endsWith('.log'))],
    ['directory and everything below', ['node_modules', '.git'], FILES.filter((f) => !f.startsWith('node_modules') && !f.startsWith('.git'))],
    ['! inside an excluded directory', ['docs', '!docs/keep'], FILES.filter((f) => f !== 'docs/x.md')],
    ['**/ prefix and suffix', ['src/**'], FILES.filter((f) => !f.startsWith('src/'))],
    ['exclude all but one', ['*', '!Dockerfile'], ['Dockerfile']],
    ['leading ./ and / are ignored', ['./a.log', '/keep.log'], FILES.filter((f) => !['a.log', 'keep.log'].includes(f))],
    ['? matches one character', ['?.log'], FILES.filter((f) => f !== 'a.log')],
  ])('%s', async (_name, patterns, want) => {
    const t = await tree(FILES);
    applyIgnore(t, patterns);
    expect(listAll(t)).toEqual([...want].sort());
  });
  it('comments and blank lines', () => {
    expect(parseIgnoreFile('# c\n\n  *.log  \r\n!x\n')).toEqual(['*.log', '!x']);
  });
});

describe('context reader', () => {
  it('paths that leave the context are refused', () => {
    expect(cleanContextPath('./a/../b')).toBe('b');
    expect(() => cleanContextPath('../x')).toThrow(/leaves the context/);
    expect(() => cleanContextPath('a/../../x')).toThrow(/leaves the context/);
  });
  it('detects compression by magic', () => {
    expect(detectCompression(Buffer.from([0x1f, 0x8b, 8]))).toBe('gzip');
    expect(detectCompression(Buffer.from('BZh91AY'))).toBe('bzip2');
    expect(detectCompression(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))).toBe('xz');
    expect(detectCompression(Buffer.from('FROM x'))).toBe('none');
  });
  it('a tar with an entry leaving the context is refused; a Dockerfile alone is accepted', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'berth-ctx-'));
    dirs.push(tmp);
    const p = pack();
    p.entry({ name: 'Dockerfile' }, 'FROM x\n');
    p.entry({ name: '../evil' }, 'x');
    p.finalize();
    await expect(readBuildContext(p as unknown as Readable, { tmpDir: tmp })).rejects.toThrow(/leaves the context/);
    expect(await readdir(tmp)).toEqual([]);
    const alone = await readBuildContext(Readable.from([Buffer.from('FROM busybox\nRUN true\n')]), { tmpDir: tmp });
    expect(alone.dockerfile).toBe('FROM busybox\nRUN true\n');
    await alone.dispose();
  });
  it('entries below a symlink the archive created are refused', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'berth-ctx-'));
    dirs.push(tmp);
    const p = pack();
    p.entry({ name: 'Dockerfile' }, 'FROM x\n');
    p.entry({ name: 'etc', type: 'symlink', linkname: '/etc' });
    p.entry({ name: 'etc/passwd' }, 'pwned');
    p.finalize();
    await expect(readBuildContext(p as unknown as Readable, { tmpDir: tmp })).rejects.toThrow(/below a symlink/);
  });
  it('a missing Dockerfile is named', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'berth-ctx-'));
    dirs.push(tmp);
    const p = pack();
    p.entry({ name: 'other.txt' }, 'x');
    p.finalize();
    await expect(readBuildContext(p as unknown as Readable, { tmpDir: tmp, dockerfile: 'sub/Dockerfile' })).rejects.toThrow('Cannot locate specified Dockerfile: sub/Dockerfile');
  });
});
