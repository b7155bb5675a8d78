import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { DaemonConfigSource } from '../../config/daemon-config';
import { conflict, invalidArgument, notFound, unavailable } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import { familiarString, isImageIdLike, parseReference, referenceFromPullQuery, repositoryName, validateTag, type ImageReference } from '../../registry/reference';
import type { RegistryClient } from '../../registry/registry-client';
import type { ContentStore } from '../../store/content/content-store';
import type { ImageRecord, ImageStore } from '../../store/images/image-store';
import type { LayerStore } from '../../store/layers/layer-store';
import { layerHistory, parseImageConfig, type ImageConfigDoc } from './image-config';
import { importLayerImage, type ImportOptions } from './importer';
import { commitLayer, type CommitLayerInput, type CommitLayerResult } from './image-commit';
import { loadImages, type LoadResult } from './image-load';
import { saveImages, type SaveItem } from './image-save';
import type { XattrSource } from '../../store/layers/layer-tar-writer';
import type { LayerWorkerPool } from './layer-worker-pool';
import type { ProgressSink } from './progress';
import { Puller, type PullOptions, type PullResult } from './puller';

/** A container using an image, as the containers engine reports it. */
export interface ImageUser {
  containerId: string;
  running: boolean;
}

/** Answers "which containers use image X" (set by the containers engine; none until it is). */
export type ImageUsageChecker = (imageId: string) => Promise<ImageUser[]>;

export interface ImageSummary {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  /** Unix seconds, from the config's `created`. */
  created: number;
  size: number;
  /** Bytes of layers shared with other images; -1 unless computed. */
  sharedSize: number;
  labels: Record<string, string>;
  /** Containers using it; -1 unless computed. */
  containers: number;
}

export interface ImageDetails {
  id: string;
  repoTags: string[];
  repoDigests: string[];
  config: ImageConfigDoc;
  size: number;
  diffIds: string[];
  graphDriver: { lowerDir?: string; upperDir?: string; mergedDir?: string; workDir?: string };
  lastTagTime?: number;
  /** The image a build step made this one from. */
  parent?: string;
}

export interface HistoryItem {
  id: string;
  /** Unix seconds. */
  created: number;
  createdBy: string;
  tags: string[] | null;
  size: number;
  comment: string;
}

export type DeleteItem = { untagged: string } | { deleted: string };

export interface ImageDiskUsage {
  layersSize: number;
  images: ImageSummary[];
}

export interface ImageLayerView {
  chainId: string;
  diffId: string;
  blobDigest?: string;
  size: number;
  /** True when another image uses this layer too. */
  shared: boolean;
  /** The other images using it (first tag, else short ID). */
  sharedWith: string[];
  /** The history step that created it, when the config says. */
  createdBy?: string;
  diffDir: string;
}

export interface ImageServiceDeps {
  config: DaemonConfigSource;
  registry: RegistryClient;
  content: ContentStore;
  layers: LayerStore;
  images: ImageStore;
  log: Logger;
  imageUsage?: ImageUsageChecker;
  /** Worker threads for layer downloads; in-process when absent (tests, or no worker bundle). */
  layerWorkers?: LayerWorkerPool;
  /** berth-getxattr over a directory (opaque dirs), for commits and save; both are refused without it. */
  openXattrs?: (root: string) => XattrSource;
  /** Scratch space on the data-root disk for save and load (staged archives and layer tars). */
  tempDir?: string;
  /**
   * dockerd's image events (`docker events`): pull (actor = the reference), tag (actor = image ID,
   * name = new tag), untag, delete and import (actor = image ID).
   */
  publishEvent?: (action: 'pull' | 'tag' | 'untag' | 'delete' | 'import' | 'load', actorId: string, attributes: Record<string, string>) => void;
}

const HEX_PREFIX = /^(?:sha256:)?([0-9a-f]{1,64})$/;

function createdSeconds(cfg: ImageConfigDoc): number {
  const t = cfg.created ? Date.parse(cfg.created) : NaN;
  return Number.isFinite(t) ? Math.floor(t / 1000) : 0;
}

/**
 * The image use cases behind `/images/*` and `/system/df`: pull (through mirrors), import,
 * list, inspect, history, tag, delete, prune and disk usage. It owns the policy that ties the
 * stores together: an image holds one reference on its top layer; blobs live while an image or
 * an in-flight pull needs them.
 */
export class ImageService {
  private readonly leases = new Set<string>();
  private readonly puller: Puller;
  private usage: ImageUsageChecker;

  constructor(private readonly deps: ImageServiceDeps) {
    this.usage = deps.imageUsage ?? (async () => []);
    this.puller = new Puller({ ...deps, leases: this.leases, gcBlobs: () => this.gcBlobs(), ...(deps.layerWorkers ? { workers: deps.layerWorkers } : {}) });
  }

  /** Lets the containers engine (built after this service) answer "is image X used". */
  setImageUsageChecker(fn: ImageUsageChecker): void {
    this.usage = fn;
  }

  /**
   * Loads the stores and repairs what a crash may have left: every image re-takes its top-layer
   * reference, then layers and blobs no image holds are deleted (a pull killed midway).
   */
  async init(): Promise<void> {
    const { content, layers, images, log } = this.deps;
    await content.init();
    await layers.init();
    await images.init();
    for (const img of images.list()) {
      const top = img.layers[img.layers.length - 1]?.chainId;
      if (top === undefined) continue;
      if (layers.has(top)) layers.retain(top);
      else {
        log.warn({ imageId: img.id }, 'image lost its layers; removing it');
        for (const ref of images.refsOf(img.id)) await images.removeRef(ref);
        await images.delete(img.id);
      }
    }
    const swept = await layers.sweep();
    if (swept.length > 0) log.info({ layers: swept.length }, 'removed layers no image references (interrupted pulls)');
    await this.gcBlobs();
  }

  count(): number {
    return this.deps.images.list().length;
  }

  // ---- pull / import ---------------------------------------------------------------------------

  /** `fromImage` + `tag` as the API receives them. */
  parsePullReference(fromImage: string, tag: string | undefined): ImageReference {
    return referenceFromPullQuery(fromImage, tag);
  }

  async pull(ref: ImageReference, opts: PullOptions, progress: ProgressSink): Promise<PullResult> {
    const result = await this.puller.pull(ref, opts, progress);
    const name = familiarString(ref);
    this.event('pull', name, { name });
    return result;
  }

  private event(action: Parameters<NonNullable<ImageServiceDeps['publishEvent']>>[0], actorId: string, attributes: Record<string, string>): void {
    try {
      this.deps.publishEvent?.(action, actorId, attributes);
    } catch (err) {
      this.deps.log.error({ err, action }, 'publishing an image event failed');
    }
  }

  async importImage(source: Readable, opts: ImportOptions, progress: ProgressSink): Promise<ImageRecord> {
    const ref = opts.repo ? this.parseTagTarget(opts.repo, opts.tag) : undefined;
    const record = await importLayerImage({ content: this.deps.content, layers: this.deps.layers, images: this.deps.images, leases: this.leases }, source, opts);
    if (ref) await this.setTag(ref, record.id);
    this.event('import', record.id, { name: record.id });
    progress({ status: record.id });
    await this.gcBlobs();
    return record;
  }

  /**
   * A new image from a directory in overlay form on top of `parentImageId` (see image-commit.ts):
   * `docker commit` and build steps. With `repo`, the image is tagged `repo[:tag]` (latest).
   */
  async commitLayer(input: CommitLayerInput, target?: { repo: string; tag?: string }): Promise<CommitLayerResult> {
    const { openXattrs } = this.deps;
    if (!openXattrs) throw unavailable('COMMIT_UNAVAILABLE', 'this daemon was started without the xattr helper; commit is unavailable');
    // Validate the tag first: a bad name must not leave an untagged image behind.
    const ref = target && target.repo !== '' ? this.parseTagTarget(target.repo, target.tag) : undefined;
    const result = await commitLayer({ layers: this.deps.layers, images: this.deps.images, openXattrs }, input);
    if (ref) await this.setTag(ref, result.image.id);
    return result;
  }

  /**
   * `docker save` (image-save.ts): `names` as the CLI sends them. A name-only reference saves every
   * tag of that repository, `name:tag` that tag, an ID the image without tags (as dockerd).
   */
  async save(names: string[]): Promise<Readable> {
    const { openXattrs, tempDir } = this.deps;
    if (!openXattrs || !tempDir) throw unavailable('SAVE_UNAVAILABLE', 'this daemon was started without the xattr helper or a temp dir; save is unavailable');
    if (names.length === 0) throw invalidArgument('NO_NAMES', 'no image names given');
    const items = new Map<string, SaveItem>();
    const add = (id: string, ref?: ImageReference): void => {
      let it = items.get(id);
      if (!it) {
        it = { image: this.deps.images.get(id) as ImageRecord, tags: [] };
        items.set(id, it);
      }
      if (ref?.tag !== undefined && !it.tags.some((t) => t.full === `${repositoryName(ref)}:${ref.tag}`)) {
        it.tags.push({ familiar: familiarString(ref), full: `${repositoryName(ref)}:${ref.tag}`, tag: ref.tag });
      }
    };
    for (const name of names) {
      let ref: ImageReference | undefined;
      try {
        ref = isImageIdLike(name) || /^sha256:/.test(name) ? undefined : parseReference(name);
      } catch {
        ref = undefined;
      }
      if (ref && ref.tag === undefined && ref.digest === undefined) {
        const repo = repositoryName(ref);
        const tagged = this.deps.images.allRefs().filter(([r]) => r.startsWith(`${repo}:`));
        if (tagged.length > 0) {
          for (const [r, id] of tagged) add(id, parseReference(r));
          continue;
        }
      }
      const img = this.resolve(name);
      add(img.id, ref && ref.digest === undefined ? { ...ref, tag: ref.tag ?? 'latest' } : undefined);
    }
    // A layer record without its blob (e.g. shared with an image pulled later) borrows another image's.
    const blobOf = new Map<string, ImageRecord['layers'][number]>();
    for (const img of this.deps.images.list()) for (const l of img.layers) if (l.blobDigest !== undefined && !blobOf.has(l.chainId)) blobOf.set(l.chainId, l);
    const list = [...items.values()].map((it) => ({ ...it, image: { ...it.image, layers: it.image.layers.map((l) => (l.blobDigest === undefined ? (blobOf.get(l.chainId) ?? l) : l)) } }));
    return saveImages({ content: this.deps.content, layers: this.deps.layers, images: this.deps.images, openXattrs, tempDir }, list);
  }

  /** `docker load` (image-load.ts); the lines are what the CLI prints. */
  async load(source: Readable, opts: { quiet: boolean; signal?: AbortSignal }, progress: ProgressSink): Promise<LoadResult> {
    const { tempDir } = this.deps;
    if (!tempDir) throw unavailable('LOAD_UNAVAILABLE', 'this daemon was started without a temp dir; load is unavailable');
    try {
      const result = await loadImages({ content: this.deps.content, layers: this.deps.layers, images: this.deps.images, leases: this.leases, tempDir }, source, progress, opts);
      for (const line of result.lines) {
        const m = /^Loaded image(?: ID)?: (.*)$/.exec(line);
        if (m) this.event('load', m[1] as string, { name: m[1] as string });
      }
      return result;
    } finally {
      await this.gcBlobs();
    }
  }

  // ---- queries ---------------------------------------------------------------------------------

  /** Resolves a name as the CLI passes it: full/short ID, `name[:tag]`, `name@digest`. Throws NotFound. */
  resolve(name: string): ImageRecord {
    const { images } = this.deps;
    const byId = /^sha256:[0-9a-f]{64}$/.test(name) ? name : isImageIdLike(name) ? `sha256:${name}` : undefined;
    if (byId) {
      const img = images.get(byId);
      if (img) return img;
      throw notFound('IMAGE_NOT_FOUND', `No such image: ${name}`);
    }
    let ref: ImageReference | undefined;
    try {
      ref = parseReference(name);
    } catch {
      ref = undefined;
    }
    if (ref) {
      const repo = repositoryName(ref);
      const key = ref.digest !== undefined ? `${repo}@${ref.digest}` : `${repo}:${ref.tag ?? 'latest'}`;
      const id = images.lookupRef(key);
      if (id) return images.get(id) as ImageRecord;
    }
    const hex = HEX_PREFIX.exec(name)?.[1];
    if (hex !== undefined) {
      const found = images.findByIdPrefix(hex);
      if (found.length === 1) return images.get(found[0] as string) as ImageRecord;
      if (found.length > 1) throw invalidArgument('AMBIGUOUS_IMAGE_ID', `multiple IDs found with provided prefix: ${name}`);
    }
    throw notFound('IMAGE_NOT_FOUND', `No such image: ${name}`);
  }

  configOf(id: string): ImageConfigDoc {
    return parseImageConfig(this.deps.images.config(id));
  }

  private refsFor(id: string): { tags: string[]; digests: string[] } {
    const tags: string[] = [];
    const digests: string[] = [];
    for (const ref of this.deps.images.refsOf(id)) {
      let parsed: ImageReference;
      try {
        parsed = parseReference(ref);
      } catch {
        continue;
      }
      if (parsed.digest !== undefined) digests.push(familiarString(parsed));
      else tags.push(familiarString(parsed));
    }
    return { tags, digests };
  }

  private imageSize(img: ImageRecord): number {
    let size = 0;
    for (const l of img.layers) size += this.deps.layers.get(l.chainId)?.size ?? 0;
    return size;
  }

  async list(opts: { filters?: Map<string, string[]>; sharedSize?: boolean; all?: boolean } = {}): Promise<ImageSummary[]> {
    const filters = opts.filters ?? new Map<string, string[]>();
    for (const key of filters.keys()) {
      if (!['dangling', 'reference', 'label', 'before', 'since'].includes(key)) throw invalidArgument('INVALID_FILTER', `invalid filter '${key}'`);
    }
    const usage = opts.sharedSize ? this.layerUsage() : undefined;
    const beforeTimes = (filters.get('before') ?? []).map((n) => createdSeconds(this.configOf(this.resolve(n).id)));
    const sinceTimes = (filters.get('since') ?? []).map((n) => createdSeconds(this.configOf(this.resolve(n).id)));
    const out: ImageSummary[] = [];
    // Like dockerd, `docker images` hides untagged images another image was built on (build steps) unless -a.
    const parents = new Set(this.deps.images.list().flatMap((i) => (i.parent !== undefined ? [i.parent] : [])));
    for (const img of this.deps.images.list()) {
      const cfg = this.configOf(img.id);
      const { tags, digests } = this.refsFor(img.id);
      if (!opts.all && tags.length === 0 && parents.has(img.id)) continue;
      const labels = cfg.config?.Labels ?? {};
      const dangling = filters.get('dangling');
      if (dangling && dangling.length > 0) {
        const want = dangling[0] === 'true' || dangling[0] === '1';
        if (want !== (tags.length === 0)) continue;
      }
      const refPatterns = filters.get('reference');
      if (refPatterns && refPatterns.length > 0 && !tags.some((t) => refPatterns.some((p) => matchReference(p, t)))) continue;
      const labelFilters = filters.get('label');
      if (labelFilters && !labelFilters.every((f) => matchLabel(f, labels))) continue;
      const created = createdSeconds(cfg);
      if (beforeTimes.some((t) => created >= t) || sinceTimes.some((t) => created <= t)) continue;
      let sharedSize = -1;
      if (usage) {
        sharedSize = 0;
        for (const l of img.layers) if ((usage.get(l.chainId) ?? 0) > 1) sharedSize += this.deps.layers.get(l.chainId)?.size ?? 0;
      }
      out.push({ id: img.id, repoTags: tags, repoDigests: digests, created, size: this.imageSize(img), sharedSize, labels, containers: -1 });
    }
    return out.sort((a, b) => b.created - a.created || a.id.localeCompare(b.id));
  }

  /** How many images use each layer chain. */
  private layerUsage(): Map<string, number> {
    const usage = new Map<string, number>();
    for (const img of this.deps.images.list()) for (const l of img.layers) usage.set(l.chainId, (usage.get(l.chainId) ?? 0) + 1);
    return usage;
  }

  inspect(name: string): ImageDetails {
    const img = this.resolve(name);
    const cfg = this.configOf(img.id);
    const { tags, digests } = this.refsFor(img.id);
    const graphDriver: ImageDetails['graphDriver'] = {};
    const top = img.layers[img.layers.length - 1];
    if (top) {
      const chain = this.deps.layers.chain(top.chainId);
      const dir = join(this.deps.layers.overlayRoot, (chain[0] as { cacheId: string }).cacheId);
      graphDriver.mergedDir = join(dir, 'merged');
      graphDriver.upperDir = join(dir, 'diff');
      graphDriver.workDir = join(dir, 'work');
      if (chain.length > 1) graphDriver.lowerDir = chain.slice(1).map((l) => join(this.deps.layers.overlayRoot, l.cacheId, 'diff')).join(':');
    }
    return { id: img.id, repoTags: tags, repoDigests: digests, config: cfg, size: this.imageSize(img), diffIds: cfg.rootfs.diff_ids, graphDriver, ...(img.lastTagTime !== undefined ? { lastTagTime: img.lastTagTime } : {}), ...(img.parent !== undefined ? { parent: img.parent } : {}) };
  }

  history(name: string): HistoryItem[] {
    const img = this.resolve(name);
    const cfg = this.configOf(img.id);
    const rows = layerHistory(cfg);
    const items: HistoryItem[] = [];
    const sizeOf = (i: number | undefined): number => {
      if (i === undefined) return 0;
      const chain = img.layers[i]?.chainId;
      return chain ? (this.deps.layers.get(chain)?.size ?? 0) : 0;
    };
    if (rows.length === 0) {
      img.layers.forEach((_, i) => items.push({ id: '<missing>', created: createdSeconds(cfg), createdBy: '', tags: null, size: sizeOf(i), comment: '' }));
    } else {
      for (const { row, layerIndex } of rows) {
        const t = row.created ? Date.parse(row.created) : NaN;
        items.push({ id: '<missing>', created: Number.isFinite(t) ? Math.floor(t / 1000) : 0, createdBy: row.created_by ?? '', tags: null, size: sizeOf(layerIndex), comment: row.comment ?? '' });
      }
    }
    items.reverse();
    // As dockerd: rows made by build steps here show their step image (the parent chain), the rest <missing>.
    let cur: ImageRecord | undefined = img;
    for (const item of items) {
      if (!cur) break;
      item.id = cur.id;
      const t = this.refsFor(cur.id).tags;
      item.tags = t.length > 0 ? t : null;
      cur = cur.parent !== undefined ? this.deps.images.get(cur.parent) : undefined;
    }
    return items;
  }

  layersOf(name: string): ImageLayerView[] {
    const img = this.resolve(name);
    const users = new Map<string, string[]>();
    for (const other of this.deps.images.list()) {
      if (other.id === img.id) continue;
      const label = this.refsFor(other.id).tags[0] ?? other.id.slice(7, 19);
      for (const l of other.layers) users.set(l.chainId, [...(users.get(l.chainId) ?? []), label]);
    }
    const createdBy = new Map<number, string>();
    for (const { row, layerIndex } of layerHistory(this.configOf(img.id))) if (layerIndex !== undefined && row.created_by) createdBy.set(layerIndex, row.created_by);
    return img.layers.map((l, i) => {
      const sharedWith = users.get(l.chainId) ?? [];
      return {
        ...(createdBy.has(i) ? { createdBy: createdBy.get(i) as string } : {}),
        chainId: l.chainId,
        diffId: l.diffId,
        ...(l.blobDigest !== undefined ? { blobDigest: l.blobDigest } : {}),
        size: this.deps.layers.get(l.chainId)?.size ?? 0,
        shared: sharedWith.length > 0,
        sharedWith,
        diffDir: this.deps.layers.diffDir(l.chainId),
      };
    });
  }

  async diskUsage(): Promise<ImageDiskUsage> {
    const images = await this.list({ sharedSize: true });
    for (const img of images) img.containers = (await this.usage(img.id)).length;
    const layersSize = this.deps.layers.list().reduce((n, l) => n + l.size, 0);
    return { layersSize, images };
  }

  // ---- mutations -------------------------------------------------------------------------------

  /** Parses `repo` (+ optional separate `tag`) as a tag target: a digest is not allowed. */
  parseTagTarget(repo: string, tag: string | undefined): ImageReference {
    const ref = parseReference(repo);
    if (ref.digest !== undefined) throw invalidArgument('INVALID_TAG_TARGET', 'refusing to create a tag with a digest reference');
    const t = tag !== undefined && tag !== '' ? validateTag(tag) : (ref.tag ?? 'latest');
    return { domain: ref.domain, path: ref.path, tag: t };
  }

  async tag(source: string, repo: string, tag: string | undefined): Promise<void> {
    const img = this.resolve(source);
    const target = this.parseTagTarget(repo, tag);
    await this.setTag(target, img.id);
  }

  private async setTag(ref: ImageReference, id: string): Promise<void> {
    const repo = repositoryName(ref);
    await this.deps.images.setRef(repo, `${repo}:${ref.tag ?? 'latest'}`, id);
    await this.deps.images.update(id, { lastTagTime: Date.now() });
    this.event('tag', id, { name: familiarString(ref) });
  }

  /**
   * `docker rmi` (moby ImageDelete): by reference, untag (and the repo's digest refs when no tag
   * of that repo is left); if no reference remains, delete the image and every layer only it used.
   * By ID, untag everything (409 without force if several repositories refer to it). A container
   * using the image blocks deletion: 409 unless forced; a running one even with force.
   */
  async remove(name: string, opts: { force?: boolean } = {}): Promise<DeleteItem[]> {
    const { images } = this.deps;
    const img = this.resolve(name);
    const short = img.id.slice(7, 19);
    const records: DeleteItem[] = [];
    const users = await this.usage(img.id);
    const running = users.find((u) => u.running);
    const byId = HEX_PREFIX.test(name) && !images.lookupRef(this.refKeyOf(name) ?? '');
    const refs = images.refsOf(img.id);

    if (!byId) {
      const key = this.refKeyOf(name) as string;
      const parsed = parseReference(key);
      const remaining = refs.filter((r) => r !== key);
      const repo = repositoryName(parsed);
      const lastOfRepo = parsed.digest === undefined && !remaining.some((r) => r.startsWith(`${repo}:`));
      const afterRemoval = lastOfRepo ? remaining.filter((r) => !r.startsWith(`${repo}@`)) : remaining;
      if (afterRemoval.length === 0 && users.length > 0 && !opts.force) {
        throw conflict('IMAGE_IN_USE', `conflict: unable to remove repository reference "${name}" (must force) - container ${(users[0] as ImageUser).containerId.slice(0, 12)} is using its referenced image ${short}`);
      }
      records.push(await this.untag(key, img.id));
      if (lastOfRepo) {
        for (const r of remaining.filter((x) => x.startsWith(`${repo}@`))) records.push(await this.untag(r, img.id));
      }
      if (afterRemoval.length > 0) return records;
      if (running) return records;
    } else {
      const repos = new Set(refs.map((r) => repositoryName(parseReference(r))));
      if (repos.size > 1 && !opts.force) throw conflict('IMAGE_MULTIPLE_REPOS', `conflict: unable to delete ${short} (must be forced) - image is referenced in multiple repositories`);
      if (running) throw conflict('IMAGE_IN_USE', `conflict: unable to delete ${short} (cannot be forced) - image is being used by running container ${running.containerId.slice(0, 12)}`);
      if (users.length > 0 && !opts.force) throw conflict('IMAGE_IN_USE', `conflict: unable to delete ${short} (must be forced) - image is being used by stopped container ${(users[0] as ImageUser).containerId.slice(0, 12)}`);
      for (const r of refs) records.push(await this.untag(r, img.id));
    }
    records.push(...(await this.deleteImage(img)).records);
    return records;
  }

  private async untag(ref: string, imageId: string): Promise<DeleteItem> {
    await this.deps.images.removeRef(ref);
    const name = familiarString(parseReference(ref));
    this.event('untag', imageId, { name });
    return { untagged: name };
  }

  /** The stored reference key a user-typed name refers to, if it parses as a reference. */
  private refKeyOf(name: string): string | undefined {
    try {
      const ref = parseReference(name);
      const repo = repositoryName(ref);
      const key = ref.digest !== undefined ? `${repo}@${ref.digest}` : `${repo}:${ref.tag ?? 'latest'}`;
      return this.deps.images.lookupRef(key) !== undefined ? key : undefined;
    } catch {
      return undefined;
    }
  }

  /** Deletes an untagged image and releases its layers; returns the records and the bytes freed. */
  private async deleteImage(img: ImageRecord): Promise<{ records: DeleteItem[]; freed: number }> {
    await this.deps.images.delete(img.id);
    this.event('delete', img.id, { name: img.id });
    const records: DeleteItem[] = [{ deleted: img.id }];
    let freed = 0;
    const top = img.layers[img.layers.length - 1]?.chainId;
    if (top !== undefined) {
      const sizes = new Map(this.deps.layers.chain(top).map((l) => [l.chainId, l.size]));
      for (const chain of await this.deps.layers.release(top)) {
        records.push({ deleted: chain });
        freed += sizes.get(chain) ?? 0;
      }
    }
    await this.gcBlobs();
    return { records, freed };
  }

  /** Deletes an untagged image no container uses (build cache pruning); false when something holds it. */
  async removeIfUnused(id: string): Promise<boolean> {
    const img = this.deps.images.get(id);
    if (!img) return false;
    if (this.deps.images.refsOf(id).length > 0 || (await this.usage(id)).length > 0) return false;
    await this.deleteImage(img);
    return true;
  }

  /** `docker image prune`: dangling images (or, with dangling=false, all unused ones). */
  async prune(filters: Map<string, string[]> = new Map()): Promise<{ deleted: DeleteItem[]; spaceReclaimed: number }> {
    for (const key of filters.keys()) if (!['dangling', 'label', 'until'].includes(key)) throw invalidArgument('INVALID_FILTER', `invalid filter '${key}'`);
    const danglingOnly = !['false', '0'].includes(filters.get('dangling')?.[0] ?? 'true');
    const labelFilters = filters.get('label') ?? [];
    const deleted: DeleteItem[] = [];
    let reclaimed = 0;
    for (const img of this.deps.images.list()) {
      const refs = this.deps.images.refsOf(img.id);
      const tags = refs.filter((r) => !r.includes('@'));
      if (danglingOnly && tags.length > 0) continue;
      if (!labelFilters.every((f) => matchLabel(f, this.configOf(img.id).config?.Labels ?? {}))) continue;
      if ((await this.usage(img.id)).length > 0) continue;
      for (const r of refs) deleted.push(await this.untag(r, img.id));
      const { records, freed } = await this.deleteImage(img);
      deleted.push(...records);
      reclaimed += freed;
    }
    return { deleted, spaceReclaimed: reclaimed };
  }

  /** Deletes content-store blobs no image and no in-flight pull refers to. */
  async gcBlobs(): Promise<void> {
    const keep = new Set(this.leases);
    for (const img of this.deps.images.list()) {
      if (img.manifestDigest) keep.add(img.manifestDigest);
      for (const l of img.layers) if (l.blobDigest) keep.add(l.blobDigest);
    }
    for (const d of await this.deps.content.list()) if (!keep.has(d)) await this.deps.content.delete(d);
  }
}

/** `reference` filter: a familiar `repo[:tag]` glob (`busy*`, `busybox:1.*`). */
function matchReference(pattern: string, tag: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '.')}$`);
  if (re.test(tag)) return true;
  const name = tag.replace(/:[^:/]*$/, '');
  return re.test(name);
}

function matchLabel(filter: string, labels: Record<string, string>): boolean {
  const i = filter.indexOf('=');
  if (i === -1) return filter in labels;
  return labels[filter.slice(0, i)] === filter.slice(i + 1);
}
