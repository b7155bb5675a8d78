import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { PassThrough, Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { pack as tarPack, type Header as FullHeader, type Pack } from 'tar-stream';
import { BerthError, internal } from '../../lib/errors';
import { layerCompression, sha256Digest } from '../../registry/manifest';
import type { ContentStore } from '../../store/content/content-store';
import type { ImageLayerRecord, ImageRecord, ImageStore } from '../../store/images/image-store';
import type { LayerStore } from '../../store/layers/layer-store';
import { exportLayerTar, type XattrSource } from '../../store/layers/layer-tar-writer';

type Header = Partial<FullHeader> & Pick<FullHeader, 'name'>;

/** One image to save and the tags it is saved under (familiar form, `busybox:latest`). */
export interface SaveItem {
  image: ImageRecord;
  /** Familiar references (`busybox:latest`) and their fully qualified form for the OCI index. */
  tags: { familiar: string; full: string; tag: string }[];
}

export interface SaveDeps {
  content: Pick<ContentStore, 'info' | 'openRead'>;
  layers: Pick<LayerStore, 'diffDir'>;
  images: Pick<ImageStore, 'config'>;
  openXattrs: (root: string) => XattrSource;
  /** Scratch directory on the data-root disk (layer tars are staged there while the archive streams). */
  tempDir: string;
}

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar';
const hexOf = (d: string): string => d.replace(/^sha256:/, '');

/**
 * `docker save`: the images as one archive in the layout dockerd 25+ writes, which is at once an
 * OCI image layout (`oci-layout`, `index.json`, `blobs/sha256/…`) and a docker-archive
 * (`manifest.json`, `repositories`), so dockerd 20.10 (manifest.json) and OCI tools load it.
 * Layers are uncompressed tars named by their diffID, written once however many images share
 * them. Each layer comes from its stored blob when it has one (the exact bytes it was pulled or
 * loaded as) or is regenerated from its overlay diff; either way its sha256 is checked against the
 * diffID before the archive carries it. Layers are staged under `tempDir` first (a tar entry needs
 * its size up front), in parallel, and removed when the stream ends.
 */
export async function saveImages(deps: SaveDeps, items: SaveItem[]): Promise<Readable> {
  await mkdir(deps.tempDir, { recursive: true, mode: 0o700 });
  const scratch = await mkdtemp(join(deps.tempDir, 'save-'));
  try {
    const layers = new Map<string, ImageLayerRecord>();
    for (const it of items) for (const l of it.image.layers) if (!layers.has(l.diffId)) layers.set(l.diffId, l);
    const staged = new Map<string, { file: string; size: number }>();
    const queue = [...layers.values()];
    const worker = async (): Promise<void> => {
      for (let l = queue.shift(); l !== undefined; l = queue.shift()) staged.set(l.diffId, await stageLayer(deps, l, scratch));
    };
    await Promise.all([worker(), worker()]);
    return streamArchive(deps, items, staged, () => rm(scratch, { recursive: true, force: true }));
  } catch (err) {
    await rm(scratch, { recursive: true, force: true });
    throw err;
  }
}

/** Writes the layer's tar to a scratch file, verifying it hashes to its diffID. */
async function stageLayer(deps: SaveDeps, l: ImageLayerRecord, scratch: string): Promise<{ file: string; size: number }> {
  const file = join(scratch, hexOf(l.diffId));
  const fromBlob = l.blobDigest !== undefined && l.blobMediaType !== undefined && layerCompression(l.blobMediaType) !== 'zstd' && (await deps.content.info(l.blobDigest)) !== undefined;
  const attempt = async (source: Readable): Promise<boolean> => {
    const hash = createHash('sha256');
    const tap = new Transform({
      highWaterMark: 1 << 20,
      transform(chunk: Buffer, _enc, cb) {
        hash.update(chunk);
        cb(null, chunk);
      },
    });
    await pipeline(source, tap, createWriteStream(file, { highWaterMark: 1 << 20 }));
    return `sha256:${hash.digest('hex')}` === l.diffId;
  };
  try {
    if (fromBlob) {
      const raw = deps.content.openRead(l.blobDigest as string);
      const compression = layerCompression(l.blobMediaType as string);
      const source = compression === 'gzip' ? raw.pipe(createGunzip({ chunkSize: 1 << 20 })) : raw.pipe(new PassThrough({ highWaterMark: 1 << 20 }));
      if (await attempt(source)) return { file, size: (await stat(file)).size };
    }
    const diffDir = deps.layers.diffDir(l.chainId);
    if (await attempt(exportLayerTar(diffDir, deps.openXattrs(diffDir)))) return { file, size: (await stat(file)).size };
  } catch (err) {
    if (err instanceof BerthError) throw err;
    throw internal('SAVE_LAYER_FAILED', `cannot export layer ${l.diffId}: ${(err as Error).message}`, err);
  }
  throw internal('SAVE_LAYER_IRREPRODUCIBLE', `layer ${l.diffId} cannot be reproduced from the stored data (its content no longer hashes to its diffID)`);
}

function streamArchive(deps: SaveDeps, items: SaveItem[], staged: Map<string, { file: string; size: number }>, cleanup: () => Promise<void>): Readable {
  const pack = tarPack();
  const mtime = new Date(0);
  const put = (name: string, body: Buffer): Promise<void> =>
    new Promise<void>((resolve, reject) => pack.entry({ name, size: body.length, mode: 0o644, mtime }, body, (err) => (err ? reject(err) : resolve())));
  const run = async (): Promise<void> => {
    try {
      for (const dir of ['blobs/', 'blobs/sha256/']) await new Promise<void>((resolve, reject) => pack.entry({ name: dir, type: 'directory', mode: 0o755, mtime }, (err) => (err ? reject(err) : resolve())));
      for (const [diffId, { file, size }] of staged) await fileEntry(pack, { name: `blobs/sha256/${hexOf(diffId)}`, size, mode: 0o644, mtime }, file);
      const manifestJson: { Config: string; RepoTags: string[] | null; Layers: string[] }[] = [];
      const index: { mediaType: string; digest: string; size: number; annotations?: Record<string, string> }[] = [];
      const repositories: Record<string, Record<string, string>> = {};
      const written = new Set<string>();
      for (const it of items) {
        const config = deps.images.config(it.image.id);
        const configDigest = sha256Digest(config);
        const manifest = Buffer.from(
          JSON.stringify({
            schemaVersion: 2,
            mediaType: OCI_MANIFEST,
            config: { mediaType: OCI_CONFIG, digest: configDigest, size: config.length },
            layers: it.image.layers.map((l) => ({ mediaType: OCI_LAYER, digest: l.diffId, size: staged.get(l.diffId)?.size ?? 0 })),
          }),
        );
        const manifestDigest = sha256Digest(manifest);
        for (const [digest, body] of [
          [configDigest, config],
          [manifestDigest, manifest],
        ] as const) {
          if (written.has(digest)) continue;
          written.add(digest);
          await put(`blobs/sha256/${hexOf(digest)}`, body);
        }
        manifestJson.push({ Config: `blobs/sha256/${hexOf(configDigest)}`, RepoTags: it.tags.length > 0 ? it.tags.map((t) => t.familiar) : null, Layers: it.image.layers.map((l) => `blobs/sha256/${hexOf(l.diffId)}`) });
        if (it.tags.length === 0) index.push({ mediaType: OCI_MANIFEST, digest: manifestDigest, size: manifest.length });
        for (const t of it.tags) {
          index.push({ mediaType: OCI_MANIFEST, digest: manifestDigest, size: manifest.length, annotations: { 'io.containerd.image.name': t.full, 'org.opencontainers.image.ref.name': t.tag } });
          const repo = t.familiar.slice(0, t.familiar.length - t.tag.length - 1);
          const top = it.image.layers.at(-1);
          if (top) (repositories[repo] ??= {})[t.tag] = hexOf(top.diffId);
        }
      }
      await put('index.json', Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: index })));
      await put('manifest.json', Buffer.from(JSON.stringify(manifestJson)));
      await put('oci-layout', Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })));
      if (Object.keys(repositories).length > 0) await put('repositories', Buffer.from(JSON.stringify(repositories)));
      pack.finalize();
    } finally {
      await cleanup();
    }
  };
  run().catch((err: unknown) => pack.destroy(err instanceof Error ? err : new Error(String(err))));
  return Readable.from(pack as AsyncIterable<Buffer>, { objectMode: false });
}

async function fileEntry(pack: Pack, header: Header, path: string): Promise<void> {
  let sink!: ReturnType<Pack['entry']>;
  const finished = new Promise<void>((resolve, reject) => {
    sink = pack.entry(header, (err) => (err ? reject(err) : resolve()));
  });
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    if (!sink.write(chunk)) await once(sink as unknown as NodeJS.EventEmitter, 'drain');
  }
  sink.end(undefined);
  await finished;
}
