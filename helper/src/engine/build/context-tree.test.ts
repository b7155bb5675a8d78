import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import { afterEach, describe, expect, it } from 'vitest';
import { readBuildContext, type BuildContext } from './context-reader';
import { sourceChecksum } from './copy-plan';

const dirs: string[] = [];
const contexts: BuildContext[] = [];
afterEach(async () => {
  for (const c of contexts.splice(0)) await c.dispose();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

type Spec = { name: string; type?: 'file' | 'directory' | 'symlink' | 'link'; body?: string | Buffer; linkname?: string; mode?: number };

async function context(entries: Spec[]): Promise<BuildContext> {
  const tmp = await mkdtemp(join(tmpdir(), 'berth-ctxtree-'));
  dirs.push(tmp);
  const p = pack();
  p.entry({ name: 'Dockerfile' }, 'FROM x\n');
  for (const e of entries) {
    const { body, ...h } = e;
    p.entry({ mtime: new Date(1000), ...h }, body ?? '');
  }
  p.finalize();
  const c = await readBuildContext(p as unknown as Readable, { tmpDir: tmp });
  contexts.push(c);
  return c;
}

const sha = (b: string | Buffer): string => createHash('sha256').update(b).digest('hex');

describe('the build context read into memory', () => {
  it('serves files, directories, symlinks and hardlinks as an unpacked directory would', async () => {
    const big = Buffer.alloc((1 << 20) + 5, 7);
    const c = await context([
      { name: 'src/a.txt', body: 'hello', mode: 0o640 },
      { name: 'src/big.bin', body: big },
      { name: 'src/link', type: 'symlink', linkname: 'a.txt' },
      { name: 'src/hard', type: 'link', linkname: 'src/a.txt' },
      { name: 'dir', type: 'directory', mode: 0o700 },
    ]);
    const t = c.root;
    expect(await t.list('')).toEqual(['Dockerfile', 'dir', 'src']);
    expect(await t.list('src')).toEqual(['a.txt', 'big.bin', 'hard', 'link']);
    const a = await t.lstat('src/a.txt');
    expect(a?.st.isFile()).toBe(true);
    expect((a?.st.mode ?? 0) & 0o7777).toBe(0o640);
    expect(a?.st.size).toBe(5);
    expect(a?.st.mtime.getTime()).toBe(1000);
    expect((await t.readFile(a!)).toString()).toBe('hello');
    expect(await t.digest(a!)).toBe(sha('hello'));
    const link = await t.lstat('src/link');
    expect(link?.st.isSymbolicLink()).toBe(true);
    expect(await t.readlink(link!)).toBe('a.txt');
    expect((await t.resolve('src/link', true))?.rel).toBe('src/a.txt');
    const hard = await t.lstat('src/hard');
    expect((await t.readFile(hard!)).toString()).toBe('hello');
    expect((hard?.st.mode ?? 0) & 0o7777).toBe(0o640);
    const b = await t.lstat('src/big.bin');
    const chunks: Buffer[] = [];
    for await (const ch of t.openRead(b!) as AsyncIterable<Buffer>) chunks.push(ch);
    expect(Buffer.concat(chunks).equals(big)).toBe(true);
    expect(await t.digest(b!)).toBe(sha(big));
    expect(((await t.lstat('dir'))?.st.mode ?? 0) & 0o7777).toBe(0o700);
    expect((await t.lstat('src'))?.st.isDirectory()).toBe(true);
  });

  it('a name given twice is replaced; a directory given twice keeps its contents', async () => {
    const c = await context([
      { name: 'x', body: 'one' },
      { name: 'x', body: 'two' },
      { name: 'd/f', body: 'f' },
      { name: 'd', type: 'directory', mode: 0o711 },
      { name: 'e/g', body: 'g' },
      { name: 'e', body: 'now a file' },
    ]);
    const t = c.root;
    expect((await t.readFile((await t.lstat('x'))!)).toString()).toBe('two');
    expect(await t.list('d')).toEqual(['f']);
    expect((await t.lstat('e'))?.st.isFile()).toBe(true);
    expect(await t.lstat('e/g')).toBeUndefined();
  });

  it('symlinks are followed only inside the context, also in the middle of a path', async () => {
    const c = await context([
      { name: 'real/f', body: 'f' },
      { name: 'in', type: 'symlink', linkname: 'real' },
      { name: 'out', type: 'symlink', linkname: '../../etc' },
      { name: 'abs', type: 'symlink', linkname: '/etc' },
    ]);
    const t = c.root;
    expect((await t.lstat('in/f'))?.rel).toBe('real/f');
    await expect(t.resolve('out/passwd', true)).rejects.toThrow(/outside the build context/);
    await expect(t.lstat('abs/passwd')).rejects.toThrow(/outside the build context/);
  });

  it('the content checksum changes with a file\'s bytes or mode, not with its time', async () => {
    const sum = async (entries: Spec[]): Promise<string> => {
      const t = (await context(entries)).root;
      return sourceChecksum(t, (await t.lstat('src'))!, '');
    };
    const base = await sum([{ name: 'src/a', body: 'x' }]);
    expect(await sum([{ name: 'src/a', body: 'x' }])).toBe(base);
    expect(await sum([{ name: 'src/a', body: 'y' }])).not.toBe(base);
    expect(await sum([{ name: 'src/a', body: 'x', mode: 0o755 }])).not.toBe(base);
  });

  it('a hardlink to a name the archive has not given is refused', async () => {
    await expect(context([{ name: 'h', type: 'link', linkname: 'nope' }])).rejects.toThrow(/hardlink "h" points to "nope"/);
    await expect(context([{ name: 'h', type: 'link', linkname: '../x' }])).rejects.toThrow(/leaves the context|points outside/);
  });
});
