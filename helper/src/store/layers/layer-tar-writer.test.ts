import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { link, mkdir, mkdtemp, rm, symlink, utimes, writeFile, chmod, chown } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extract } from 'tar-stream';
import { XattrReader } from '../../platform/xattr-reader';
import { EXPORT_XATTRS, exportLayerTar, type XattrSource } from './layer-tar-writer';

const IS_ROOT = process.getuid?.() === 0;

interface Row {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  size: number;
  linkname: string | null;
  mtime: number;
  devmajor: number;
  devminor: number;
  body: string;
}

async function collect(stream: NodeJS.ReadableStream): Promise<{ rows: Row[]; tar: Buffer }> {
  const chunks: Buffer[] = [];
  for await (const c of stream as AsyncIterable<Buffer>) chunks.push(c);
  const tar = Buffer.concat(chunks);
  const rows: Row[] = [];
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (h, s, next) => {
      const body: Buffer[] = [];
      s.on('data', (d: unknown) => body.push(d as Buffer));
      s.on('end', () => {
        rows.push({ name: h.name, type: h.type, mode: h.mode, uid: h.uid, gid: h.gid, size: h.size, linkname: h.linkname ?? null, mtime: h.mtime.getTime(), devmajor: h.devmajor, devminor: h.devminor, body: Buffer.concat(body).toString() });
        next();
      });
    });
    ex.on('finish', () => resolve());
    ex.on('error', reject);
  });
  ex.end(tar);
  await done;
  return { rows, tar };
}

function fakeXattrs(values: Record<string, Partial<Record<(typeof EXPORT_XATTRS)[number], Buffer>>>): XattrSource & { closed: boolean } {
  const src = {
    closed: false,
    get: async (rel: string) => EXPORT_XATTRS.map((n) => values[rel]?.[n]),
    close: async () => {
      src.closed = true;
    },
  };
  return src;
}

describe('exportLayerTar', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-export-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes files, dirs, symlinks and hardlinks in sorted order with numeric owners', async () => {
    const root = join(dir, 'plain');
    await mkdir(join(root, 'etc/sub'), { recursive: true });
    await mkdir(join(root, 'bin'));
    await writeFile(join(root, 'etc/motd'), 'hello\n');
    await writeFile(join(root, 'bin/busybox'), 'BB');
    await chmod(join(root, 'bin/busybox'), 0o4755);
    await link(join(root, 'bin/busybox'), join(root, 'bin/sh'));
    await symlink('busybox', join(root, 'bin/ls'));
    if (IS_ROOT) await chown(join(root, 'etc/motd'), 1234, 5678);
    for (const p of ['etc/motd', 'etc/sub', 'etc', 'bin/busybox', 'bin']) await utimes(join(root, p), 1_700_000_000.75, 1_700_000_000.75);
    const xattrs = fakeXattrs({});
    const { rows } = await collect(exportLayerTar(root, xattrs));
    expect(rows.map((r) => [r.name, r.type])).toEqual([
      ['bin/', 'directory'],
      ['bin/busybox', 'file'],
      ['bin/ls', 'symlink'],
      ['bin/sh', 'link'],
      ['etc/', 'directory'],
      ['etc/motd', 'file'],
      ['etc/sub/', 'directory'],
    ]);
    const byName = new Map(rows.map((r) => [r.name, r]));
    expect(byName.get('bin/busybox')).toMatchObject({ mode: 0o4755, size: 2, body: 'BB', mtime: 1_700_000_000_000 });
    expect(byName.get('bin/sh')).toMatchObject({ linkname: 'bin/busybox', size: 0 });
    expect(byName.get('bin/ls')?.linkname).toBe('busybox');
    expect(byName.get('etc/motd')?.body).toBe('hello\n');
    if (IS_ROOT) expect(byName.get('etc/motd')).toMatchObject({ uid: 1234, gid: 5678 });
    expect(xattrs.closed).toBe(true);
  });

  it('is deterministic: the same diff gives the same bytes', async () => {
    const root = join(dir, 'plain');
    const a = await collect(exportLayerTar(root, fakeXattrs({})));
    const b = await collect(exportLayerTar(root, fakeXattrs({})));
    expect(createHash('sha256').update(a.tar).digest('hex')).toBe(createHash('sha256').update(b.tar).digest('hex'));
  });

  it('turns an opaque directory into a .wh..wh..opq entry', async () => {
    const root = join(dir, 'opaque');
    await mkdir(join(root, 'data/opq'), { recursive: true });
    await writeFile(join(root, 'data/opq/new'), 'n');
    await chmod(join(root, 'data/opq'), 0o750);
    await writeFile(join(root, 'ping'), 'p');
    const { rows } = await collect(exportLayerTar(root, fakeXattrs({ 'data/opq': { 'trusted.overlay.opaque': Buffer.from('y') } })));
    expect(rows.map((r) => r.name)).toEqual(['data/', 'data/opq/', 'data/opq/.wh..wh..opq', 'data/opq/new', 'ping']);
    expect(rows[2]).toMatchObject({ type: 'file', size: 0, mode: 0o750 });
  });

  it.skipIf(!IS_ROOT)('turns 0/0 character devices into .wh. files and keeps other devices and fifos', async () => {
    const root = join(dir, 'whiteouts');
    await mkdir(join(root, 'etc'), { recursive: true });
    execFileSync('mknod', [join(root, 'etc/gone'), 'c', '0', '0']);
    execFileSync('mknod', [join(root, 'null'), 'c', '1', '3']);
    execFileSync('mknod', [join(root, 'sda'), 'b', '8', '0']);
    execFileSync('mknod', [join(root, 'pipe'), 'p']);
    const { rows } = await collect(exportLayerTar(root, fakeXattrs({})));
    const byName = new Map(rows.map((r) => [r.name, r]));
    expect(byName.get('etc/.wh.gone')).toMatchObject({ type: 'file', size: 0, mode: 0o600 });
    expect(byName.has('etc/gone')).toBe(false);
    expect(byName.get('null')).toMatchObject({ type: 'character-device', devmajor: 1, devminor: 3 });
    expect(byName.get('sda')).toMatchObject({ type: 'block-device', devmajor: 8, devminor: 0 });
    expect(byName.get('pipe')?.type).toBe('fifo');
  });

  it('fails the stream when the diff cannot be read', async () => {
    await expect(collect(exportLayerTar(join(dir, 'missing'), fakeXattrs({})))).rejects.toThrow(/ENOENT/);
  });
});

describe.skipIf(!IS_ROOT)('XattrReader (berth-getxattr)', () => {
  let dir: string;
  let bin: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-xattr-'));
    bin = join(dir, 'berth-getxattr');
    execFileSync('cc', ['-O2', '-std=gnu11', '-Wall', '-Wextra', '-Werror', '-static', '-o', bin, join(import.meta.dirname, '../../../native/berth-getxattr.c')]);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads xattrs set by the kernel and reports absent ones', async () => {
    const root = join(dir, 'root');
    await mkdir(join(root, 'opq'), { recursive: true });
    await writeFile(join(root, 'f'), 'x');
    // Node cannot set xattrs either: a throwaway lsetxattr program stands in for the layer store's fsutil.
    execFileSync('cc', ['-O2', '-std=gnu11', '-o', join(dir, 'setx'), '-x', 'c', '-'], {
      input: '#include <sys/xattr.h>\nint main(int c,char**v){return c<4?2:lsetxattr(v[1],v[2],v[3],__builtin_strlen(v[3]),0)!=0;}\n',
    });
    execFileSync(join(dir, 'setx'), [join(root, 'opq'), 'trusted.overlay.opaque', 'y']);
    const reader = new XattrReader(bin, root, EXPORT_XATTRS);
    try {
      expect(await reader.get('opq')).toEqual([Buffer.from('y')]);
      expect(await reader.get('f')).toEqual([undefined]);
      await expect(reader.get('../etc')).rejects.toThrow('errno 1');
      await expect(reader.get('nope')).rejects.toThrow('errno 2');
      expect(await reader.get('')).toEqual([undefined]);
    } finally {
      await reader.close();
    }
  });
});
