import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { BerthError, invalidArgument, notFound } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import { referenceFromPullQuery, type ImageReference } from '../../registry/reference';
import { hostPlatform, parsePlatform } from '../../registry/manifest';
import type { ImageRecord, ImageStore } from '../../store/images/image-store';
import type { LayerStore } from '../../store/layers/layer-store';
import type { XattrSource } from '../../store/layers/layer-tar-writer';
import { parseImageConfig } from '../images/image-config';
import type { CommitLayerInput, CommitLayerResult } from '../images/image-commit';
import type { ProgressSink } from '../images/progress';
import type { PullOptions } from '../images/puller';
import { BuildArgs } from './build-args';
import { BuildCache } from './build-cache';
import type { BuildContainers, BuildOptions, BuildSink } from './build-types';
import { readBuildContext } from './context-reader';
import { parseDockerfile, type RawInstruction } from './dockerfile-parse';
import type { BaseImage } from './image-writer';
import { toInstruction, type Instruction } from './instructions';
import { processWord } from './shell-lex';
import type { ContextTree } from './context-tree';
import { LayeredRoot, type SourceRoot } from './source-root';
import { StageDispatcher, ensureDefaultPath, type StageState } from './stage-dispatcher';
import { planStages, stageRef, type Stage } from './stages';

/** The slice of the image engine the builder uses. */
export interface BuildImages {
  resolve(name: string): ImageRecord;
  pull(ref: ImageReference, opts: PullOptions, progress: ProgressSink): Promise<{ image: ImageRecord }>;
  commitLayer(input: CommitLayerInput): Promise<CommitLayerResult>;
  /** Validates `repo[:tag]` (throws InvalidArgument). */
  parseTagTarget(repo: string, tag: string | undefined): ImageReference;
  tag(source: string, repo: string, tag: string | undefined): Promise<void>;
  /** Deletes an image no tag or container holds (for cache pruning); false when it must stay. */
  removeIfUnused(id: string): Promise<boolean>;
}

export interface BuildServiceDeps {
  images: BuildImages;
  imageStore: ImageStore;
  layers: LayerStore;
  containers: BuildContainers;
  openXattrs: (root: string) => XattrSource;
  /** Private scratch space for contexts (under the data root). */
  tmpDir: string;
  /** Where the cache index lives (`<data-root>/builder`). */
  cacheDir: string;
  log: Logger;
}

export interface BuildResult {
  imageId: string;
  tags: string[];
}

export interface BuildCacheUsage {
  id: string;
  description: string;
  size: number;
  inUse: boolean;
  shared: boolean;
  createdAt: number;
  lastUsedAt: number;
  usageCount: number;
}

function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

/**
 * `docker build` with the classic builder (moby builder/dockerfile), on berthd's own pieces: the
 * context is unpacked privately, RUN steps are ordinary containers committed with the image
 * engine's commit, COPY/ADD layers are written straight into the layer store, and every step is an
 * image the cache index can hand to the next build.
 */
export class BuildService {
  private readonly cache: BuildCache;

  constructor(private readonly deps: BuildServiceDeps) {
    this.cache = new BuildCache(deps.cacheDir, deps.log);
  }

  init(): Promise<void> {
    return this.cache.init();
  }

  /** Checks what can be checked before the body is read (tags, platform): a 400, not a stream error. */
  validate(opts: BuildOptions & { platform?: string }): void {
    for (const t of opts.tags) this.deps.images.parseTagTarget(t, undefined);
    if (opts.platform !== undefined && opts.platform !== '') {
      const p = parsePlatform(opts.platform);
      const host = hostPlatform();
      if (p.os !== host.os || p.architecture !== host.architecture) throw invalidArgument('BUILD_PLATFORM', `platform ${opts.platform} is not supported: this daemon builds for ${host.os}/${host.architecture} only`);
    }
  }

  loadImage(id: string): BaseImage {
    const rec = this.deps.imageStore.get(id);
    if (!rec) throw notFound('IMAGE_NOT_FOUND', `No such image: ${id}`);
    return { id, config: parseImageConfig(this.deps.imageStore.config(id)), layers: rec.layers };
  }

  async build(body: Readable, opts: BuildOptions, sink: BuildSink, signal: AbortSignal): Promise<BuildResult> {
    const ctx = await readBuildContext(body, { tmpDir: this.deps.tmpDir, ...(opts.dockerfile !== undefined ? { dockerfile: opts.dockerfile } : {}) });
    const xattrs = new Map<string, XattrSource>();
    try {
      return await this.run(ctx.root, ctx.dockerfile, opts, sink, signal, xattrs);
    } finally {
      for (const x of xattrs.values()) await x.close().catch(() => undefined);
      await ctx.dispose();
    }
  }

  private async run(context: ContextTree, dockerfile: string, opts: BuildOptions, sink: BuildSink, signal: AbortSignal, xattrs: Map<string, XattrSource>): Promise<BuildResult> {
    const { log } = this.deps;
    const say = (t: string): void => {
      if (!opts.quiet) sink.stream(t);
    };
    const parsed = parseDockerfile(dockerfile);
    for (const w of parsed.warnings) say(`[Warning] ${w}\n`);
    const args = new BuildArgs(opts.buildArgs);
    // Meta args are evaluated in order, each seeing the ones before (for FROM lines).
    const preview = planStages(parsed, opts.target, new Map());
    for (const m of preview.metaArgs) for (const a of m.args) args.addMeta(a.name, a.value !== undefined ? processWord(a.value, args.metaValues(), parsed.escape) : undefined);
    const plan = planStages(parsed, opts.target, args.metaValues());
    const labelSteps: Instruction[] = Object.keys(opts.labels)
      .sort()
      .map((k) => {
        const raw: RawInstruction = { keyword: 'LABEL', args: `${JSON.stringify(k)}=${JSON.stringify(opts.labels[k])}`, original: `LABEL ${JSON.stringify(k)}=${JSON.stringify(opts.labels[k])}`, line: 0, endLine: 0 };
        return toInstruction(raw, '\\');
      });
    const total = plan.metaArgs.length + plan.needed.reduce((n, i) => n + 1 + (plan.stages[i] as Stage).commands.length, 0) + labelSteps.length;
    let step = 0;
    const printStep = (original: string): void => say(`Step ${++step}/${total} : ${original}\n`);
    for (const m of plan.metaArgs) printStep(m.raw.original);

    const opaque = async (layerDir: string, rel: string): Promise<boolean> => {
      let x = xattrs.get(layerDir);
      if (!x) {
        x = this.deps.openXattrs(layerDir);
        xattrs.set(layerDir, x);
      }
      const [v] = await x.get(rel);
      return v?.toString() === 'y';
    };
    const imageRoot = (image: BaseImage | undefined): SourceRoot =>
      new LayeredRoot(
        [...(image?.layers ?? [])].reverse().map((l) => this.deps.layers.diffDir(l.chainId)),
        opaque,
      );
    const results = new Map<number, BaseImage | undefined>();
    let current: Stage | undefined;

    const ensureImage = async (name: string): Promise<BaseImage> => {
      if (!opts.pull) {
        try {
          return this.loadImage(this.deps.images.resolve(name).id);
        } catch (err) {
          if (!(err instanceof BerthError) || err.kind !== 'NotFound') throw err;
        }
      }
      const ref = referenceFromPullQuery(name, undefined);
      const r = await this.deps.images.pull(ref, { credentials: opts.credentials(ref.domain), signal }, (e) => {
        if (!opts.quiet) sink.progress(e);
      });
      return this.loadImage(r.image.id);
    };

    const dispatcher = new StageDispatcher(
      {
        images: this.deps.imageStore,
        layers: this.deps.layers,
        commitLayer: (input) => this.deps.images.commitLayer(input),
        loadImage: (id) => this.loadImage(id),
        containers: this.deps.containers,
        cache: this.cache,
        imageRoot,
        context,
        fromRoot: async (ref) => {
          const stage = stageRef(plan.stages, ref, (current as Stage).index);
          if (stage) return { root: imageRoot(results.get(stage.index)), name: `stage ${ref}` };
          return { root: imageRoot(await ensureImage(ref)), name: `image ${ref}` };
        },
        fetchUrl: (url) => fetchUrl(url, signal),
        log,
      },
      opts,
      sink,
      args,
      plan.escape,
      signal,
    );

    for (const index of plan.needed) {
      const stage = plan.stages[index] as Stage;
      current = stage;
      args.resetStage();
      printStep(stage.from.raw.original);
      if (stage.from.platform !== undefined) this.validate({ ...opts, platform: processWord(stage.from.platform, args.metaValues(), plan.escape) });
      const baseName = processWord(stage.from.image, args.metaValues(), plan.escape);
      if (baseName === '') throw invalidArgument('BUILD_FROM', 'base name (${...}) should not be blank');
      let base: BaseImage | undefined;
      const dep = stageRef(plan.stages, baseName, index);
      if (dep) base = results.get(dep.index);
      else if (baseName.toLowerCase() !== 'scratch') base = await ensureImage(baseName);
      const state: StageState = { image: base, runConfig: JSON.parse(JSON.stringify(base?.config.config ?? {})) as StageState['runConfig'], cmdSet: false };
      ensureDefaultPath(state.runConfig);
      const triggers = state.runConfig.OnBuild ?? [];
      state.runConfig.OnBuild = null;
      say(` ---> ${base ? shortId(base.id) : ''}\n`);
      if (triggers.length > 0) {
        say(`# Executing ${triggers.length} build trigger${triggers.length > 1 ? 's' : ''}\n`);
        for (const t of triggers) {
          const trig = parseDockerfile(t);
          for (const raw of trig.instructions) await dispatcher.dispatch(state, toInstruction(raw, plan.escape));
        }
      }
      const commands = index === plan.target ? [...stage.commands, ...labelSteps] : stage.commands;
      for (const cmd of commands) {
        if (signal.aborted) throw invalidArgument('BUILD_CANCELLED', 'the build was cancelled');
        printStep(cmd.raw.original);
        await dispatcher.dispatch(state, cmd);
        say(` ---> ${state.image ? shortId(state.image.id) : ''}\n`);
      }
      results.set(index, state.image);
    }
    const final = results.get(plan.target);
    if (!final) throw invalidArgument('BUILD_NO_IMAGE', 'No image was generated. Is your Dockerfile empty?');
    const unused = args.unreferenced();
    if (unused.length > 0) say(`[Warning] One or more build-args [${unused.join(' ')}] were not consumed\n`);
    sink.result(final.id);
    say(`Successfully built ${shortId(final.id)}\n`);
    for (const t of opts.tags) {
      await this.deps.images.tag(final.id, t, undefined);
      const ref = this.deps.images.parseTagTarget(t, undefined);
      say(`Successfully tagged ${familiarTag(t, ref.tag)}\n`);
    }
    // With -q dockerd's only output is the image ID (the CLI prints the stream as is).
    if (opts.quiet) sink.stream(`${final.id}\n`);
    return { imageId: final.id, tags: opts.tags };
  }

  // ---- cache: system df and builder prune -----------------------------------------------------

  /** Build cache rows (`docker system df`): each cached step's image and the bytes only it holds. */
  diskUsage(): BuildCacheUsage[] {
    const { imageStore, layers } = this.deps;
    const tagged = new Set(imageStore.allRefs().map(([, id]) => id));
    const out: BuildCacheUsage[] = [];
    for (const [key, e] of this.cache.list()) {
      const img = imageStore.get(e.imageId);
      if (!img) continue;
      const top = img.layers.at(-1);
      const parentTop = img.parent ? imageStore.get(img.parent)?.layers.at(-1)?.chainId : undefined;
      const own = top && top.chainId !== parentTop ? (layers.get(top.chainId)?.size ?? 0) : 0;
      out.push({ id: key.slice(0, 25), description: e.description, size: own, inUse: false, shared: tagged.has(e.imageId), createdAt: e.createdAt, lastUsedAt: e.lastUsedAt, usageCount: e.usageCount });
    }
    return out;
  }

  /**
   * `docker builder prune`: forgets cached steps (all, or those last used before `until`) and
   * deletes their images unless a tag or a container still holds one.
   */
  async prune(opts: { untilMs?: number }): Promise<{ deleted: string[]; spaceReclaimed: number }> {
    const rows = new Map(this.diskUsage().map((r) => [r.id, r]));
    const victims = this.cache.list().filter(([, e]) => opts.untilMs === undefined || e.lastUsedAt < opts.untilMs);
    await this.cache.remove(victims.map(([k]) => k));
    const deleted: string[] = [];
    let reclaimed = 0;
    // Newest first: a step's image is the parent of the next one.
    for (const [key, e] of victims.sort((a, b) => b[1].createdAt - a[1].createdAt)) {
      if (await this.deps.images.removeIfUnused(e.imageId)) {
        deleted.push(key.slice(0, 25));
        reclaimed += rows.get(key.slice(0, 25))?.size ?? 0;
      }
    }
    return { deleted, spaceReclaimed: reclaimed };
  }
}

/** `x` -> `x:latest`, as `Successfully tagged` prints it. */
function familiarTag(t: string, tag: string | undefined): string {
  const hasTag = /:[^/]+$/.test(t);
  return hasTag ? t : `${t}:${tag ?? 'latest'}`;
}

/** ADD <url>: berthd downloads it (loopback or wherever the URL points; the user chose it). */
async function fetchUrl(url: string, signal: AbortSignal): Promise<{ data: Buffer; mtime: Date; name: string }> {
  let res: Response;
  try {
    res = await fetch(url, { signal, redirect: 'follow' });
  } catch (err) {
    throw invalidArgument('BUILD_ADD_URL', `failed to fetch ${url}: ${(err as Error).message}`, err);
  }
  if (!res.ok) throw invalidArgument('BUILD_ADD_URL', `failed to GET ${url} with status ${res.status} ${res.statusText}`);
  const data = Buffer.from(await res.arrayBuffer());
  const lm = res.headers.get('last-modified');
  const t = lm ? Date.parse(lm) : NaN;
  const name = posix.basename(new URL(url).pathname) || 'index.html';
  return { data, mtime: Number.isFinite(t) ? new Date(t) : new Date(0), name };
}

/** `<data-root>/builder`, where the cache index lives. */
export function builderDir(dataRoot: string): string {
  return join(dataRoot, 'builder');
}

