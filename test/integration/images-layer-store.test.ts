/**
 * The overlay2 layer store on the real kernel (root): a layer tar keeps numeric owners, modes
 * (setuid included), mtimes, xattrs, hardlinks, symlinks, fifos and device nodes; entries that
 * replace earlier ones work; committing builds the overlay2 layout (link, lower, work, l/ links,
 * committed); reference counts delete exactly the unreferenced layers; a container RW layer
 * (`<mountId>-init` + `<mountId>`) mounts as a working overlay and is removed cleanly.
 */
import { execFileSync } from 'node:child_process';
import { lstat, mkdtemp, readFile, readdir, readlink, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pino } from 'pino';
import { pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LayerStore, overlayMountOptions } from '../../helper/src/store/layers/layer-store';
import { chainId } from '../../helper/src/store/layers/chain-id';
import { IS_ROOT, REPO_ROOT } from '../harness/berthd';

const FSUTIL = join(REPO_ROOT, 'helper/native/build/berth-fsutil');
const MTIME = new Date('2021-02-03T04:05:06Z');

interface Entry {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'fifo' | 'character-device';
  mode?: number;
  uid?: number;
  gid?: number;
  content?: string;
  linkname?: string;
  devmajor?: number;
  devminor?: number;
  pax?: Record<string, string>;
}

async function tarOf(entries: Entry[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => chunks.push(c as Buffer));
  const ended = new Promise<void>((r) => p.on('end', () => r()));
  for (const e of entries) {
    const type = e.type ?? 'file';
    const body = type === 'file' ? Buffer.from(e.content ?? '') : undefined;
    const header = { name: e.name, type, mode: e.mode ?? (type === 'directory' ? 0o755 : 0o644), uid: e.uid ?? 0, gid: e.gid ?? 0, mtime: MTIME, linkname: e.linkname, devmajor: e.devmajor, devminor: e.devminor, pax: e.pax, ...(body ? { size: body.length } : {}) };
    await new Promise<void>((res, rej) => (body ? p.entry(header, body, (err) => (err ? rej(err) : res())) : p.entry(header, (err) => (err ? rej(err) : res()))));
  }
  p.finalize();
  await ended;
  return Buffer.concat(chunks);
}

const sha = (b: Buffer): string => `sha256:${execFileSync('sha256sum', { input: b, encoding: 'utf8' }).split(' ')[0]}`;

describe.skipIf(!IS_ROOT)('overlay2 layer store on the real kernel', () => {
  let root: string;
  let store: LayerStore;

  beforeAll(async () => {
    execFileSync('node', [join(REPO_ROOT, 'scripts/build-native.mjs'), '--if-stale']);
    root = await mkdtemp(join(tmpdir(), 'berth-layers-'));
    store = new LayerStore({ dataRoot: root, fsutilBinary: FSUTIL, log: pino({ level: 'silent' }) });
    await store.init();
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function addLayer(parent: string | undefined, entries: Entry[]): Promise<string> {
    const tar = await tarOf(entries);
    const ingest = await store.prepare();
    const { size } = await ingest.apply(Readable.from([tar]));
    const { layer } = await ingest.commit(parent, sha(tar), size);
    return layer.chainId;
  }

  it('keeps owners, modes, mtimes, xattrs, links, fifos and devices', async () => {
    const base = await addLayer(undefined, [
      { name: 'bin/', type: 'directory', mode: 0o755 },
      { name: 'bin/tool', mode: 0o4755, uid: 0, gid: 0, content: 'x', pax: { 'SCHILY.xattr.user.berth': 'hello' } },
      { name: 'bin/tool-link', type: 'link', linkname: 'bin/tool' },
      { name: 'bin/sh', type: 'symlink', linkname: '/bin/tool', uid: 1000, gid: 1001 },
      { name: 'home/app/', type: 'directory', mode: 0o700, uid: 1000, gid: 1000 },
      { name: 'home/app/f', mode: 0o600, uid: 1000, gid: 1000, content: 'secret' },
      { name: 'dev/', type: 'directory' },
      { name: 'dev/null', type: 'character-device', mode: 0o666, devmajor: 1, devminor: 3 },
      { name: 'run/pipe', type: 'fifo', mode: 0o620 },
      { name: 'etc/replaced', content: 'first' },
      { name: 'etc/replaced', content: 'second' },
      { name: 'etc/dir-then-file/', type: 'directory' },
      { name: 'etc/dir-then-file/inner', content: 'gone' },
      { name: 'etc/dir-then-file', content: 'now a file' },
    ]);
    const diff = store.diffDir(base);
    const tool = await stat(join(diff, 'bin/tool'));
    expect(tool.mode & 0o7777).toBe(0o4755);
    expect(tool.mtime.getTime()).toBe(MTIME.getTime());
    expect((await stat(join(diff, 'bin/tool-link'))).ino).toBe(tool.ino);
    const xattr = execFileSync(join(REPO_ROOT, 'helper/native/build/berth-getxattr'), [diff, 'user.berth'], { input: 'bin/tool\0', encoding: 'utf8' });
    expect(Buffer.from(xattr.trim(), 'hex').toString()).toBe('hello');
    const sh = await lstat(join(diff, 'bin/sh'));
    expect(sh.isSymbolicLink()).toBe(true);
    expect([sh.uid, sh.gid]).toEqual([1000, 1001]);
    expect(await readlink(join(diff, 'bin/sh'))).toBe('/bin/tool');
    const home = await stat(join(diff, 'home/app'));
    expect([home.uid, home.gid, home.mode & 0o777]).toEqual([1000, 1000, 0o700]);
    expect(home.mtime.getTime()).toBe(MTIME.getTime());
    const dev = await lstat(join(diff, 'dev/null'));
    expect(dev.isCharacterDevice()).toBe(true);
    expect(dev.rdev).toBe((1 << 8) | 3);
    expect((await lstat(join(diff, 'run/pipe'))).isFIFO()).toBe(true);
    expect(await readFile(join(diff, 'etc/replaced'), 'utf8')).toBe('second');
    expect(await readFile(join(diff, 'etc/dir-then-file'), 'utf8')).toBe('now a file');
    // Implicit parents are 0755 root directories.
    expect((await stat(join(diff, 'run'))).mode & 0o777).toBe(0o755);
  });

  it('builds the overlay2 layout and counts references per chain', async () => {
    const a = await addLayer(undefined, [{ name: 'a.txt', content: 'a' }]);
    const b = await addLayer(a, [{ name: 'b.txt', content: 'b' }]);
    const la = store.get(a)!;
    const lb = store.get(b)!;
    expect(b).toBe(chainId(a, lb.diffId));
    const ov = join(root, 'overlay2');
    expect((await readFile(join(ov, lb.cacheId, 'link'), 'utf8')).trim()).toBe(lb.link);
    expect(await readFile(join(ov, lb.cacheId, 'lower'), 'utf8')).toBe(`l/${la.link}`);
    expect((await stat(join(ov, lb.cacheId, 'work'))).isDirectory()).toBe(true);
    expect(await readlink(join(ov, 'l', la.link))).toBe(`../${la.cacheId}/diff`);
    expect((await stat(join(ov, la.cacheId, 'committed'))).isFile()).toBe(true);
    expect((await readFile(join(root, 'image/overlay2/layerdb/sha256', b.slice(7), 'parent'), 'utf8')).trim()).toBe(a);
    // a: held by its creator and by its child b.
    expect(store.refCount(a)).toBe(2);
    expect(await store.release(a)).toEqual([]);
    expect(await store.release(b)).toEqual([b, a]);
    expect(store.has(a) || store.has(b)).toBe(false);
    expect(await readdir(join(ov, 'l'))).not.toContain(la.link);
  });

  it('creates, mounts and removes a container read-write layer', async () => {
    const img = await addLayer(undefined, [
      { name: 'etc/', type: 'directory' },
      { name: 'etc/os', content: 'berth' },
    ]);
    const m = await store.createRwLayer('c0ffee', img);
    expect(m.lowerDirs[0]).toBe(join(root, 'overlay2', `${m.mountId}-init`, 'diff'));
    expect(m.lowerDirs[1]).toBe(store.diffDir(img));
    expect(await readFile(join(m.lowerDirs[0]!, 'etc/hosts'), 'utf8')).toBe('');
    expect((await stat(join(m.lowerDirs[0]!, 'dev/pts'))).isDirectory()).toBe(true);
    expect(store.refCount(img)).toBe(2);
    const { options, cwd } = overlayMountOptions(m);
    execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', options, m.mergedDir], cwd ? { cwd } : {});
    try {
      expect(await readFile(join(m.mergedDir, 'etc/os'), 'utf8')).toBe('berth');
      await writeFile(join(m.mergedDir, 'etc/os'), 'changed');
      expect(await readFile(join(m.upperDir, 'etc/os'), 'utf8')).toBe('changed');
      expect(await readFile(join(store.diffDir(img), 'etc/os'), 'utf8')).toBe('berth');
    } finally {
      execFileSync('umount', [m.mergedDir]);
    }
    // A restarted store finds the RW layer again, and it still holds the image layer.
    const again = new LayerStore({ dataRoot: root, fsutilBinary: FSUTIL, log: pino({ level: 'silent' }) });
    await again.init();
    expect(again.getRwLayer('c0ffee')?.upperDir).toBe(m.upperDir);
    expect(again.refCount(img)).toBe(1);
    await again.removeRwLayer('c0ffee');
    expect(await readdir(join(root, 'overlay2'))).not.toContain(m.mountId);
    expect(again.refCount(img)).toBe(0);
  });
});
