/**
 * An OCI image whose top layer is zstd-compressed pulls and runs (Node 20's zlib has no zstd:
 * berthd decodes it with the zstd tool when installed, in-process otherwise); a corrupt zstd layer
 * fails the pull with the verification error and leaves nothing behind.
 */
import { execFileSync } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT, startBerthd, type BerthdHandle } from '../harness/berthd';
import { docker } from '../harness/docker-cli';
import { buildImage, busyboxLayer, makeTar, pushImage, sha256, type FixtureImage, type LayerBlob } from '../harness/fixtures';
import { corruptBlob, startRegistry, type RegistryHandle } from '../harness/registry';

async function zstdLayer(content: string): Promise<LayerBlob> {
  const tar = await makeTar([
    { name: 'etc/', type: 'directory' },
    { name: 'etc/zstd.txt', content },
    { name: 'opt/', type: 'directory' },
    { name: 'opt/filler.txt', content: 'zstd layer filler line\n'.repeat(50_000) },
  ]);
  const blob = execFileSync('zstd', ['-q', '-c', '-3'], { input: tar, maxBuffer: 64 << 20 });
  return { tgz: blob, digest: sha256(blob), diffId: sha256(tar), size: blob.length, mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd' };
}

describe.skipIf(!IS_ROOT)('images: zstd layers', () => {
  let registry: RegistryHandle;
  let d: BerthdHandle;
  let good: FixtureImage;
  let bad: FixtureImage;

  beforeAll(async () => {
    registry = await startRegistry();
    const base = await busyboxLayer('oci');
    good = buildImage({ layers: [base, await zstdLayer('hello from zstd\n')], config: { Cmd: ['sh'] }, format: 'oci' });
    bad = buildImage({ layers: [base, await zstdLayer('corrupt me\n')], config: { Cmd: ['sh'] }, format: 'oci' });
    await pushImage(registry.url, 'zstd/good', 'v1', good);
    await pushImage(registry.url, 'zstd/bad', 'v1', bad);
    await corruptBlob(registry.storageDir, bad.layers[1]!.digest);
    d = await startBerthd();
  });
  afterAll(async () => {
    await d?.cleanup();
    await registry?.stop();
  });

  it('pulls and runs an image with a zstd layer', async () => {
    const ref = `${registry.host}/zstd/good:v1`;
    const r = await docker(d.dockerHost, ['pull', ref]);
    expect(r.code, r.stderr).toBe(0);
    const run = await docker(d.dockerHost, ['run', '--rm', '--network', 'none', ref, 'cat', '/etc/zstd.txt']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('hello from zstd\n');
  });

  it('fails a corrupt zstd layer with the verification error and keeps no ingest', async () => {
    const r = await docker(d.dockerHost, ['pull', `${registry.host}/zstd/bad:v1`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`filesystem layer verification failed for digest ${bad.layers[1]!.digest}`));
    expect(await readdir(join(d.dataRoot, 'content/ingest'))).toEqual([]);
    expect(await readdir(join(d.dataRoot, 'overlay2/.tmp'))).toEqual([]);
  });
});
