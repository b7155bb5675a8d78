import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { DaemonConfigSource } from '../../config/daemon-config';
import { BerthError, internal, invalidArgument, notFound } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import type { RegistryCredentials } from '../../registry/auth';
import { registryUrl } from '../../registry/endpoints';
import { RegistryError, isRegistryError } from '../../registry/errors';
import { MEDIA_TYPES, parseManifest, sha256Digest } from '../../registry/manifest';
import { pushBlob, type PushableBlob } from '../../registry/push-blob';
import { buildSchema2Manifest, schema2LayerMediaType } from '../../registry/push-manifest';
import { familiarName, parseReference, repositoryName, validateTag, type ImageReference } from '../../registry/reference';
import type { RegistryClient, RegistrySession } from '../../registry/registry-client';
import type { ContentStore } from '../../store/content/content-store';
import type { ImageLayerRecord, ImageRecord, ImageStore } from '../../store/images/image-store';
import type { LayerStore } from '../../store/layers/layer-store';
import { exportLayerTar, type XattrSource } from '../../store/layers/layer-tar-writer';

/**
 * One progress event of a push, engine-side; the API maps it to Docker's jsonmessage. `aux` is the
 * final `{Tag, Digest, Size}` record the CLI reads (e.g. for `docker push --quiet`).
 */
export interface PushEvent {
  status?: string;
  id?: string;
  current?: number;
  total?: number;
  aux?: { tag: string; digest: string; size: number };
}

export type PushSink = (event: PushEvent) => void;

export interface PushRequest {
  /** Repository as the CLI sends it in the path: `127.0.0.1:5000/busybox` (no tag). */
  name: string;
  /** `?tag=`; absent or empty pushes every tag of the repository (`docker push --all-tags`). */
  tag?: string;
  credentials?: RegistryCredentials;
  signal?: AbortSignal;
}

export interface PushServiceDeps {
  config: DaemonConfigSource;
  registry: RegistryClient;
  content: Pick<ContentStore, 'info' | 'openRead' | 'read' | 'put'>;
  layers: Pick<LayerStore, 'diffDir'>;
  images: Pick<ImageStore, 'get' | 'config' | 'lookupRef' | 'allRefs' | 'refsOf' | 'setRef' | 'update'>;
  /** berth-getxattr over a layer's diff, to find opaque directories when a layer must be regenerated. */
  openXattrs: (root: string) => XattrSource;
  /** Scratch space on the data-root disk for regenerated layer blobs (emptied after each push). */
  tempDir: string;
  log: Logger;
  /** Publishes the `push` image event (dockerd's actor is the pushed reference). */
  publishEvent?: (action: 'push', ref: string) => void;
}

/** A layer ready to push: the blob to send and how the manifest describes it. */
interface PreparedLayer {
  blob: PushableBlob;
  mediaType: string;
  /** The diffID the blob really decompresses to (differs from the record only for regenerated layers). */
  diffId: string;
}

/** Progress granularity: the CLI redraws per message, so byte counts go out at most this often. */
const PROGRESS_INTERVAL_MS = 100;

/**
 * `docker push` (moby distribution/push_v2.go): for each tag, upload every layer the registry
 * does not have yet (HEAD first: "Layer already exists"), the config, then the manifest by tag,
 * and record the resulting `repo@digest` on the image as dockerd does.
 *
 * Layers go up from the compressed blob they were pulled or imported as, so a re-push of a pulled
 * image reproduces the same digests. A layer without a usable blob (lost, or zstd which schema2
 * cannot describe) is regenerated from its overlay diff with whiteouts converted back; if that
 * tar does not hash to the config's diffID (the diff cannot reproduce the original bytes), the
 * pushed config carries the regenerated diffIDs so the remote image stays self-consistent.
 *
 * Uploads run `max-concurrent-uploads` at a time. Push never uses mirrors.
 */
export class PushService {
  constructor(private readonly deps: PushServiceDeps) {}

  async push(req: PushRequest, sink: PushSink): Promise<void> {
    const repoRef = this.parseRepository(req);
    const repo = repositoryName(repoRef);
    sink({ status: `The push refers to repository [${repo}]` });
    const tags = this.tagsToPush(repoRef, req.tag);
    const endpoint = registryUrl(repoRef.domain, this.deps.config.current());
    const session = this.deps.registry.session({ endpoint, repository: repoRef.path, credentials: req.credentials, actions: ['pull', 'push'], signal: req.signal });
    const scratch = join(this.deps.tempDir, `push-${randomBytes(6).toString('hex')}`);
    try {
      for (const [tag, imageId] of tags) {
        await this.pushTag(session, repoRef, tag, imageId, scratch, sink);
      }
    } catch (err) {
      throw explainUnauthorized(err);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  }

  private parseRepository(req: PushRequest): ImageReference {
    const ref = parseReference(req.name);
    if (ref.digest !== undefined) throw invalidArgument('INVALID_REFERENCE', `cannot push a digest reference: ${req.name}`);
    // The CLI sends the tag separately; a name with a tag (an API client) means that tag.
    if (ref.tag !== undefined && req.tag !== undefined && req.tag !== '' && req.tag !== ref.tag) {
      throw invalidArgument('INVALID_REFERENCE', `conflicting tags: ${req.name} and tag=${req.tag}`);
    }
    return { domain: ref.domain, path: ref.path, ...(ref.tag !== undefined ? { tag: ref.tag } : {}) };
  }

  /** [tag, imageId] pairs, sorted by tag (moby pushes the repository's associations in order). */
  private tagsToPush(ref: ImageReference, tag: string | undefined): [string, string][] {
    const repo = repositoryName(ref);
    const wanted = tag !== undefined && tag !== '' ? validateTag(tag) : ref.tag;
    if (wanted !== undefined) {
      const id = this.deps.images.lookupRef(`${repo}:${wanted}`);
      if (id === undefined) throw notFound('IMAGE_NOT_FOUND', `An image does not exist locally with the tag: ${familiarName(ref)}`);
      return [[wanted, id]];
    }
    const prefix = `${repo}:`;
    const all = this.deps.images
      .allRefs()
      .filter(([r]) => r.startsWith(prefix) && !r.slice(prefix.length).includes('/'))
      .map(([r, id]): [string, string] => [r.slice(prefix.length), id])
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    if (all.length === 0) throw notFound('IMAGE_NOT_FOUND', `An image does not exist locally with the tag: ${familiarName(ref)}`);
    return all;
  }

  private async pushTag(session: RegistrySession, ref: ImageReference, tag: string, imageId: string, scratch: string, sink: PushSink): Promise<void> {
    const { images, content, log } = this.deps;
    const image = images.get(imageId);
    if (image === undefined) throw notFound('IMAGE_NOT_FOUND', `No such image: ${imageId}`);
    const repo = repositoryName(ref);
    const mountFrom = this.mountSource(image, ref);

    // Layers are announced top first, as dockerd lists them.
    const order = image.layers.map((_, i) => image.layers.length - 1 - i);
    const shortId = (l: ImageLayerRecord): string => l.diffId.replace(/^sha256:/, '').slice(0, 12);
    for (const i of order) sink({ status: 'Preparing', id: shortId(image.layers[i] as ImageLayerRecord) });

    const limit = Math.max(1, this.deps.config.current().maxConcurrentUploads);
    const prepared: PreparedLayer[] = new Array(image.layers.length);
    let running = 0;
    const queue: (() => void)[] = [];
    const slot = async (): Promise<void> => {
      if (running < limit) {
        running++;
        return;
      }
      await new Promise<void>((resolve) => queue.push(resolve));
    };
    const release = (): void => {
      const next = queue.shift();
      if (next) next();
      else running--;
    };
    const waiting = order.slice(limit);
    for (const i of waiting) sink({ status: 'Waiting', id: shortId(image.layers[i] as ImageLayerRecord) });

    const results = await Promise.allSettled(
      order.map(async (i) => {
        const layer = image.layers[i] as ImageLayerRecord;
        const id = shortId(layer);
        await slot();
        try {
          const p = await this.prepareLayer(layer, scratch);
          prepared[i] = p;
          let last = 0;
          const outcome = await pushBlob(session, p.blob, {
            ...(mountFrom !== undefined ? { mountFrom } : {}),
            onProgress: (sent) => {
              const now = performance.now();
              if (now - last < PROGRESS_INTERVAL_MS && sent < p.blob.size) return;
              last = now;
              sink({ status: 'Pushing', id, current: sent, total: p.blob.size });
            },
          });
          if (outcome.outcome === 'exists') sink({ status: 'Layer already exists', id });
          else if (outcome.outcome === 'mounted') sink({ status: `Mounted from ${outcome.from}`, id });
          else sink({ status: 'Pushed', id });
        } finally {
          release();
        }
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;

    let configBytes = images.config(imageId);
    const rewritten = prepared.some((p, i) => p.diffId !== image.layers[i]?.diffId);
    if (rewritten) {
      configBytes = rewriteDiffIds(configBytes, prepared.map((p) => p.diffId));
      log.warn({ imageId, tag }, 'layer diffs do not reproduce the original layer tars; pushing a config with regenerated diffIDs');
    }
    const configDigest = sha256Digest(configBytes);
    await pushBlob(session, { digest: configDigest, size: configBytes.length, open: () => bufferStream(configBytes) });

    const { bytes: manifest, mediaType } = await this.manifestFor(image, rewritten, configDigest, configBytes.length, prepared);
    const digest = await session.putManifest(tag, mediaType, manifest);
    sink({ status: `${tag}: digest: ${digest} size: ${manifest.length}` });
    sink({ aux: { tag, digest, size: manifest.length } });

    // dockerd records the pushed digest as a reference of the image (RepoDigests).
    if (!rewritten) {
      await content.put(manifest).catch((err: unknown) => log.warn({ err }, 'could not keep the pushed manifest'));
      await images.setRef(repo, `${repo}@${digest}`, imageId);
    }
    this.deps.publishEvent?.('push', `${repo}:${tag}`);
  }

  /**
   * The manifest to PUT: the stored one when it describes exactly what is being pushed (a pulled
   * or imported image keeps its digest), else a Docker schema2 manifest built from the layers.
   */
  private async manifestFor(image: ImageRecord, rewritten: boolean, configDigest: string, configSize: number, layers: PreparedLayer[]): Promise<{ bytes: Buffer; mediaType: string }> {
    if (!rewritten && image.manifestDigest !== undefined && (await this.deps.content.info(image.manifestDigest)) !== undefined) {
      try {
        const bytes = await this.deps.content.read(image.manifestDigest);
        const parsed = parseManifest(bytes, image.manifestMediaType);
        if (
          parsed.kind === 'manifest' &&
          parsed.config.digest === configDigest &&
          parsed.layers.length === layers.length &&
          parsed.layers.every((l, i) => l.digest === layers[i]?.blob.digest && l.size === layers[i]?.blob.size)
        ) {
          return { bytes, mediaType: parsed.mediaType };
        }
      } catch (err) {
        this.deps.log.debug({ err, manifest: image.manifestDigest }, 'stored manifest not reusable; building one');
      }
    }
    const bytes = buildSchema2Manifest(
      { digest: configDigest, size: configSize },
      layers.map((l) => ({ digest: l.blob.digest, size: l.blob.size, mediaType: l.mediaType })),
    );
    return { bytes, mediaType: MEDIA_TYPES.dockerManifest };
  }

  /** A repository on the same registry that already holds this image's blobs (it was pulled from or pushed to it). */
  private mountSource(image: ImageRecord, target: ImageReference): string | undefined {
    for (const r of this.deps.images.refsOf(image.id)) {
      if (!r.includes('@')) continue;
      try {
        const ref = parseReference(r);
        if (ref.domain === target.domain && ref.path !== target.path) return ref.path;
      } catch {
        /* not a parsable reference: skip */
      }
    }
    return undefined;
  }

  private async prepareLayer(layer: ImageLayerRecord, scratch: string): Promise<PreparedLayer> {
    const mediaType = schema2LayerMediaType(layer.blobMediaType);
    if (layer.blobDigest !== undefined && mediaType !== undefined) {
      const info = await this.deps.content.info(layer.blobDigest);
      if (info !== undefined) {
        const digest = layer.blobDigest;
        return { blob: { digest, size: info.size, open: () => this.deps.content.openRead(digest) }, mediaType, diffId: layer.diffId };
      }
    }
    if (layer.blobDigest !== undefined && layer.blobMediaType === MEDIA_TYPES.ociLayer && (await this.deps.content.info(layer.blobDigest)) !== undefined) {
      return this.gzipBlob(layer, layer.blobDigest, scratch);
    }
    return this.regenerate(layer, scratch);
  }

  /** An uncompressed stored blob (a loaded image's layer) is gzipped for the push, as dockerd pushes: its diffID stays. */
  private async gzipBlob(layer: ImageLayerRecord, digest: string, scratch: string): Promise<PreparedLayer> {
    await mkdir(scratch, { recursive: true });
    const file = join(scratch, `${layer.chainId.replace(/^sha256:/, '')}.tar.gz`);
    const blobHash = createHash('sha256');
    await pipeline(
      this.deps.content.openRead(digest),
      createGzip(),
      new Transform({
        transform(chunk: Buffer, _enc, cb) {
          blobHash.update(chunk);
          cb(null, chunk);
        },
      }),
      createWriteStream(file),
    );
    const size = (await stat(file)).size;
    return { blob: { digest: `sha256:${blobHash.digest('hex')}`, size, open: () => createReadStream(file) }, mediaType: MEDIA_TYPES.dockerLayerGzip, diffId: layer.diffId };
  }

  /** Rebuilds a gzip layer blob from the overlay diff (whiteouts back in `.wh.` form) into scratch space. */
  private async regenerate(layer: ImageLayerRecord, scratch: string): Promise<PreparedLayer> {
    await mkdir(scratch, { recursive: true });
    const file = join(scratch, `${layer.chainId.replace(/^sha256:/, '')}.tar.gz`);
    const diffDir = this.deps.layers.diffDir(layer.chainId);
    const tarHash = createHash('sha256');
    const blobHash = createHash('sha256');
    const tap = (hash: ReturnType<typeof createHash>): Transform =>
      new Transform({
        transform(chunk: Buffer, _enc, cb) {
          hash.update(chunk);
          cb(null, chunk);
        },
      });
    try {
      await pipeline(exportLayerTar(diffDir, this.deps.openXattrs(diffDir)), tap(tarHash), createGzip(), tap(blobHash), createWriteStream(file));
    } catch (err) {
      if (err instanceof BerthError) throw err;
      throw internal('LAYER_EXPORT_FAILED', `cannot export layer ${layer.diffId}: ${(err as Error).message}`, err);
    }
    const size = (await stat(file)).size;
    const digest = `sha256:${blobHash.digest('hex')}`;
    const diffId = `sha256:${tarHash.digest('hex')}`;
    this.deps.log.debug({ chainId: layer.chainId, digest, diffId, reproduced: diffId === layer.diffId }, 'regenerated layer blob for push');
    return { blob: { digest, size, open: () => createReadStream(file) }, mediaType: MEDIA_TYPES.dockerLayerGzip, diffId };
  }
}

/**
 * A 401 to a HEAD request has no body, so the registry's reason is empty ("…: unauthorized: ");
 * say what the registry would have said, as dockerd's output does.
 */
function explainUnauthorized(err: unknown): unknown {
  if (!isRegistryError(err) || err.kind !== 'Unauthorized' || !/unauthorized:?\s*$/i.test(err.message)) return err;
  return new RegistryError('Unauthorized', err.code, `${err.message.trimEnd()} authentication required`, { category: err.category, ...(err.status !== undefined ? { status: err.status } : {}), details: err.details, cause: err });
}

/** The config with `rootfs.diff_ids` replaced (everything else kept as parsed). */
export function rewriteDiffIds(config: Buffer, diffIds: string[]): Buffer {
  const doc = JSON.parse(config.toString('utf8')) as { rootfs?: { type?: string; diff_ids?: string[] } };
  doc.rootfs = { type: doc.rootfs?.type ?? 'layers', diff_ids: diffIds };
  return Buffer.from(JSON.stringify(doc));
}

/** A fresh stream per call: an upload that restarts needs to read the bytes again. */
function bufferStream(bytes: Buffer): Readable {
  return Readable.from([bytes]);
}
