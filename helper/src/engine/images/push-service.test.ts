import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DAEMON_CONFIG } from '../../config/daemon-config';
import { createLogger } from '../../lib/logger';
import type { RegistryClient } from '../../registry/registry-client';
import type { ImageRecord } from '../../store/images/image-store';
import { PushService, rewriteDiffIds, type PushEvent } from './push-service';

const sha = (b: Buffer | string): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const GZ = 'application/vnd.docker.image.rootfs.diff.tar.gzip';

/** An in-memory registry session recording calls; `present` blobs answer HEAD. */
function fakeRegistry(present: Set<string>) {
  const calls: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const manifests = new Map<string, Buffer>();
  const session = {
    opts: { repository: 'busybox' },
    blobExists: async (digest: string) => {
      calls.push(`HEAD ${digest}`);
      return present.has(digest) ? 1 : undefined;
    },
    mountBlob: async () => false,
    uploadBlob: async (digest: string, _size: number, body: () => Readable) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const chunks: Buffer[] = [];
      for await (const c of body() as AsyncIterable<Buffer>) chunks.push(c);
      await new Promise((r) => setTimeout(r, 5));
      inFlight--;
      if (sha(Buffer.concat(chunks)) !== digest) throw new Error(`uploaded bytes do not match ${digest}`);
      present.add(digest);
      calls.push(`PUT ${digest}`);
    },
    putManifest: async (tag: string, _type: string, bytes: Buffer) => {
      manifests.set(tag, bytes);
      calls.push(`MANIFEST ${tag}`);
      return sha(bytes);
    },
  };
  const client = { session: () => session } as unknown as RegistryClient;
  return { client, calls, manifests, maxInFlight: () => maxInFlight };
}

function fixture(layerCount: number) {
  const blobs = new Map<string, Buffer>();
  const layers = Array.from({ length: layerCount }, (_, i) => {
    const data = Buffer.from(`layer-${i}`);
    const digest = sha(data);
    blobs.set(digest, data);
    return { diffId: sha(`diff-${i}`), chainId: sha(`chain-${i}`), blobDigest: digest, blobSize: data.length, blobMediaType: GZ };
  });
  const config = Buffer.from(JSON.stringify({ rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) } }));
  const id = sha(config);
  const record: ImageRecord = { id, layers, storedAt: 0 };
  const refs = new Map<string, string>([
    ['127.0.0.1:5000/busybox:v1', id],
    ['127.0.0.1:5000/busybox:v2', id],
    ['docker.io/library/busybox:latest', id],
  ]);
  const images = {
    get: (x: string) => (x === id ? record : undefined),
    config: () => config,
    lookupRef: (r: string) => refs.get(r),
    allRefs: () => [...refs.entries()],
    refsOf: () => [...refs.keys()],
    setRef: async (_repo: string, ref: string, to: string) => {
      refs.set(ref, to);
      return undefined;
    },
    update: async () => record,
  };
  const content = {
    info: async (d: string) => (blobs.has(d) ? { digest: d, size: (blobs.get(d) as Buffer).length } : undefined),
    openRead: (d: string) => Readable.from([blobs.get(d) as Buffer]),
    read: async (d: string) => blobs.get(d) as Buffer,
    put: async (b: Buffer) => sha(b),
  };
  return { layers, config, id, refs, images, content, blobs };
}

function service(f: ReturnType<typeof fixture>, client: RegistryClient, maxConcurrentUploads = 5) {
  return new PushService({
    config: { current: () => ({ ...DEFAULT_DAEMON_CONFIG, maxConcurrentUploads }) },
    registry: client,
    content: f.content as never,
    layers: { diffDir: () => '/nonexistent' },
    images: f.images as never,
    openXattrs: () => ({ get: async () => [], close: async () => undefined }),
    tempDir: '/tmp',
    log: createLogger('silent'),
  });
}

describe('PushService', () => {
  it('announces layers top first, HEADs before uploading, then puts the manifest and records the digest', async () => {
    const f = fixture(3);
    const reg = fakeRegistry(new Set([f.layers[0]?.blobDigest as string]));
    const events: PushEvent[] = [];
    await service(f, reg.client).push({ name: '127.0.0.1:5000/busybox', tag: 'v1' }, (e) => events.push(e));
    const short = (i: number): string => (f.layers[i]?.diffId as string).slice(7, 19);
    expect(events[0]).toEqual({ status: 'The push refers to repository [127.0.0.1:5000/busybox]' });
    expect(events.slice(1, 4)).toEqual([2, 1, 0].map((i) => ({ status: 'Preparing', id: short(i) })));
    expect(events).toContainEqual({ status: 'Layer already exists', id: short(0) });
    expect(events).toContainEqual({ status: 'Pushed', id: short(1) });
    expect(events).toContainEqual({ status: 'Pushed', id: short(2) });
    for (const i of [1, 2]) expect(reg.calls.indexOf(`HEAD ${f.layers[i]?.blobDigest}`)).toBeLessThan(reg.calls.indexOf(`PUT ${f.layers[i]?.blobDigest}`));
    expect(reg.calls).not.toContain(`PUT ${f.layers[0]?.blobDigest}`);
    expect(reg.calls).toContain(`PUT ${f.id}`); // the config blob
    expect(reg.calls[reg.calls.length - 1]).toBe('MANIFEST v1');
    const manifest = reg.manifests.get('v1') as Buffer;
    const doc = JSON.parse(manifest.toString());
    expect(doc.config.digest).toBe(f.id);
    expect(doc.layers.map((l: { digest: string }) => l.digest)).toEqual(f.layers.map((l) => l.blobDigest));
    const digest = sha(manifest);
    expect(events.slice(-2)).toEqual([{ status: `v1: digest: ${digest} size: ${manifest.length}` }, { aux: { tag: 'v1', digest, size: manifest.length } }]);
    expect(f.refs.get(`127.0.0.1:5000/busybox@${digest}`)).toBe(f.id);
  });

  it('keeps at most max-concurrent-uploads uploads in flight and says Waiting for the rest', async () => {
    const f = fixture(5);
    const reg = fakeRegistry(new Set());
    const events: PushEvent[] = [];
    await service(f, reg.client, 2).push({ name: '127.0.0.1:5000/busybox', tag: 'v1' }, (e) => events.push(e));
    expect(reg.maxInFlight()).toBeLessThanOrEqual(2);
    expect(events.filter((e) => e.status === 'Waiting')).toHaveLength(3);
    expect(events.filter((e) => e.status === 'Pushed')).toHaveLength(5);
  });

  it('pushes every tag of the repository when no tag is given', async () => {
    const f = fixture(1);
    const reg = fakeRegistry(new Set());
    const events: PushEvent[] = [];
    await service(f, reg.client).push({ name: '127.0.0.1:5000/busybox' }, (e) => events.push(e));
    expect([...reg.manifests.keys()]).toEqual(['v1', 'v2']);
    expect(events.filter((e) => e.aux !== undefined).map((e) => e.aux?.tag)).toEqual(['v1', 'v2']);
  });

  it('refuses a missing tag after the banner, with dockerd\'s message', async () => {
    const f = fixture(1);
    const events: PushEvent[] = [];
    await expect(service(f, fakeRegistry(new Set()).client).push({ name: '127.0.0.1:5000/other', tag: 'x' }, (e) => events.push(e))).rejects.toMatchObject({
      kind: 'NotFound',
      message: 'An image does not exist locally with the tag: 127.0.0.1:5000/other',
    });
    expect(events).toEqual([{ status: 'The push refers to repository [127.0.0.1:5000/other]' }]);
  });

  it('refuses digest references before any output', async () => {
    const f = fixture(1);
    const events: PushEvent[] = [];
    await expect(service(f, fakeRegistry(new Set()).client).push({ name: `127.0.0.1:5000/busybox@${f.id}` }, (e) => events.push(e))).rejects.toMatchObject({ kind: 'InvalidArgument' });
    expect(events).toEqual([]);
  });
});

describe('rewriteDiffIds', () => {
  it('replaces only rootfs.diff_ids', () => {
    const out = JSON.parse(rewriteDiffIds(Buffer.from('{"architecture":"amd64","rootfs":{"type":"layers","diff_ids":["a"]},"history":[{}]}'), ['b']).toString());
    expect(out).toEqual({ architecture: 'amd64', rootfs: { type: 'layers', diff_ids: ['b'] }, history: [{}] });
  });
});
