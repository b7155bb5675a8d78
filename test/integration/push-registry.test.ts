/**
 * `docker push` through berthd to a second loopback registry: the busybox image pulled from one
 * registry is tagged and pushed to another; the manifest, config and every blob read back over
 * the registry HTTP API match what berthd holds; a second push reports `Layer already exists`;
 * RepoDigests gains the pushed digest. A multi-layer image whose compressed blobs are gone is
 * pushed by regenerating its layers from the overlay diffs (whiteout and opaque dir converted
 * back), and a fresh berthd can pull it back and sees the same files.
 */
import { createHash } from 'node:crypto';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT, engineRequest, startBerthd, type BerthdHandle } from '../harness/berthd';
import { docker } from '../harness/docker-cli';
import { busyboxImage, getManifest, multiLayerImage, pushImage } from '../harness/fixtures';
import { startRegistry, type RegistryHandle } from '../harness/registry';

const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function getBlob(registry: RegistryHandle, repo: string, digest: string): Promise<Buffer> {
  const res = await fetch(`${registry.url}/v2/${repo}/blobs/${digest}`);
  expect(res.status, `blob ${digest}`).toBe(200);
  return Buffer.from(await res.arrayBuffer());
}

async function tarEntries(tgz: Buffer): Promise<Map<string, { type: string; mode: number; body: string }>> {
  const out = new Map<string, { type: string; mode: number; body: string }>();
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (h, s, next) => {
      const chunks: Buffer[] = [];
      s.on('data', (d: unknown) => chunks.push(d as Buffer));
      s.on('end', () => {
        out.set(h.name, { type: h.type, mode: h.mode, body: Buffer.concat(chunks).toString() });
        next();
      });
    });
    ex.on('finish', () => resolve());
    ex.on('error', reject);
  });
  ex.end(gunzipSync(tgz));
  await done;
  return out;
}

function pushLines(stdout: string): string[] {
  return stdout.split('\n').map((l) => l.trim()).filter((l) => l !== '');
}

describe.skipIf(!IS_ROOT)('docker push', () => {
  let source: RegistryHandle;
  let target: RegistryHandle;
  let d: BerthdHandle;
  const startedAt = Math.floor(Date.now() / 1000) - 1;

  beforeAll(async () => {
    source = await startRegistry();
    target = await startRegistry();
    await pushImage(source.url, 'library/busybox', 'latest', await busyboxImage());
    await pushImage(source.url, 'multi/layers', 'v1', await multiLayerImage());
    d = await startBerthd();
    const pulled = await docker(d.dockerHost, ['pull', `${source.host}/library/busybox:latest`]);
    expect(pulled.code, pulled.stderr).toBe(0);
  });
  afterAll(async () => {
    await d?.cleanup();
    await source?.stop();
    await target?.stop();
  });

  it('refuses to push a tag that does not exist locally', async () => {
    const r = await docker(d.dockerHost, ['push', `${target.host}/nothing:here`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`The push refers to repository [${target.host}/nothing]`);
    expect(r.stderr + r.stdout).toContain(`An image does not exist locally with the tag: ${target.host}/nothing`);
  });

  it('pushes a busybox image; the registry serves back exactly what berthd holds', async () => {
    const ref = `${target.host}/busybox:v1`;
    expect((await docker(d.dockerHost, ['tag', `${source.host}/library/busybox:latest`, ref])).code).toBe(0);
    const r = await docker(d.dockerHost, ['push', ref]);
    expect(r.code, r.stderr).toBe(0);
    const lines = pushLines(r.stdout);
    expect(lines[0]).toBe(`The push refers to repository [${target.host}/busybox]`);
    const inspect = JSON.parse((await docker(d.dockerHost, ['image', 'inspect', ref])).stdout)[0] as { Id: string; RootFS: { Layers: string[] }; RepoDigests: string[] };
    const layerId = (inspect.RootFS.Layers[0] as string).slice(7, 19);
    expect(lines).toContain(`${layerId}: Pushed`);
    const digestLine = lines.find((l) => l.startsWith('v1: digest: '));
    const m = /^v1: digest: (sha256:[0-9a-f]{64}) size: (\d+)$/.exec(digestLine ?? '');
    expect(m, r.stdout).not.toBeNull();
    const digest = m?.[1] as string;

    // Pull it back by digest over the registry API and compare with berthd's image.
    const manifest = await getManifest(target.url, 'busybox', digest);
    expect(manifest.status).toBe(200);
    expect(sha(manifest.body)).toBe(digest);
    expect(manifest.body.length).toBe(Number(m?.[2]));
    const doc = JSON.parse(manifest.body.toString()) as { config: { digest: string; size: number }; layers: { digest: string; size: number; mediaType: string }[] };
    expect(doc.config.digest).toBe(inspect.Id);
    const config = await getBlob(target, 'busybox', doc.config.digest);
    expect(sha(config)).toBe(inspect.Id);
    expect((JSON.parse(config.toString()) as { rootfs: { diff_ids: string[] } }).rootfs.diff_ids).toEqual(inspect.RootFS.Layers);
    for (const [i, l] of doc.layers.entries()) {
      const blob = await getBlob(target, 'busybox', l.digest);
      expect(sha(blob)).toBe(l.digest);
      expect(blob.length).toBe(l.size);
      expect(sha(gunzipSync(blob))).toBe(inspect.RootFS.Layers[i]);
      // Same bytes as the source registry holds: the pulled blob went up unchanged.
      expect(sha(await getBlob(source, 'library/busybox', l.digest))).toBe(l.digest);
    }

    // dockerd records the pushed digest on the image.
    const after = JSON.parse((await docker(d.dockerHost, ['image', 'inspect', ref])).stdout)[0] as { RepoDigests: string[] };
    expect(after.RepoDigests).toContain(`${target.host}/busybox@${digest}`);
  });

  it('says Layer already exists on a second push, with the same digest', async () => {
    const ref = `${target.host}/busybox:v1`;
    const first = (await docker(d.dockerHost, ['image', 'inspect', ref, '--format', '{{json .RepoDigests}}'])).stdout;
    const r = await docker(d.dockerHost, ['push', ref]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/[0-9a-f]{12}: Layer already exists/);
    expect(r.stdout).not.toContain('Pushed');
    const digest = /v1: digest: (sha256:[0-9a-f]{64})/.exec(r.stdout)?.[1];
    expect(first).toContain(`${target.host}/busybox@${digest}`);
    const ev = await docker(d.dockerHost, ['events', '--since', String(startedAt), '--until', String(Math.ceil(Date.now() / 1000) + 1), '--filter', 'type=image', '--filter', 'event=push', '--format', '{{.Actor.ID}}']);
    expect(ev.code, ev.stderr).toBe(0);
    expect(ev.stdout).toContain(`${target.host}/busybox:v1`);
  });

  it('answers the Engine API stream shape, ending with the aux record', async () => {
    const r = await engineRequest(d.socket, 'POST', `/v1.48/images/${encodeURIComponent(`${target.host}/busybox`)}/push?tag=v1`, undefined, { 'X-Registry-Auth': Buffer.from('{}').toString('base64') });
    expect(r.status).toBe(200);
    const msgs = r.body.split('\r\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(msgs[0]).toEqual({ status: `The push refers to repository [${target.host}/busybox]` });
    expect(msgs.some((x) => x.status === 'Preparing' && typeof x.id === 'string' && (x.progressDetail as object) !== undefined)).toBe(true);
    const last = msgs[msgs.length - 1] as { aux: { Tag: string; Digest: string; Size: number } };
    expect(last.aux.Tag).toBe('v1');
    expect(last.aux.Digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(msgs[msgs.length - 2]).toEqual({ status: `v1: digest: ${last.aux.Digest} size: ${last.aux.Size}` });
  });

  it('mounts blobs from a repository of the same registry that has them', async () => {
    const ref = `${target.host}/copy/busybox:latest`;
    expect((await docker(d.dockerHost, ['tag', `${target.host}/busybox:v1`, ref])).code).toBe(0);
    const r = await docker(d.dockerHost, ['push', ref]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/[0-9a-f]{12}: Mounted from busybox/);
  });

  it('regenerates layers whose blobs are gone from the overlay diffs, whiteouts included; a fresh berthd pulls the result', async () => {
    const srcRef = `${source.host}/multi/layers:v1`;
    const pulled = await docker(d.dockerHost, ['pull', srcRef]);
    expect(pulled.code, pulled.stderr).toBe(0);
    const inspect = JSON.parse((await docker(d.dockerHost, ['image', 'inspect', srcRef])).stdout)[0] as { RootFS: { Layers: string[] } };
    // Lose every compressed blob berthd kept (as if garbage-collected), so push must rebuild them.
    const blobsDir = join(d.dataRoot, 'content/blobs/sha256');
    for (const hex of await readdir(blobsDir)) await rm(join(blobsDir, hex), { force: true });

    const ref = `${target.host}/multi:regen`;
    expect((await docker(d.dockerHost, ['tag', srcRef, ref])).code).toBe(0);
    const r = await docker(d.dockerHost, ['push', ref]);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const digest = /regen: digest: (sha256:[0-9a-f]{64})/.exec(r.stdout)?.[1] as string;
    const manifest = await getManifest(target.url, 'multi', digest);
    const doc = JSON.parse(manifest.body.toString()) as { config: { digest: string }; layers: { digest: string }[] };
    expect(doc.layers).toHaveLength(3);
    const config = JSON.parse((await getBlob(target, 'multi', doc.config.digest)).toString()) as { rootfs: { diff_ids: string[] } };
    const top = await getBlob(target, 'multi', (doc.layers[2] as { digest: string }).digest);
    // The pushed image is self-consistent: each layer decompresses to its config diffID.
    for (const [i, l] of doc.layers.entries()) {
      expect(sha(gunzipSync(await getBlob(target, 'multi', l.digest)))).toBe(config.rootfs.diff_ids[i]);
    }
    expect(config.rootfs.diff_ids).toHaveLength(inspect.RootFS.Layers.length);
    const entries = await tarEntries(top);
    expect(entries.get('data/.wh.gone')).toMatchObject({ type: 'file', body: '' });
    expect(entries.has('data/opq/.wh..wh..opq')).toBe(true);
    expect(entries.get('data/opq/c.txt')?.body).toBe('c\n');
    expect(entries.get('etc/motd')?.body).toBe('v2\n');

    // A fresh daemon pulls it back by digest and sees the whiteouts applied.
    const fresh = await startBerthd();
    try {
      const back = await docker(fresh.dockerHost, ['pull', `${target.host}/multi@${digest}`]);
      expect(back.code, back.stderr).toBe(0);
      const img = JSON.parse((await docker(fresh.dockerHost, ['image', 'inspect', `${target.host}/multi@${digest}`])).stdout)[0] as { GraphDriver: { Data: { UpperDir: string; LowerDir?: string } } };
      const upper = img.GraphDriver.Data.UpperDir;
      expect(await readdir(join(upper, 'data/opq'))).toEqual(['c.txt']);
    } finally {
      await fresh.cleanup();
    }
  });
});
