import type { DaemonConfigSource } from '../../config/daemon-config';
import { notFound } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import type { RegistryCredentials } from '../../registry/auth';
import { pullEndpoints, shouldFallback, skipReason, type RegistryEndpoint } from '../../registry/endpoints';
import { RegistryError, isRegistryError, unsupportedError, verificationError } from '../../registry/errors';
import { hostPlatform, layerCompression, parseManifest, platformString, selectPlatform, type Descriptor, type ImageManifest, type Platform } from '../../registry/manifest';
import { familiarName, familiarString, repositoryName, type ImageReference } from '../../registry/reference';
import type { RegistryClient, RegistrySession } from '../../registry/registry-client';
import type { ContentStore } from '../../store/content/content-store';
import type { ImageLayerRecord, ImageRecord, ImageStore } from '../../store/images/image-store';
import { chainIds } from '../../store/layers/chain-id';
import type { LayerIngest, LayerStore } from '../../store/layers/layer-store';
import { parseImageConfig } from './image-config';
import { applyLayerBlob } from './layer-pipeline';
import type { LayerWorkerPool } from './layer-worker-pool';
import { ProgressThrottle, shortDigest, type ProgressSink } from './progress';

/** Tries per layer on network errors (moby retries 5 times; a loopback or LAN pull rarely needs more than 3). */
const LAYER_ATTEMPTS = 3;

export interface PullOptions {
  credentials?: RegistryCredentials;
  platform?: Platform;
  signal?: AbortSignal;
}

export interface PullResult {
  image: ImageRecord;
  /** The digest recorded as RepoDigest (the index digest for multi-platform images). */
  repoDigest: string;
  /** True when the tag already pointed at this image ("Image is up to date"). */
  upToDate: boolean;
  endpoint: RegistryEndpoint;
}

export interface PullerDeps {
  config: DaemonConfigSource;
  registry: RegistryClient;
  content: ContentStore;
  layers: LayerStore;
  images: ImageStore;
  log: Logger;
  /** Digests in-flight pulls depend on; blob GC must not delete them. */
  leases: Set<string>;
  /** Called after a failed pull to delete blobs nothing references any more. */
  gcBlobs: () => Promise<void>;
  /** Runs layer downloads on worker threads; without it they run in-process. */
  workers?: LayerWorkerPool;
}

/**
 * Pulls one image reference: endpoints in order (mirrors, then the registry), falling back as
 * dockerd does; per endpoint: manifest (index → linux/<arch>), config, then all missing layers
 * downloaded in parallel (max-concurrent-downloads), each streamed in ONE pass through
 * sha256(blob) + the content store + gunzip + sha256(diff) + the tar applier into a private layer
 * dir. Layers are committed bottom-up once verified; the image and its tags are written last.
 *
 * Everything the pull creates is held by references the pull owns; on failure they are released,
 * so no layer, blob or image of a failed pull remains. On success the image holds its top layer.
 */
export class Puller {
  /**
   * Layers being fetched by some pull, by ChainID: settles with the ChainID once committed. A
   * concurrent pull of an image sharing the layer waits on it instead of downloading it again.
   */
  private readonly inflight = new Map<string, Promise<string>>();

  constructor(private readonly deps: PullerDeps) {}

  /**
   * Waits for another pull's download of `chain`, then takes a reference on the committed layer.
   * Undefined when that pull failed or the layer is gone again: the caller downloads it itself.
   */
  private async awaitShared(other: Promise<string>, chain: string, signal: AbortSignal): Promise<string | undefined> {
    const aborted = new Promise<never>((_, reject) => {
      if (signal.aborted) reject(signal.reason ?? new Error('aborted'));
      signal.addEventListener('abort', () => reject(signal.reason ?? new Error('aborted')), { once: true });
    });
    aborted.catch(() => undefined);
    const ok = await Promise.race([other.then(() => true, () => false), aborted]);
    // Checked and retained in one synchronous step: the other pull may release it any moment now.
    if (!ok || !this.deps.layers.has(chain)) return undefined;
    this.deps.layers.retain(chain);
    return chain;
  }

  async pull(ref: ImageReference, opts: PullOptions, progress: ProgressSink): Promise<PullResult> {
    const endpoints = pullEndpoints(ref.domain, this.deps.config.current());
    const held: string[] = [];
    const leased: string[] = [];
    const withMirrors = endpoints.some((e) => e.mirror);
    let lastErr: unknown;
    try {
      for (let i = 0; i < endpoints.length; i++) {
        const ep = endpoints[i] as RegistryEndpoint;
        try {
          // Said once the endpoint has answered with the manifest: it is the one serving the pull
          // (unless it fails later, which is then reported as skipped too).
          const serving = (): void => {
            if (!withMirrors) return;
            progress({ status: `${ep.mirror ? 'Pulling from mirror' : 'Pulling from registry'} ${ep.url}` });
            progress({ status: '', aux: { BerthEndpoint: { url: ep.url, mirror: ep.mirror } } });
          };
          const result = await this.pullFrom(ep, ref, opts, progress, held, leased, serving);
          this.deps.log.info({ ref: familiarString(ref), endpoint: ep.url, imageId: result.image.id }, 'pulled');
          return result;
        } catch (err) {
          lastErr = err;
          const last = i === endpoints.length - 1;
          if (last || !shouldFallback(err, ep) || opts.signal?.aborted) throw err;
          const reason = skipReason(err);
          this.deps.log.info({ endpoint: ep.url, err: reason }, 'attempting next endpoint for pull after error');
          progress({ status: `${ep.mirror ? 'Mirror' : 'Registry'} ${ep.url} skipped: ${reason}` });
        }
      }
      throw lastErr;
    } catch (err) {
      throw translatePullError(err, ref);
    } finally {
      for (const chain of held) await this.deps.layers.release(chain).catch((e: unknown) => this.deps.log.error({ err: e, chain }, 'release failed'));
      for (const d of leased) this.deps.leases.delete(d);
      // Blobs a failed attempt left (verified or not) go unless an image uses them.
      await this.deps.gcBlobs().catch((e: unknown) => this.deps.log.error({ err: e }, 'blob gc failed'));
    }
  }

  private async pullFrom(ep: RegistryEndpoint, ref: ImageReference, opts: PullOptions, progress: ProgressSink, held: string[], leased: string[], serving: () => void): Promise<PullResult> {
    const session = this.deps.registry.session({ endpoint: ep, repository: ref.path, credentials: opts.credentials, actions: ['pull'], signal: opts.signal });
    const reference = ref.digest ?? ref.tag ?? 'latest';
    const top = await session.getManifest(reference);
    const repoDigest = top.digest;
    let parsed = parseManifest(top.bytes, top.contentType);
    let manifestBytes = top.bytes;
    let manifestDigest = top.digest;
    if (parsed.kind === 'index') {
      const want = opts.platform ?? hostPlatform();
      const chosen = selectPlatform(parsed, want);
      if (!chosen) throw new RegistryError('NotFound', 'NO_MATCHING_MANIFEST', `no matching manifest for ${platformString(want)} in the manifest list entries`, { category: 'unsupported' });
      const child = await session.getManifest(chosen.digest);
      parsed = parseManifest(child.bytes, child.contentType ?? chosen.mediaType);
      if (parsed.kind !== 'manifest') throw unsupportedError('NESTED_INDEX', 'manifest list entry is itself a list');
      manifestBytes = child.bytes;
      manifestDigest = child.digest;
    }
    const manifest: ImageManifest = parsed;
    serving();
    // dockerd names the repository path here, without the registry host (moby pull_v2).
    progress({ status: `Pulling from ${ref.path}`, id: reference });

    const repo = repositoryName(ref);
    const tagRef = ref.tag !== undefined ? `${repo}:${ref.tag}` : undefined;
    const digestRef = `${repo}@${repoDigest}`;
    const previous = tagRef !== undefined ? this.deps.images.lookupRef(tagRef) : this.deps.images.lookupRef(digestRef);

    let image = this.deps.images.get(manifest.config.digest);
    if (!image) {
      // Thread start-up overlaps the config fetch (a no-op when the workers are warm already).
      this.deps.workers?.warm(Math.min(manifest.layers.length, Math.max(1, this.deps.config.current().maxConcurrentDownloads)));
      const configBytes = await session.fetchBlob(manifest.config.digest, manifest.config.size);
      const config = parseImageConfig(configBytes);
      const layerDescs = manifest.layers.filter((l) => !l.mediaType.includes('foreign'));
      if (layerDescs.length !== config.rootfs.diff_ids.length) {
        throw verificationError('LAYER_COUNT_MISMATCH', `image config has ${config.rootfs.diff_ids.length} diff IDs but the manifest lists ${layerDescs.length} layers`);
      }
      for (const l of layerDescs) layerCompression(l.mediaType);
      const layerRecords = await this.fetchLayers(session, layerDescs, config.rootfs.diff_ids, progress, held, leased);
      this.deps.leases.add(manifestDigest);
      leased.push(manifestDigest);
      await this.deps.content.put(manifestBytes, manifestDigest);
      const { record, created } = await this.deps.images.put(configBytes, { layers: layerRecords, manifestDigest, manifestMediaType: manifest.mediaType });
      const topChain = layerRecords[layerRecords.length - 1]?.chainId;
      if (created && topChain !== undefined) this.deps.layers.retain(topChain);
      image = record;
    } else {
      // Image known: nothing to download, but report its layers as dockerd does.
      for (const l of manifest.layers) progress({ status: 'Already exists', id: shortDigest(l.digest) });
    }
    if (tagRef !== undefined) await this.deps.images.setRef(repo, tagRef, image.id);
    await this.deps.images.setRef(repo, digestRef, image.id);
    if (tagRef !== undefined && previous !== image.id) await this.deps.images.update(image.id, { lastTagTime: Date.now() });
    progress({ status: `Digest: ${repoDigest}` });
    const upToDate = previous === image.id;
    progress({ status: `Status: ${upToDate ? 'Image is up to date' : 'Downloaded newer image'} for ${familiarString(ref)}` });
    return { image: this.deps.images.get(image.id) ?? image, repoDigest, upToDate, endpoint: ep };
  }

  /**
   * Downloads and applies every layer not present yet; returns the image's layer records.
   * Present chains are retained (into `held`) so a concurrent rmi cannot pull them away.
   */
  private async fetchLayers(session: RegistrySession, descs: Descriptor[], diffIds: string[], progress: ProgressSink, held: string[], leased: string[]): Promise<ImageLayerRecord[]> {
    const chains = chainIds(diffIds);
    const records: ImageLayerRecord[] = descs.map((d, i) => ({ diffId: diffIds[i] as string, chainId: chains[i] as string, blobDigest: d.digest, blobSize: d.size, blobMediaType: d.mediaType }));
    const missing: number[] = [];
    for (let i = 0; i < descs.length; i++) {
      const chain = chains[i] as string;
      if (missing.length === 0 && this.deps.layers.has(chain)) {
        this.deps.layers.retain(chain);
        held.push(chain);
        progress({ status: 'Already exists', id: shortDigest((descs[i] as Descriptor).digest) });
      } else missing.push(i);
    }
    if (missing.length === 0) return records;
    const limit = Math.max(1, this.deps.config.current().maxConcurrentDownloads);
    for (const i of missing) progress({ status: 'Pulling fs layer', id: shortDigest((descs[i] as Descriptor).digest) });
    missing.slice(limit).forEach((i) => progress({ status: 'Waiting', id: shortDigest((descs[i] as Descriptor).digest) }));

    const abort = new AbortController();
    const outer = session.opts.signal;
    const onOuterAbort = (): void => abort.abort(outer?.reason);
    outer?.addEventListener('abort', onOuterAbort, { once: true });
    const ingests = new Map<number, LayerIngest>();
    let firstError: unknown;
    let slots = limit;
    const queue: (() => void)[] = [];
    const acquire = (): Promise<void> => (slots > 0 ? (slots--, Promise.resolve()) : new Promise((r) => queue.push(r)));
    const releaseSlot = (): void => {
      const next = queue.shift();
      if (next) next();
      else slots++;
    };
    // Layer i commits after layer i-1 (its parent): a chain of promises in index order.
    let parentCommitted: Promise<string | undefined> = Promise.resolve(missing[0] === 0 ? undefined : chains[(missing[0] as number) - 1]);
    /** Downloads layer i into a private ingest (now) and commits it once its parent is committed. */
    const ownLayer = (i: number, prev: Promise<string | undefined>): Promise<string> => {
      const desc = descs[i] as Descriptor;
      const id = shortDigest(desc.digest);
      const downloaded = (async () => {
        await acquire();
        try {
          if (abort.signal.aborted) throw abort.signal.reason ?? new Error('aborted');
          const ingest = await this.deps.layers.prepare();
          ingests.set(i, ingest);
          this.deps.leases.add(desc.digest);
          leased.push(desc.digest);
          // moby's retryOnError: a dropped connection is retried (after 1 s, then 2 s); registry
          // answers and verification failures are not.
          for (let attempt = 1; ; attempt++) {
            try {
              return await this.downloadLayer(session, desc, diffIds[i] as string, ingest, progress, abort.signal);
            } catch (err) {
              if (attempt >= LAYER_ATTEMPTS || abort.signal.aborted || !(isRegistryError(err) && err.category === 'network')) throw err;
              const delay = attempt;
              this.deps.log.info({ layer: desc.digest, err: err.message, attempt }, 'layer download failed; retrying');
              progress({ status: `Retrying in ${delay} second${delay === 1 ? '' : 's'}`, id });
              await ingest.reset();
              await new Promise((r) => setTimeout(r, delay * 1000));
            }
          }
        } finally {
          releaseSlot();
        }
      })();
      return (async () => {
        const size = await downloaded;
        const parent = await prev;
        const ingest = ingests.get(i) as LayerIngest;
        const { layer } = await ingest.commit(parent, diffIds[i] as string, size);
        ingests.delete(i);
        held.push(layer.chainId);
        progress({ status: 'Pull complete', id });
        return layer.chainId;
      })();
    };
    const tasks = missing.map((i) => {
      const chain = chains[i] as string;
      const prev = parentCommitted;
      const other = this.inflight.get(chain);
      let committed: Promise<string>;
      if (other) {
        // Another pull is fetching this very layer: wait for it instead of downloading it again
        // (dockerd shares downloads the same way). If it fails, fetch it ourselves.
        progress({ status: 'Waiting', id: shortDigest((descs[i] as Descriptor).digest) });
        committed = this.awaitShared(other, chain, abort.signal).then((got) => {
          if (got === undefined) return ownLayer(i, prev);
          held.push(chain);
          progress({ status: 'Pull complete', id: shortDigest((descs[i] as Descriptor).digest) });
          return got;
        });
      } else {
        committed = ownLayer(i, prev);
        this.inflight.set(chain, committed);
        const forget = (): void => {
          if (this.inflight.get(chain) === committed) this.inflight.delete(chain);
        };
        committed.then(forget, forget);
      }
      parentCommitted = committed;
      return committed.catch((err: unknown) => {
        firstError ??= err;
        abort.abort(err);
        throw err;
      });
    });
    try {
      await Promise.allSettled(tasks);
      if (firstError !== undefined) throw firstError;
      return records;
    } finally {
      outer?.removeEventListener('abort', onOuterAbort);
      for (const ingest of ingests.values()) await ingest.abort();
    }
  }

  /**
   * One layer: in a layer worker when the pool is configured (hashing, inflate and tar parsing
   * then run beside the main thread), else in-process; same pipeline either way (`applyLayerBlob`).
   * A worker's 401 means the token needs the session's challenge dance: retried in-process.
   */
  private async downloadLayer(session: RegistrySession, desc: Descriptor, diffId: string, ingest: LayerIngest, progress: ProgressSink, signal: AbortSignal): Promise<number> {
    const id = shortDigest(desc.digest);
    const started = performance.now();
    const throttle = new ProgressThrottle(progress);
    throttle.emit({ status: 'Downloading', id, current: 0, total: desc.size }, true);
    const onBytes = (received: number): void => throttle.emit({ status: 'Downloading', id, current: received, total: desc.size });
    const job = { digest: desc.digest, size: desc.size, mediaType: desc.mediaType, diffId };
    const inProcess = async (): Promise<number> => {
      const blob = await session.openBlob(desc.digest);
      return (await applyLayerBlob(job, blob.stream, { content: this.deps.content, apply: (tar) => ingest.apply(tar), onBytes }, signal)).size;
    };
    let size: number;
    const workers = this.deps.workers;
    if (workers) {
      try {
        size = await workers.run(
          { ...job, ...session.blobRequest(desc.digest), diffDir: ingest.diffDir, contentRoot: this.deps.content.rootDir, fsutilBinary: this.deps.layers.fsutilBinary },
          onBytes,
          signal,
          Math.max(1, this.deps.config.current().maxConcurrentDownloads),
        );
      } catch (err) {
        if (!(isRegistryError(err) && err.status === 401) || signal.aborted) throw err;
        await ingest.reset();
        size = await inProcess();
      }
    } else {
      size = await inProcess();
    }
    throttle.emit({ status: 'Downloading', id, current: desc.size, total: desc.size }, true);
    progress({ status: 'Verifying Checksum', id });
    progress({ status: 'Download complete', id });
    progress({ status: 'Extracting', id, current: desc.size, total: desc.size });
    this.deps.log.debug({ layer: desc.digest, bytes: desc.size, ms: Math.round(performance.now() - started), worker: workers !== undefined }, 'layer downloaded and applied');
    return size;
  }
}

/** moby `translatePullError`: registry "not found"-like failures become Docker's 404 messages. */
export function translatePullError(err: unknown, ref: ImageReference): unknown {
  if (!isRegistryError(err)) return err;
  if (err.category !== 'registry' && err.kind !== 'Unauthorized') return err;
  if (err.hasRegistryCode('MANIFEST_UNKNOWN')) {
    return notFound('MANIFEST_UNKNOWN', `manifest for ${familiarString(ref)} not found: manifest unknown: ${err.details[0]?.message ?? ''}`.trim(), err);
  }
  // An Unauthorized status must not reach the CLI as 401 on pull: it would prompt for a login.
  if (err.hasRegistryCode('DENIED', 'NAME_UNKNOWN', 'UNAUTHORIZED') || err.kind === 'Unauthorized' || err.kind === 'Forbidden') {
    return notFound('PULL_ACCESS_DENIED', `pull access denied for ${familiarName(ref)}, repository does not exist or may require 'docker login': ${err.details[0]?.code.toLowerCase() ?? ''}: ${err.details[0]?.message ?? ''}`, err);
  }
  return err;
}

