import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, open, rm, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract, type Header } from 'tar-stream';
import { BerthError, invalidArgument } from '../../lib/errors';
import { MEDIA_TYPES, hostPlatform, parseManifest } from '../../registry/manifest';
import { familiarString, parseReference, repositoryName, type ImageReference } from '../../registry/reference';
import type { ContentStore } from '../../store/content/content-store';
import type { ImageLayerRecord, ImageStore } from '../../store/images/image-store';
import { chainId as computeChainId } from '../../store/layers/chain-id';
import type { LayerStore } from '../../store/layers/layer-store';
import { parseImageConfig } from './image-config';
import { Staging, refuseArchive, type Speculation } from './load-staging';
import type { ProgressSink } from './progress';
import { shortDigest } from './progress';

export interface LoadDeps {
  content: Pick<ContentStore, 'adopt'>;
  layers: Pick<LayerStore, 'has' | 'prepare' | 'retain' | 'release'>;
  images: Pick<ImageStore, 'put' | 'get' | 'list' | 'delete' | 'lookupRef' | 'setRef' | 'update'>;
  /** Blob digests in use by an unfinished operation (kept by the blob GC). */
  leases: Set<string>;
  tempDir: string;
}

export interface LoadResult {
  /** What the CLI prints, one line each: `Loaded image: busybox:latest` / `Loaded image ID: sha256:…`. */
  lines: string[];
}

const GZIP = [0x1f, 0x8b];

function refuse(why: string): never {
  return refuseArchive(why);
}

/** One image found in the archive, validated, before anything is stored. */
interface PlannedImage {
  config: Buffer;
  diffIds: string[];
  /** Staged files of the layers, in order, and for OCI blobs the digest the file must have. */
  layerFiles: { name: string; blobDigest?: string }[];
  refs: ImageReference[];
}

/** `manifest.json` of a docker-archive (classic, and the one dockerd 25+ writes beside its OCI layout). */
async function planFromManifestJson(st: Staging): Promise<PlannedImage[]> {
  const doc = await st.json('manifest.json');
  if (!Array.isArray(doc)) refuse('manifest.json is not a list');
  const out: PlannedImage[] = [];
  for (const m of doc as unknown[]) {
    const e = m as { Config?: unknown; RepoTags?: unknown; Layers?: unknown };
    if (typeof e.Config !== 'string' || !Array.isArray(e.Layers) || !e.Layers.every((l) => typeof l === 'string')) refuse('manifest.json entry without Config or Layers');
    const config = await st.bytes(e.Config);
    const cfg = parseImageConfig(config);
    const layers = e.Layers as string[];
    if (layers.length !== cfg.rootfs.diff_ids.length) refuse(`image ${e.Config} lists ${layers.length} layers but its config ${cfg.rootfs.diff_ids.length}`);
    for (const l of layers) if (!st.has(l)) refuse(`layer ${l} is missing`);
    const tags = e.RepoTags === null || e.RepoTags === undefined ? [] : e.RepoTags;
    if (!Array.isArray(tags) || !tags.every((t) => typeof t === 'string')) refuse('RepoTags is not a list of strings');
    const refs = (tags as string[]).map((t) => {
      const r = parseReference(t);
      if (r.digest !== undefined || r.tag === undefined) refuse(`RepoTags entry ${JSON.stringify(t)} is not name:tag`);
      return r;
    });
    out.push({ config, diffIds: cfg.rootfs.diff_ids, layerFiles: layers.map((name) => ({ name })), refs });
  }
  return out;
}

/** An OCI image layout without manifest.json (e.g. from a containerd-backed engine or skopeo). */
async function planFromOciLayout(st: Staging): Promise<PlannedImage[]> {
  const index = (await st.json('index.json')) as { manifests?: { mediaType?: string; digest?: string; annotations?: Record<string, string> }[] };
  if (!Array.isArray(index.manifests)) refuse('index.json has no manifests');
  const blobName = (digest: string): string => {
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) refuse(`unsupported digest ${JSON.stringify(digest)}`);
    return `blobs/sha256/${digest.slice(7)}`;
  };
  const out: PlannedImage[] = [];
  for (const d of index.manifests) {
    let desc = d;
    let m = parseManifest(await st.bytes(blobName(desc.digest ?? ''), desc.digest), desc.mediaType);
    if (m.kind === 'index') {
      const want = hostPlatform();
      const pick = m.manifests.find((x) => x.platform?.os === want.os && x.platform.architecture === want.architecture);
      if (!pick) continue;
      desc = { ...pick, annotations: d.annotations ?? {} };
      m = parseManifest(await st.bytes(blobName(pick.digest), pick.digest), pick.mediaType);
      if (m.kind !== 'manifest') continue;
    }
    const config = await st.bytes(blobName(m.config.digest), m.config.digest);
    const cfg = parseImageConfig(config);
    if (m.layers.length !== cfg.rootfs.diff_ids.length) refuse(`manifest ${desc.digest} lists ${m.layers.length} layers but its config ${cfg.rootfs.diff_ids.length}`);
    for (const l of m.layers) {
      if (l.mediaType.includes('zstd')) refuse(`layer ${l.digest} is zstd-compressed, which load does not support`);
      if (!st.has(blobName(l.digest))) refuse(`layer ${l.digest} is missing`);
    }
    const name = desc.annotations?.['io.containerd.image.name'] ?? desc.annotations?.['org.opencontainers.image.ref.name'];
    let refs: ImageReference[] = [];
    if (name !== undefined) {
      try {
        const r = parseReference(name);
        if (r.tag !== undefined && r.digest === undefined) refs = [r];
      } catch {
        refs = []; // a bare tag name ("latest") without a repository: loaded untagged
      }
    }
    out.push({ config, diffIds: cfg.rootfs.diff_ids, layerFiles: m.layers.map((l) => ({ name: blobName(l.digest), blobDigest: l.digest })), refs });
  }
  return out;
}

/**
 * `docker load`: a docker-archive (manifest.json, classic or with dockerd 25+'s OCI layout) or an
 * OCI image layout, plain or gzip'd. The archive is staged first (flat files; names checked,
 * symlinks only inside the archive), every image is validated (configs parse, layer counts,
 * tags), then each missing layer is applied with the same safety rules and diffID check as a pull
 * and kept as a gzip blob (so it can be saved and pushed byte-identical). Images and tags are
 * written only when every layer succeeded: a refused archive leaves no layer, image or tag behind.
 */
export async function loadImages(deps: LoadDeps, source: Readable, progress: ProgressSink, opts: { quiet: boolean; signal?: AbortSignal }): Promise<LoadResult> {
  await mkdir(deps.tempDir, { recursive: true, mode: 0o700 });
  const dir = await mkdtemp(join(deps.tempDir, 'load-'));
  const held: string[] = [];
  const blobs: string[] = [];
  let st: Staging | undefined;
  try {
    // Layers the store has (by diffID or blob digest) are not unpacked ahead: most loads of a
    // rebuilt image share their base layers with one already here.
    const known = new Set(deps.images.list().flatMap((r) => r.layers.flatMap((l) => [l.diffId, l.blobDigest ?? ''])));
    st = new Staging(dir, { prepare: () => deps.layers.prepare(), skip: (name) => known.has(`sha256:${posix.basename(name)}`) });
    await stage(source, st);
    let plan: PlannedImage[];
    if (st.has('manifest.json')) plan = await planFromManifestJson(st);
    else if (st.has('index.json')) plan = await planFromOciLayout(st);
    else refuse('no manifest.json or index.json (the pre-1.10 layout is not supported)');
    if (plan.length === 0) refuse('no image for this platform in the archive');

    const layerRecords = new Map<string, ImageLayerRecord>();
    for (const img of plan) {
      let parent: string | undefined;
      for (let i = 0; i < img.diffIds.length; i++) {
        const diffId = img.diffIds[i] as string;
        const chain = computeChainId(parent, diffId);
        if (!layerRecords.has(chain)) {
          if (deps.layers.has(chain)) {
            deps.layers.retain(chain);
            held.push(chain);
            // Keep the blob another image knows for this layer, so a later save or push reuses its bytes.
            const known = deps.images
              .list()
              .flatMap((r) => r.layers)
              .find((l) => l.chainId === chain && l.blobDigest !== undefined);
            layerRecords.set(chain, known ?? { diffId, chainId: chain });
            if (!opts.quiet) progress({ status: 'Loading layer', id: shortDigest(diffId), current: 1, total: 1 });
          } else {
            const lf = img.layerFiles[i] as { name: string; blobDigest?: string };
            const file = st.path(lf.name) as string;
            const applied = await st.takeApplied(file);
            const rec = applied
              ? await commitApplied(deps, applied, file, lf.blobDigest, parent, diffId, progress, opts.quiet, blobs)
              : await applyLayer(deps, file, lf.blobDigest, parent, diffId, progress, opts.quiet, blobs);
            held.push(chain);
            layerRecords.set(chain, rec);
          }
        }
        parent = chain;
      }
      if (opts.signal?.aborted) throw invalidArgument('LOAD_CANCELLED', 'load cancelled');
    }

    const lines: string[] = [];
    for (const img of plan) {
      const chains: string[] = [];
      let parent: string | undefined;
      for (const d of img.diffIds) chains.push((parent = computeChainId(parent, d)));
      const { record, created } = await deps.images.put(img.config, { layers: chains.map((c) => layerRecords.get(c) as ImageLayerRecord) });
      const top = chains.at(-1);
      if (created && top !== undefined) {
        // The new image takes one of our references on its top layer.
        const i = held.indexOf(top);
        if (i !== -1) held.splice(i, 1);
        else deps.layers.retain(top);
      }
      if (img.refs.length === 0) lines.push(`Loaded image ID: ${record.id}`);
      for (const ref of img.refs) {
        const repo = repositoryName(ref);
        const key = `${repo}:${ref.tag as string}`;
        const previous = deps.images.lookupRef(key);
        if (previous !== undefined && previous !== record.id) lines.push(`The image ${familiarString(ref)} already exists, renaming the old one with ID ${previous} to empty string`);
        await deps.images.setRef(repo, key, record.id);
        await deps.images.update(record.id, { lastTagTime: Date.now() });
        lines.push(`Loaded image: ${familiarString(ref)}`);
      }
    }
    return { lines };
  } finally {
    // Whatever no image took is released: after a refusal, every layer this load created goes.
    for (const c of held) await deps.layers.release(c).catch(() => undefined);
    for (const b of blobs) deps.leases.delete(b);
    await st?.discard();
    await rm(dir, { recursive: true, force: true });
  }
}

async function stage(source: Readable, st: Staging): Promise<void> {
  const { head, stream } = await peek(source);
  if (head.length >= 3 && head.subarray(0, 3).toString('latin1') === 'BZh') refuse('bzip2 archives are not supported; use a plain or gzip tar');
  if (head.length >= 6 && head[0] === 0xfd && head.subarray(1, 6).toString('latin1') === '7zXZ\0') refuse('xz archives are not supported; use a plain or gzip tar');
  const gz = head.length >= 2 && head[0] === GZIP[0] && head[1] === GZIP[1];
  const ex = extract();
  const input = gz ? stream.pipe(createGunzip({ chunkSize: 1 << 20 })) : stream;
  input.on('error', (err) => ex.destroy(err));
  try {
    const entries = input.pipe(ex as unknown as NodeJS.WritableStream) as unknown as AsyncIterable<{ header: Header } & AsyncIterable<Buffer>>;
    for await (const e of entries) await st.add(e.header, e);
  } catch (err) {
    if (err instanceof BerthError) throw err;
    refuse(`not a readable tar: ${(err as Error).message}`);
  }
}

/** A layer file's failure as load reports it: the store's own refusal, else named by its diffID. */
function layerFailure(err: unknown, diffId: string): never {
  if (err instanceof BerthError) throw err;
  refuse(`layer ${diffId}: ${(err as Error).message}`);
}

/** The blob digest the archive names (OCI layouts) and the config's diffID, against what the file held. */
function checkLayerDigests(blobDigest: string | undefined, fileDigest: string, diffId: string, gotDiffId: string): void {
  if (blobDigest !== undefined && fileDigest !== blobDigest) refuse(`layer blob does not match its digest ${blobDigest}`);
  if (gotDiffId !== diffId) refuse(`layer diffID mismatch: the config says ${diffId}, the content is ${gotDiffId}`);
}

/** Keeps a layer file as the layer's blob (see applyLayer) once its content checked out. */
async function keepBlob(deps: LoadDeps, file: string, fileDigest: string, blobs: string[]): Promise<{ digest: string; size: number }> {
  const blob = await deps.content.adopt(file, fileDigest);
  deps.leases.add(blob.digest);
  blobs.push(blob.digest);
  return blob;
}

/**
 * Publishes a layer that was unpacked while the archive streamed in (load-staging.ts), after the
 * same checks applyLayer makes: the blob digest the archive names, and the config's diffID.
 */
async function commitApplied(deps: LoadDeps, applied: Speculation, file: string, blobDigest: string | undefined, parent: string | undefined, diffId: string, progress: ProgressSink, quiet: boolean, blobs: string[]): Promise<ImageLayerRecord> {
  if (!applied.ok) layerFailure(applied.error, diffId);
  const l = applied.layer;
  try {
    checkLayerDigests(blobDigest, l.fileDigest, diffId, l.diffId);
    const blob = await keepBlob(deps, file, l.fileDigest, blobs);
    const { layer } = await l.ingest.commit(parent, diffId, l.size);
    if (!quiet) progress({ status: 'Loading layer', id: shortDigest(diffId), current: blob.size, total: blob.size });
    return { diffId, chainId: layer.chainId, blobDigest: blob.digest, blobSize: blob.size, blobMediaType: l.gz ? MEDIA_TYPES.dockerLayerGzip : MEDIA_TYPES.ociLayer };
  } catch (err) {
    await l.ingest.abort();
    throw err;
  }
}

/**
 * Applies one layer file (plain or gzip tar) into a new layer, verifying its diffID (and its blob
 * digest where the archive names one). The file itself then becomes the layer's blob, linked into
 * the content store, not recompressed: a plain tar is stored as an uncompressed layer (digest =
 * diffID, as `docker save` writes it again), a gzip one as it came. Recompressing every loaded
 * layer cost more than the rest of the load (dockerd keeps no blob at all); a push gzips an
 * uncompressed blob then, as dockerd does.
 */
async function applyLayer(deps: LoadDeps, file: string, blobDigest: string | undefined, parent: string | undefined, diffId: string, progress: ProgressSink, quiet: boolean, blobs: string[]): Promise<ImageLayerRecord> {
  const total = (await stat(file)).size;
  const head = Buffer.alloc(2);
  const fh = await open(file, 'r');
  await fh.read(head, 0, 2, 0);
  await fh.close();
  const gz = head[0] === GZIP[0] && head[1] === GZIP[1];
  const ingest = await deps.layers.prepare();
  try {
    const diffHash = createHash('sha256');
    const fileHash = gz ? createHash('sha256') : diffHash;
    let read = 0;
    let last = 0;
    const id = shortDigest(diffId);
    const count = new Transform({
      highWaterMark: 1 << 20,
      transform(chunk: Buffer, _enc, cb) {
        if (gz) fileHash.update(chunk);
        read += chunk.length;
        if (!quiet && performance.now() - last > 100) {
          last = performance.now();
          progress({ status: 'Loading layer', id, current: read, total });
        }
        cb(null, chunk);
      },
    });
    const tap = new Transform({
      highWaterMark: 1 << 20,
      transform(chunk: Buffer, _enc, cb) {
        diffHash.update(chunk);
        cb(null, chunk);
      },
    });
    const applying = ingest.apply(tap);
    try {
      await Promise.all([pipeline([createReadStream(file, { highWaterMark: 1 << 20 }), count, ...(gz ? [createGunzip({ chunkSize: 1 << 20 })] : []), tap] as unknown as [Readable, Transform]), applying]);
    } catch (err) {
      layerFailure(err, diffId);
    }
    const got = `sha256:${diffHash.digest('hex')}`;
    const fileDigest = gz ? `sha256:${fileHash.digest('hex')}` : got;
    checkLayerDigests(blobDigest, fileDigest, diffId, got);
    const { size } = await applying;
    const blob = await keepBlob(deps, file, fileDigest, blobs);
    const { layer } = await ingest.commit(parent, diffId, size);
    if (!quiet) progress({ status: 'Loading layer', id, current: total, total });
    return { diffId, chainId: layer.chainId, blobDigest: blob.digest, blobSize: blob.size, blobMediaType: gz ? MEDIA_TYPES.dockerLayerGzip : MEDIA_TYPES.ociLayer };
  } catch (err) {
    await ingest.abort();
    throw err;
  }
}

/** Yields the stream's first chunk back after peeking at it. */
async function peek(source: Readable): Promise<{ head: Buffer; stream: Readable }> {
  const it = (source as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const first = await it.next();
  const head = first.done ? Buffer.alloc(0) : first.value;
  async function* all(): AsyncGenerator<Buffer> {
    if (!first.done) yield first.value;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      yield n.value;
    }
  }
  return { head, stream: Readable.from(all(), { objectMode: false }) };
}
