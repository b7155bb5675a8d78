import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { posix } from 'node:path';
import type { Pack } from 'tar-stream';
import { invalidArgument } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import type { ImageStore } from '../../store/images/image-store';
import type { LayerStore } from '../../store/layers/layer-store';
import { parseGroup, parsePasswd } from '../containers/user-resolve';
import type { ImageRuntimeConfig } from '../images/image-config';
import type { CommitLayerInput, CommitLayerResult } from '../images/image-commit';
import { BuildArgs } from './build-args';
import { BuildCache } from './build-cache';
import type { BuildContainers, BuildOptions, BuildSink } from './build-types';
import { BuildStepError } from './build-types';
import { CopyLayerWriter, isLocalArchive, type Identity } from './copy-layer';
import { planCopy } from './copy-plan';
import { goDuration, goQuoteSlice, goRune, goSlice } from './go-format';
import { commitTarLayer, normaliseRunConfig, writeChildImage, type BaseImage, type CommittedLayer } from './image-writer';
import type { Instruction } from './instructions';
import { envMap, processWord, processWords } from './shell-lex';
import type { SourceRoot } from './source-root';

export const DEFAULT_PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const DEFAULT_SHELL = ['/bin/sh', '-c'];

/** The state of the stage being built (moby's dispatchState). */
export interface StageState {
  image: BaseImage | undefined;
  runConfig: ImageRuntimeConfig;
  /** CMD was set in this stage (an ENTRYPOINT then keeps it). */
  cmdSet: boolean;
  author?: string;
}

/** What a dispatcher needs from the rest of berthd. */
export interface DispatchDeps {
  images: ImageStore;
  layers: LayerStore;
  commitLayer: (input: CommitLayerInput) => Promise<CommitLayerResult>;
  loadImage: (id: string) => BaseImage;
  containers: BuildContainers;
  cache: BuildCache;
  /** A root over an image's layers (for COPY targets, --from sources, WORKDIR and --chown). */
  imageRoot: (image: BaseImage | undefined) => SourceRoot;
  /** The build context's root. */
  context: SourceRoot;
  /** `--from` of COPY: a stage's result or an image, as a root. */
  fromRoot: (ref: string) => Promise<{ root: SourceRoot; name: string }>;
  fetchUrl: (url: string) => Promise<{ data: Buffer; mtime: Date; name: string }>;
  log: Logger;
}

function shortId(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12);
}

function envOf(cfg: ImageRuntimeConfig): string[] {
  return cfg.Env ?? [];
}

function setEnv(cfg: ImageRuntimeConfig, key: string, value: string): void {
  const env = [...envOf(cfg)];
  const i = env.findIndex((kv) => kv.split('=', 1)[0] === key);
  if (i === -1) env.push(`${key}=${value}`);
  else env[i] = `${key}=${value}`;
  cfg.Env = env;
}

export function ensureDefaultPath(cfg: ImageRuntimeConfig): void {
  if (!envOf(cfg).some((kv) => kv.startsWith('PATH='))) cfg.Env = [...envOf(cfg), DEFAULT_PATH_ENV];
}

function cloneConfig(c: ImageRuntimeConfig): ImageRuntimeConfig {
  return JSON.parse(JSON.stringify(c)) as ImageRuntimeConfig;
}

/** A signal name or number as dockerd validates STOPSIGNAL. */
function validSignal(sig: string): boolean {
  if (/^\d+$/.test(sig)) return Number(sig) > 0 && Number(sig) < 65;
  return /^(SIG)?[A-Z0-9+-]+$/.test(sig.toUpperCase());
}

/**
 * Runs a stage's instructions with the classic builder's semantics, one image per step, reusing a
 * cached step when the parent image and the step match. Output mirrors dockerd's
 * (` ---> Using cache`, ` ---> Running in …`, `Removing intermediate container …`).
 */
export class StageDispatcher {
  constructor(
    private readonly deps: DispatchDeps,
    private readonly opts: BuildOptions,
    private readonly sink: BuildSink,
    private readonly args: BuildArgs,
    private readonly escape: string,
    private readonly signal: AbortSignal,
  ) {}

  private say(text: string): void {
    if (!this.opts.quiet) this.sink.stream(text);
  }

  /** Variables for substitution: the stage's ENV, then ARGs in scope that ENV does not set. */
  private substEnv(state: StageState): Map<string, string> {
    return envMap(this.args.filterAllowed(envOf(state.runConfig)), envOf(state.runConfig));
  }

  private word(state: StageState, text: string): string {
    return processWord(text, this.substEnv(state), this.escape);
  }

  private shell(state: StageState): string[] {
    return state.runConfig.Shell && state.runConfig.Shell.length > 0 ? state.runConfig.Shell : DEFAULT_SHELL;
  }

  /** The cache: a hit moves the stage onto the cached image. */
  private async probe(state: StageState, config: ImageRuntimeConfig, createdBy: string): Promise<string | undefined> {
    const key = BuildCache.key(state.image?.id ?? '', normaliseRunConfig(config, state.image?.id ?? ''), createdBy);
    if (this.opts.noCache) return key;
    const hit = this.deps.cache.get(key);
    if (hit && this.deps.images.get(hit.imageId)) {
      state.image = this.deps.loadImage(hit.imageId);
      state.runConfig = cloneConfig(state.image.config.config ?? {});
      this.say(' ---> Using cache\n');
      await this.deps.cache.touch(key);
      return undefined;
    }
    return key;
  }

  private async remember(key: string, state: StageState, imageId: string, createdBy: string): Promise<void> {
    const parent = state.image?.id;
    if (parent !== undefined) await this.deps.images.update(imageId, { parent });
    state.image = this.deps.loadImage(imageId);
    await this.deps.cache.put(key, imageId, createdBy);
  }

  /** A config-only step (`#(nop)` in history): ENV, LABEL, CMD… */
  private async commitConfig(state: StageState, comment: string): Promise<void> {
    const createdBy = `${this.shell(state).join(' ')} #(nop)  ${comment}`;
    const key = await this.probe(state, state.runConfig, createdBy);
    if (key === undefined) return;
    const r = await this.deps.commitLayer({
      ...(state.image ? { parentImageId: state.image.id } : {}),
      config: normaliseRunConfig(state.runConfig, state.image?.id ?? '') as ImageRuntimeConfig,
      history: { created_by: createdBy, ...(state.author ? { author: state.author } : {}) },
      ...(state.author ? { author: state.author } : {}),
    });
    await this.remember(key, state, r.image.id, createdBy);
  }

  /** A step that writes a layer from a tar it produces (COPY, ADD, WORKDIR). */
  private async commitTar(state: StageState, comment: string, write: (pack: Pack) => Promise<void>): Promise<void> {
    const createdBy = `${this.shell(state).join(' ')} #(nop) ${comment}`;
    const key = await this.probe(state, state.runConfig, createdBy);
    if (key === undefined) return;
    const top = state.image?.layers.at(-1)?.chainId;
    const layer: CommittedLayer | undefined = await commitTarLayer(this.deps.layers, top, write);
    const rec = await writeChildImage(this.deps, { base: state.image, runConfig: state.runConfig, createdBy, ...(layer ? { layer } : {}), ...(state.author ? { author: state.author } : {}) });
    await this.remember(key, state, rec.id, createdBy);
  }

  async dispatch(state: StageState, ins: Instruction): Promise<void> {
    const cfg = state.runConfig;
    switch (ins.kind) {
      case 'ENV': {
        const env = this.substEnv(state);
        const parts: string[] = [];
        for (const { key, value } of ins.pairs) {
          const k = processWord(key, env, this.escape);
          const v = processWord(value, env, this.escape);
          if (k === '') throw invalidArgument('BUILD_ENV', 'ENV names can not be blank');
          setEnv(cfg, k, v);
          parts.push(`${k}=${v}`);
        }
        return this.commitConfig(state, `ENV ${parts.join(' ')}`);
      }
      case 'LABEL': {
        const env = this.substEnv(state);
        const parts: string[] = [];
        const labels = { ...(cfg.Labels ?? {}) };
        for (const { key, value } of ins.pairs) {
          const k = processWord(key, env, this.escape);
          const v = processWord(value, env, this.escape);
          if (k === '') throw invalidArgument('BUILD_LABEL', 'LABEL names can not be blank');
          labels[k] = v;
          parts.push(`${k}=${v}`);
        }
        cfg.Labels = labels;
        return this.commitConfig(state, `LABEL ${parts.join(' ')}`);
      }
      case 'MAINTAINER':
        state.author = ins.value;
        return this.commitConfig(state, `MAINTAINER ${ins.value}`);
      case 'ARG': {
        const parts: string[] = [];
        for (const a of ins.args) {
          const value = a.value !== undefined ? this.word(state, a.value) : undefined;
          this.args.addArg(a.name, value);
          parts.push(value !== undefined ? `${a.name}=${value}` : a.name);
        }
        return this.commitConfig(state, `ARG ${parts.join(' ')}`);
      }
      case 'WORKDIR': {
        const path = this.word(state, ins.value);
        const wd = posix.normalize(path.startsWith('/') ? path : posix.join(cfg.WorkingDir || '/', path));
        cfg.WorkingDir = wd;
        const root = this.deps.imageRoot(state.image);
        const existing = await root.resolve(wd, true);
        if (existing?.st.isDirectory()) return this.commitConfig(state, `WORKDIR ${wd}`);
        return this.commitTar(state, `WORKDIR ${wd}`, async (pack) => {
          await new CopyLayerWriter(pack, root, root, { identity: { uid: 0, gid: 0 }, now: new Date() }).directory(wd);
        }).then(() => undefined);
      }
      case 'USER':
        cfg.User = this.word(state, ins.value);
        return this.commitConfig(state, `USER ${cfg.User}`);
      case 'STOPSIGNAL': {
        const sig = this.word(state, ins.value);
        if (!validSignal(sig)) throw invalidArgument('BUILD_STOPSIGNAL', `Invalid signal: ${sig}`);
        cfg.StopSignal = sig;
        return this.commitConfig(state, `STOPSIGNAL ${sig}`);
      }
      case 'EXPOSE': {
        const words = processWords(ins.ports, this.substEnv(state), this.escape);
        const ports = { ...(cfg.ExposedPorts ?? {}) };
        for (const w of words) {
          const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(w);
          if (!m) throw invalidArgument('BUILD_EXPOSE', `Invalid containerPort: ${w}`);
          const lo = Number(m[1]);
          const hi = m[2] !== undefined ? Number(m[2]) : lo;
          if (lo < 1 || hi > 65535 || hi < lo) throw invalidArgument('BUILD_EXPOSE', `Invalid port range: ${w}`);
          for (let p = lo; p <= hi; p++) ports[`${p}/${(m[3] ?? 'tcp').toLowerCase()}`] = {};
        }
        cfg.ExposedPorts = ports;
        return this.commitConfig(state, `EXPOSE ${words.join(' ')}`);
      }
      case 'VOLUME': {
        const vols = { ...(cfg.Volumes ?? {}) };
        const paths = ins.paths.map((p) => this.word(state, p));
        for (const p of paths) {
          if (p.trim() === '') throw invalidArgument('BUILD_VOLUME', 'VOLUME specified can not be an empty string');
          vols[p] = {};
        }
        cfg.Volumes = vols;
        return this.commitConfig(state, `VOLUME ${goSlice(paths)}`);
      }
      case 'CMD': {
        cfg.Cmd = ins.cmd.form === 'exec' ? ins.cmd.argv : [...this.shell(state), ins.cmd.text];
        state.cmdSet = true;
        return this.commitConfig(state, `CMD ${goQuoteSlice(cfg.Cmd)}`);
      }
      case 'ENTRYPOINT': {
        if (ins.cmd.form === 'exec') cfg.Entrypoint = ins.cmd.argv;
        else cfg.Entrypoint = ins.cmd.text === '' ? [...this.shell(state)] : [...this.shell(state), ins.cmd.text];
        // An inherited CMD does not survive a new ENTRYPOINT (moby dispatchEntrypoint).
        if (!state.cmdSet) cfg.Cmd = null;
        return this.commitConfig(state, `ENTRYPOINT ${goQuoteSlice(cfg.Entrypoint ?? [])}`);
      }
      case 'SHELL':
        cfg.Shell = ins.argv;
        return this.commitConfig(state, `SHELL ${goSlice(ins.argv)}`);
      case 'HEALTHCHECK': {
        const h = ins.health;
        if (h.none) cfg.Healthcheck = { Test: ['NONE'] };
        else {
          cfg.Healthcheck = {
            Test: h.test,
            ...(h.interval ? { Interval: h.interval } : {}),
            ...(h.timeout ? { Timeout: h.timeout } : {}),
            ...(h.startPeriod ? { StartPeriod: h.startPeriod } : {}),
            ...(h.retries ? { Retries: h.retries } : {}),
          };
        }
        const test = h.none ? ['NONE'] : h.test;
        return this.commitConfig(state, `HEALTHCHECK &{${goQuoteSlice(test)} "${goDuration(h.interval)}" "${goDuration(h.timeout)}" "${goDuration(h.startPeriod)}" ${goRune(h.retries)}}`);
      }
      case 'ONBUILD':
        cfg.OnBuild = [...(cfg.OnBuild ?? []), ins.trigger];
        return this.commitConfig(state, `ONBUILD ${ins.trigger}`);
      case 'RUN':
        return this.run(state, ins.cmd.form === 'exec' ? ins.cmd.argv : [...this.shell(state), ins.cmd.text]);
      case 'COPY':
      case 'ADD':
        return this.copy(state, ins);
      case 'FROM':
        throw invalidArgument('BUILD_FROM', 'FROM inside a stage');
    }
  }

  // ---- RUN ----------------------------------------------------------------------------------

  private async run(state: StageState, cmdFromArgs: string[]): Promise<void> {
    if (!state.image) throw invalidArgument('BUILD_RUN_SCRATCH', 'RUN needs a base image with a shell: this stage has no filesystem yet (FROM scratch)');
    const cfg = state.runConfig;
    const buildArgs = this.args.filterAllowed(envOf(cfg));
    let saveCmd = cmdFromArgs;
    if (buildArgs.length > 0) {
      const kept = buildArgs.filter((kv) => this.args.isReferencedOrNotBuiltin(kv.split('=', 1)[0] as string)).sort();
      saveCmd = [`|${kept.length}`, ...kept, ...cmdFromArgs];
    }
    const createdBy = saveCmd.join(' ');
    const key = await this.probe(state, { ...cfg, Cmd: saveCmd }, createdBy);
    if (key === undefined) return;
    const { containers } = this.deps;
    const { id, upperDir } = await containers.create({
      image: state.image.id,
      cmd: cmdFromArgs,
      env: [...envOf(cfg), ...buildArgs],
      user: cfg.User ?? '',
      workingDir: cfg.WorkingDir ?? '',
      networkMode: this.opts.networkMode,
      resources: this.opts.resources,
      shmSize: this.opts.shmSize,
      extraHosts: this.opts.extraHosts,
    });
    this.say(` ---> Running in ${shortId(id)}\n`);
    let removed = false;
    const remove = async (): Promise<void> => {
      if (removed) return;
      removed = true;
      this.say(`Removing intermediate container ${shortId(id)}\n`);
      await containers.remove(id);
    };
    try {
      // dockerd colours a step's stderr red in the stream (the CLI prints it as is).
      const code = await containers.run(id, (stream, data) => this.say(stream === 'stderr' ? `\x1b[91m${data.toString('utf8')}\x1b[0m` : data.toString('utf8')), this.signal);
      if (code !== 0) throw new BuildStepError(`The command '${cmdFromArgs.join(' ')}' returned a non-zero code: ${code}`, code);
      const changed = (await readdir(upperDir)).length > 0;
      const r = await this.deps.commitLayer({
        parentImageId: state.image.id,
        ...(changed ? { diffDir: upperDir } : {}),
        config: normaliseRunConfig(cfg, state.image.id) as ImageRuntimeConfig,
        history: { created_by: createdBy, ...(state.author ? { author: state.author } : {}) },
        ...(state.author ? { author: state.author } : {}),
        containerId: id,
      });
      await this.remember(key, state, r.image.id, createdBy);
      if (this.opts.rm || this.opts.forceRm) await remove();
    } catch (err) {
      // With --rm (the default) the failed step's container goes too, so a failed build leaves
      // nothing behind (dockerd keeps it; --rm=false keeps it here as well, for debugging).
      if (this.opts.rm || this.opts.forceRm) await remove().catch((e: unknown) => this.deps.log.warn({ err: e, id }, 'cannot remove a build container'));
      throw err;
    }
  }

  // ---- COPY / ADD ---------------------------------------------------------------------------

  private async identity(state: StageState, chown: string | undefined): Promise<Identity> {
    if (chown === undefined || chown === '') return { uid: 0, gid: 0 };
    const spec = this.word(state, chown);
    const [userPart, groupPart = userPart] = spec.split(':') as [string, string | undefined];
    const root = this.deps.imageRoot(state.image);
    const readText = async (p: string): Promise<string> => {
      const e = await root.resolve(p, true);
      return e?.st.isFile() ? (await root.readFile(e)).toString('utf8') : '';
    };
    let uid: number;
    if (/^\d+$/.test(userPart)) uid = Number(userPart);
    else {
      const u = parsePasswd(await readText('etc/passwd')).find((p) => p.name === userPart);
      if (!u) throw invalidArgument('BUILD_CHOWN', `unable to convert uid/gid chown string to host mapping: can't find uid for user ${userPart}: no such user: ${userPart}`);
      uid = u.uid;
    }
    let gid: number;
    if (/^\d+$/.test(groupPart as string)) gid = Number(groupPart);
    else {
      const g = parseGroup(await readText('etc/group')).find((x) => x.name === groupPart);
      if (!g) throw invalidArgument('BUILD_CHOWN', `unable to convert uid/gid chown string to host mapping: can't find gid for group ${groupPart}: no such group: ${groupPart}`);
      gid = g.gid;
    }
    return { uid, gid };
  }

  private async copy(state: StageState, ins: Extract<Instruction, { kind: 'COPY' | 'ADD' }>): Promise<void> {
    const cfg = state.runConfig;
    const env = this.substEnv(state);
    const sources = ins.sources.map((s) => processWord(s, env, this.escape));
    let dest = processWord(ins.dest, env, this.escape);
    const slash = dest.endsWith('/') || dest.endsWith('/.') || dest === '.';
    if (!dest.startsWith('/')) dest = posix.join(cfg.WorkingDir || '/', dest);
    if (slash && !dest.endsWith('/')) dest += '/';
    const chmod = ins.chmod !== undefined ? parseChmod(ins.chmod) : undefined;
    const identity = await this.identity(state, ins.chown);
    const target = this.deps.imageRoot(state.image);
    const urls = ins.kind === 'ADD' ? sources.filter((s) => /^https?:\/\//.test(s)) : [];
    const local = sources.filter((s) => !urls.includes(s));
    let source: { root: SourceRoot; name: string } = { root: this.deps.context, name: 'build context' };
    if (ins.from !== undefined) {
      if (ins.kind === 'ADD') throw invalidArgument('BUILD_ADD_FROM', 'ADD does not support --from');
      source = await this.deps.fromRoot(this.word(state, ins.from));
    }
    const downloads = await Promise.all(urls.map((u) => this.deps.fetchUrl(u)));
    if (urls.length + local.length > 1 && !dest.endsWith('/')) {
      throw invalidArgument('BUILD_COPY_DEST', `When using ${ins.kind} with more than one source file, the destination must be a directory and end with a /`);
    }
    const plan =
      local.length > 0
        ? await planCopy({
            kind: ins.kind,
            sources: local,
            dest,
            root: source.root,
            target,
            rootName: source.name,
            ...(ins.kind === 'ADD' && ins.from === undefined ? { isArchive: isLocalArchive } : {}),
          })
        : { items: [], hash: '' };
    const destIsDir = dest.endsWith('/') || (await target.resolve(dest, true))?.st.isDirectory() === true;
    const hashes = [plan.hash, ...downloads.map((d) => `file:${createHash('sha256').update(d.data).digest('hex')}`)].filter((h) => h !== '');
    const srcHash = hashes.length === 1 ? (hashes[0] as string) : `multi:${createHash('sha256').update(hashes.join(',')).digest('hex')}`;
    const chownComment = ins.chown !== undefined ? `--chown=${ins.chown}` : '';
    const chmodComment = ins.chmod !== undefined ? `--chmod=${ins.chmod}` : '';
    const comment = `${ins.kind} ${chownComment}${chmodComment}${srcHash} in ${dest} `;
    await this.commitTar(state, comment, async (pack) => {
      const writer = new CopyLayerWriter(pack, target, source.root, { identity, ...(chmod !== undefined ? { chmod } : {}), now: new Date() });
      for (const item of plan.items) await writer.write(item);
      for (const d of downloads) await writer.writeBuffer(destIsDir ? posix.join(dest, d.name) : dest, d.data, d.mtime);
    });
  }
}

/** `--chmod` as an octal mode (the classic builder accepts octal only). */
function parseChmod(v: string): number {
  if (!/^[0-7]{3,4}$/.test(v)) throw invalidArgument('BUILD_CHMOD', `invalid chmod parameter ${JSON.stringify(v)}: only octal modes are supported`);
  return parseInt(v, 8);
}
