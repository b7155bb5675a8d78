/**
 * Hostile input never leaves anything behind: a layer blob altered on the registry's disk fails
 * the pull with a digest error and no image, layer or blob remains; layer tars that try to escape
 * (`..`, absolute paths, a symlink to /tmp then a file through it, a hardlink to /etc/shadow)
 * are refused without writing outside the data root; malformed JSON and filters get 400 and
 * berthd keeps serving.
 */
import { execFileSync } from 'node:child_process';
import { lstat, readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT, engineRequest, ping, startBerthd, type BerthdHandle } from '../harness/berthd';
import { docker } from '../harness/docker-cli';
import { buildImage, busyboxLayer, makeLayer, hostileLayerImage, multiLayerImage, pushImage, sha256, type HostileKind, type LayerBlob } from '../harness/fixtures';
import { corruptBlob, startRegistry, type RegistryHandle } from '../harness/registry';

async function exists(p: string): Promise<boolean> {
  return lstat(p).then(
    () => true,
    () => false,
  );
}

/** Every path under `dir` (relative), for before/after comparisons. */
function tree(dir: string): string[] {
  return execFileSync('find', [dir, '-mindepth', '1', '-printf', '%P\\n'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).sort();
}

/** The data root holds no image, layer, blob or leftover temp file. */
async function expectNothingStored(d: BerthdHandle): Promise<void> {
  const r = await docker(d.dockerHost, ['images', '-q']);
  expect(r.stdout.trim()).toBe('');
  expect((await readdir(join(d.dataRoot, 'overlay2'))).sort()).toEqual(['.tmp', 'l']);
  expect(await readdir(join(d.dataRoot, 'overlay2/.tmp'))).toEqual([]);
  expect(await readdir(join(d.dataRoot, 'overlay2/l'))).toEqual([]);
  expect(await readdir(join(d.dataRoot, 'image/overlay2/layerdb/sha256'))).toEqual([]);
  expect(await readdir(join(d.dataRoot, 'image/overlay2/imagedb/content/sha256'))).toEqual([]);
  expect(await readdir(join(d.dataRoot, 'content/blobs/sha256'))).toEqual([]);
  expect(await readdir(join(d.dataRoot, 'content/ingest'))).toEqual([]);
}

describe.skipIf(!IS_ROOT)('images: hostile registries and layers', () => {
  let registry: RegistryHandle;
  let d: BerthdHandle;

  beforeAll(async () => {
    registry = await startRegistry();
    d = await startBerthd();
  });
  afterAll(async () => {
    await d?.cleanup();
    await registry?.stop();
  });

  it('fails a pull whose layer blob was altered on the registry disk, and keeps nothing of it', async () => {
    const img = await multiLayerImage();
    await pushImage(registry.url, 'evil/corrupt', 'v1', img);
    await corruptBlob(registry.storageDir, img.layers[1]!.digest);
    const r = await docker(d.dockerHost, ['pull', `${registry.host}/evil/corrupt:v1`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`filesystem layer verification failed for digest ${img.layers[1]!.digest}`));
    await expectNothingStored(d);
    // The healthy base layer was downloaded in parallel and committed, then released with the failed pull.
    expect(d.logs()).not.toMatch(/"level":50/);
  });

  it.each<HostileKind>(['dotdot', 'absolute', 'symlink', 'hardlink'])('refuses a %s layer without writing outside the data root', async (kind) => {
    const { image, escapeName } = await hostileLayerImage(kind);
    await pushImage(registry.url, `evil/${kind}`, 'v1', image);
    const testDir = dirname(d.dataRoot);
    const outside = (await readdir(testDir)).sort();
    const shadow = await stat('/etc/shadow');
    const tmpBefore = (await readdir('/tmp')).filter((n) => n.startsWith('berth-escape')).sort();

    const r = await docker(d.dockerHost, ['pull', `${registry.host}/evil/${kind}:v1`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refusing layer entry/);

    expect((await readdir(testDir)).sort()).toEqual(outside);
    expect((await readdir('/tmp')).filter((n) => n.startsWith('berth-escape')).sort()).toEqual(tmpBefore);
    if (kind === 'absolute' || kind === 'symlink') expect(await exists(escapeName)).toBe(false);
    const after = await stat('/etc/shadow');
    expect(after.nlink).toBe(shadow.nlink);
    expect(after.mtimeMs).toBe(shadow.mtimeMs);
    // No file anywhere in the data root is the host's shadow file.
    const sameInode = execFileSync('find', [d.dataRoot, '-xdev', '-inum', String(shadow.ino)], { encoding: 'utf8' }).trim();
    expect(sameInode).toBe('');
    expect(tree(d.dataRoot).filter((p) => p.includes('berth-escape'))).toEqual([]);
    await expectNothingStored(d);
  });

  // The manifest's digest and size describe the damaged blob exactly, so the bytes arrive intact and
  // only inflating them can fail: that must be the verification error, from any size of blob.
  it.each([
    ['truncated to 10 bytes', (t: Buffer) => t.subarray(0, 10)],
    ['truncated to 100 bytes', (t: Buffer) => t.subarray(0, 100)],
    ['truncated by its last 8 bytes', (t: Buffer) => t.subarray(0, t.length - 8)],
    ['truncated to half', (t: Buffer) => t.subarray(0, t.length >> 1)],
    ['with a flipped byte mid-stream', (t: Buffer) => Buffer.concat([t.subarray(0, t.length >> 1), Buffer.from([t[t.length >> 1]! ^ 0xff]), t.subarray((t.length >> 1) + 1)])],
    ['that is not gzip at all', () => Buffer.from('not a gzip stream at all\n')],
  ])('fails a pull whose gzip layer is %s with the verification error and leaves no ingest file', async (label, damage) => {
    const good = await busyboxLayer();
    const tgz = damage(good.tgz);
    const bad: LayerBlob = { ...good, tgz, digest: sha256(tgz), size: tgz.length };
    const repo = `evil/gz-${label.replace(/[^a-z0-9]+/g, '-')}`;
    await pushImage(registry.url, repo, 'v1', buildImage({ layers: [bad] }));
    for (let attempt = 0; attempt < 2; attempt++) {
      const r = await docker(d.dockerHost, ['pull', `${registry.host}/${repo}:v1`]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`filesystem layer verification failed for digest ${bad.digest}`));
      expect(r.stderr).not.toMatch(/worker died/);
      await expectNothingStored(d);
    }
    expect(await ping(d.socket)).toBe(true);
  });

  // A small layer cut at every few bytes, through its header, deflate data and trailer: a cut inside
  // the deflate data used to end the layer worker ("layer worker died") and leak an ingest file.
  it('fails every truncation of a small gzip layer with the verification error and leaves no ingest file', async () => {
    const layer = await makeLayer([{ name: 'hello.txt', content: 'hello\n'.repeat(200) }]);
    const cuts = [...new Set([...Array.from({ length: layer.size }, (_, i) => i).filter((i) => i % 5 === 1), ...Array.from({ length: 30 }, (_, i) => layer.size - 1 - i)])];
    for (const keep of cuts.filter((n) => n > 0)) {
      const tgz = layer.tgz.subarray(0, keep);
      const bad: LayerBlob = { ...layer, tgz, digest: sha256(tgz), size: tgz.length };
      await pushImage(registry.url, `evil/cut${keep}`, 'v1', buildImage({ layers: [bad] }));
      const r = await docker(d.dockerHost, ['pull', `${registry.host}/evil/cut${keep}:v1`]);
      expect(r.code, `cut at ${keep}`).toBe(1);
      expect(r.stderr, `cut at ${keep}`).toMatch(new RegExp(`filesystem layer verification failed for digest ${bad.digest}`));
      expect(await readdir(join(d.dataRoot, 'content/ingest')), `cut at ${keep}`).toEqual([]);
    }
    await expectNothingStored(d);
    expect(d.logs()).not.toMatch(/layer worker died/);
  }, 120_000);

  it('answers malformed JSON and filters with 400 and keeps serving', async () => {
    const cases: [string, string, string | undefined][] = [
      ['GET', '/v1.48/images/json?filters=%7Bnot-json', undefined],
      ['POST', '/v1.48/images/prune?filters=%5B1', undefined],
      ['GET', '/v1.48/images/json?filters=%7B%22bogus%22%3A%5B%22x%22%5D%7D', undefined],
      ['POST', '/v1.48/auth', '{"username": '],
      ['PUT', '/berth/v1/config/mirrors', '{"registryMirrors": [}'],
      ['POST', `/v1.48/images/${registry.host}/evil/x/tag?repo=UPPER&tag=x`, undefined],
    ];
    for (const [method, path, body] of cases) {
      const r = await engineRequest(d.socket, method, path, body);
      expect(r.status, `${method} ${path}: ${r.body}`).toBeLessThan(500);
      expect([400, 404], `${method} ${path}: ${r.body}`).toContain(r.status);
      expect(JSON.parse(r.body)).toHaveProperty('message');
    }
    // Routes that take JSON bodies owned by other engines: never a 500 for bad JSON.
    for (const path of ['/v1.48/containers/create', '/v1.48/containers/x/exec', '/v1.48/exec/x/start']) {
      const r = await engineRequest(d.socket, 'POST', path, '{"Image": ');
      expect(r.status, `${path}: ${r.body}`).toBeLessThan(500);
    }
    // Malformed percent-escapes and `//` in the path: the client's error, never a 500.
    for (const path of ['/v1.48/containers/%E0%A4%A/json', '/v1.48/images/%ZZ/json', '//', '//x/containers/json']) {
      const r = await engineRequest(d.socket, 'GET', path);
      expect([400, 404], `${path}: ${r.status} ${r.body}`).toContain(r.status);
      if (path.includes('%')) expect(r.status, path).toBe(400);
    }
    expect(await ping(d.socket)).toBe(true);
    expect((await docker(d.dockerHost, ['images'])).code).toBe(0);
  });
});
