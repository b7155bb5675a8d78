/**
 * kill -9 of berthd in the middle of a pull, then a restart: no partial image is listed, nothing
 * of the interrupted pull is left on disk (private temp dirs, ingests, and layers committed
 * before the image was written are swept), and the pull then succeeds.
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT, startBerthd, type BerthdHandle } from '../harness/berthd';
import { docker } from '../harness/docker-cli';
import { bigImage, pushImage, type FixtureImage } from '../harness/fixtures';
import { startRegistry, type RegistryHandle } from '../harness/registry';

async function count(dir: string): Promise<number> {
  return (await readdir(dir).catch(() => [])).length;
}

/** Starts `docker pull` without waiting; resolves with its exit code when it ends. */
function pullInBackground(d: BerthdHandle, ref: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('docker', ['pull', ref], { env: { ...process.env, DOCKER_HOST: d.dockerHost, DOCKER_CONFIG: '/tmp/berth-test-docker-config' }, stdio: 'ignore' });
    child.on('close', (code) => resolve(code ?? 1));
  });
}

async function waitUntil(probe: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function expectClean(d: BerthdHandle): Promise<void> {
  const images = await docker(d.dockerHost, ['images', '-a', '-q']);
  expect(images.code).toBe(0);
  expect(images.stdout.trim()).toBe('');
  expect((await readdir(join(d.dataRoot, 'overlay2'))).sort()).toEqual(['.tmp', 'l']);
  expect(await count(join(d.dataRoot, 'overlay2/.tmp'))).toBe(0);
  expect(await count(join(d.dataRoot, 'overlay2/l'))).toBe(0);
  expect(await count(join(d.dataRoot, 'image/overlay2/layerdb/sha256'))).toBe(0);
  expect(await count(join(d.dataRoot, 'content/ingest'))).toBe(0);
  expect(await count(join(d.dataRoot, 'content/blobs/sha256'))).toBe(0);
}

describe.skipIf(!IS_ROOT)('images: kill -9 during a pull', () => {
  let registry: RegistryHandle;
  let d: BerthdHandle;
  let img: FixtureImage;
  let ref: string;

  beforeAll(async () => {
    registry = await startRegistry();
    img = await bigImage();
    await pushImage(registry.url, 'crash/big', 'v1', img);
    ref = `${registry.host}/crash/big:v1`;
    // One download at a time: layers commit one by one, so there is a moment with committed layers and no image.
    d = await startBerthd({ config: { 'max-concurrent-downloads': 1 } });
  });
  afterAll(async () => {
    await d?.cleanup();
    await registry?.stop();
  });

  it('leaves nothing visible when killed while layers are still downloading', async () => {
    const pulling = pullInBackground(d, ref);
    await waitUntil(async () => (await count(join(d.dataRoot, 'overlay2/.tmp'))) > 0 && (await count(join(d.dataRoot, 'content/ingest'))) > 0, 'a layer download in progress');
    await d.kill();
    expect(await pulling).not.toBe(0);
    d = await d.restart();
    await expectClean(d);
  });

  it('leaves nothing visible when killed after some layers were committed but before the image', async () => {
    const pulling = pullInBackground(d, ref);
    const layerdb = join(d.dataRoot, 'image/overlay2/layerdb/sha256');
    const imagedb = join(d.dataRoot, 'image/overlay2/imagedb/content/sha256');
    await waitUntil(async () => (await count(layerdb)) >= 1, 'a committed layer');
    await d.kill();
    expect(await pulling).not.toBe(0);
    // The kill landed before the image was written (4 layers of ~28 MB, one at a time).
    expect(await count(imagedb)).toBe(0);
    expect(await count(layerdb)).toBeGreaterThanOrEqual(1);
    d = await d.restart();
    await expectClean(d);
    expect(d.logs()).toMatch(/removed layers no image references/);
  });

  it('cancels the pull and keeps nothing when the client goes away (Ctrl-C)', async () => {
    const req = request({ socketPath: d.socket, method: 'POST', path: `/v1.48/images/create?fromImage=${encodeURIComponent(`${registry.host}/crash/big`)}&tag=v1` });
    req.on('error', () => undefined);
    req.end();
    await waitUntil(async () => (await count(join(d.dataRoot, 'content/ingest'))) > 0, 'a layer download in progress');
    req.destroy();
    // The daemon notices, aborts the layer jobs and releases everything it had.
    await waitUntil(async () => (await count(join(d.dataRoot, 'content/ingest'))) === 0 && (await count(join(d.dataRoot, 'overlay2/.tmp'))) === 0, 'the cancelled pull to clean up', 30_000);
    await waitUntil(async () => (await count(join(d.dataRoot, 'image/overlay2/layerdb/sha256'))) === 0, 'committed layers to be released', 30_000);
    await expectClean(d);
  });

  it('then pulls the image completely', async () => {
    const r = await docker(d.dockerHost, ['pull', ref], { timeoutMs: 300_000 });
    expect(r.code, r.stderr).toBe(0);
    const inspect = await docker(d.dockerHost, ['image', 'inspect', '--format', '{{.Id}} {{len .RootFS.Layers}}', ref]);
    expect(inspect.stdout.trim()).toBe(`${img.configDigest} 4`);
    expect(await count(join(d.dataRoot, 'image/overlay2/layerdb/sha256'))).toBe(4);
  });
});
