import { lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyLayerTar } from './apply-layer';
import { FileWriter } from './file-writer';
import { FsUtil } from './fsutil';

const FSUTIL = join(import.meta.dirname, '../../../native/build/berth-fsutil');
const IS_ROOT = process.getuid?.() === 0;

type Entry = { name: string; type?: 'file' | 'directory' | 'link' | 'symlink'; body?: string; linkname?: string; mode?: number; uid?: number; gid?: number };

async function tarOf(entries: Entry[]): Promise<Readable> {
  const p = pack();
  const chunks: Buffer[] = [];
  const reading = (async () => {
    for await (const c of p as AsyncIterable<Buffer>) chunks.push(c);
  })();
  for (const e of entries) {
    await new Promise<void>((resolve, reject) =>
      p.entry({ name: e.name, type: e.type ?? 'file', mode: e.mode ?? 0o644, uid: e.uid ?? 0, gid: e.gid ?? 0, mtime: new Date('2020-01-02T03:04:05Z'), ...(e.linkname ? { linkname: e.linkname } : {}) }, e.body ?? '', (err) => (err ? reject(err) : resolve())),
    );
  }
  p.finalize();
  await reading;
  return Readable.from([Buffer.concat(chunks)]);
}

describe.skipIf(!IS_ROOT)('applyLayerTar with the file writer thread', () => {
  let writer: FileWriter;
  const dirs: string[] = [];
  beforeAll(() => {
    writer = new FileWriter();
  });
  afterAll(async () => {
    await writer.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const apply = async (entries: Entry[]) => {
    const root = mkdtempSync(join(tmpdir(), 'berth-fw-'));
    dirs.push(root);
    const fsutil = new FsUtil(FSUTIL, root);
    try {
      return { root, result: await applyLayerTar(await tarOf(entries), root, fsutil, { writer }) };
    } finally {
      await fsutil.close();
    }
  };

  it('writes thousands of small files with owners, modes and mtimes, as the in-thread path', { timeout: 20_000 }, async () => {
    const entries: Entry[] = [{ name: 'd/', type: 'directory' }];
    for (let i = 0; i < 3000; i++) entries.push({ name: `d/f${i}`, body: `file ${i}\n`, mode: i % 2 ? 0o4755 : 0o600, uid: i % 3, gid: 7 });
    const { root, result } = await apply(entries);
    expect(result.entries).toBe(3001);
    expect(readdirSync(join(root, 'd'))).toHaveLength(3000);
    const st = statSync(join(root, 'd/f1'));
    expect(st.mode & 0o7777).toBe(0o4755);
    expect([st.uid, st.gid]).toEqual([1, 7]);
    expect(st.mtime.toISOString()).toBe('2020-01-02T03:04:05.000Z');
    expect(readFileSync(join(root, 'd/f2999'), 'utf8')).toBe('file 2999\n');
  });

  it('a hardlink to a file just handed over, and a file replaced later in the layer, see the written file', async () => {
    const { root } = await apply([
      { name: 'a', body: 'first' },
      { name: 'b', type: 'link', linkname: 'a' },
      { name: 'c', body: 'old' },
      { name: 'c', body: 'new' },
      { name: 'e', body: 'was a file' },
      { name: 'e/', type: 'directory' },
      { name: 'e/inner', body: 'x' },
    ]);
    expect(lstatSync(join(root, 'b')).ino).toBe(lstatSync(join(root, 'a')).ino);
    expect(readFileSync(join(root, 'c'), 'utf8')).toBe('new');
    expect(lstatSync(join(root, 'e')).isDirectory()).toBe(true);
  });

  it('a file under a symlink the layer made is refused, and the writer is clean for the next layer', async () => {
    await expect(apply([{ name: 'x', body: 'y' }, { name: 'l', type: 'symlink', linkname: '/tmp' }, { name: 'l/evil', body: 'z' }])).rejects.toThrow(/symlink/);
    const { root } = await apply([{ name: 'ok', body: 'fine' }]);
    expect(readFileSync(join(root, 'ok'), 'utf8')).toBe('fine');
  });
});
