import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import type { Logger } from '../../lib/logger';
import { conflict, invalidArgument, isBerthError, notModified } from '../../lib/errors';
import type { ContainerStore } from '../../store/containers/container-store';
import type { ContainerConfig, ContainerRecord, HostConfig } from '../../store/containers/container-record';
import type {
  AttachOptions,
  AttachStream,
  ContainerProcess,
  ContainerProcessInfo,
  ContainerRef,
  ContainerSpec,
  ContainerStats,
  ConsoleSize,
  ExitStatus,
  Runtime,
} from '../../runtime/runtime';
import { ContainerStartError } from '../../runtime/runtime-errors';
import type { EventsService } from '../events/events-service';
import { AttachProxy } from './attach-proxy';
import { mergeRunConfig, processEnv } from './command-merge';
import type { ContainerImageSource, ContainerLayerSource } from './container-ports';
import { readJsonLog, type LogEntry, type LogReadOptions } from './json-log-reader';
import { parseSignal, SIGKILL } from './signals';
import { parsePasswd } from './user-resolve';
import {
  defaultMemorySwap,
  defaultOverlayOptions,
  ensureBindSource,
  exists,
  hostPs,
  matchLabels,
  parseBinds,
  parsePsOutput,
  parseUntil,
  raceTimeout,
  resolveImageUser,
  safeRegex,
  validateHostConfig,
} from './container-helpers';

/** Runtime values the API layer streams or maps, re-exported so it depends on the engine only. */
export type { AttachStream, ContainerStats, OutputChunk } from '../../runtime/runtime';

/** What `docker create` asks for, already mapped from the wire and with defaults filled. */
export interface ContainerCreateInput {
  name?: string;
  config: ContainerConfig;
  hostConfig: HostConfig;
}

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

export interface WaitResult {
  statusCode: number;
  error?: string;
}

export interface ContainerListOptions {
  all: boolean;
  limit?: number;
  size: boolean;
  filters: Map<string, string[]>;
}

export interface ContainerView {
  record: ContainerRecord;
  execIds: string[];
  sizeRw?: number;
  sizeRootFs?: number;
}

export interface StatsSample {
  current: ContainerStats | undefined;
  previous: ContainerStats | undefined;
  record: ContainerRecord;
}

export interface ProcessMap {
  record: ContainerRecord;
  processes: (ContainerProcessInfo & { user: string })[];
  stats: ContainerStats | undefined;
  cgroupVersion: 1 | 2;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (v: T) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

interface PendingAttach {
  proxy: AttachProxy;
  options: AttachOptions;
}

const UNKNOWN_EXIT = 255;
const STATE_DIR = 'runtime';

export interface ContainerServiceDeps {
  store: ContainerStore;
  runtime: Runtime;
  images: ContainerImageSource;
  layers: ContainerLayerSource;
  events: EventsService;
  log: Logger;
}

/**
 * Container use cases behind the Engine API (moby's container `Backend`): create, start, stop,
 * kill, wait, remove, prune, attach, resize, logs, top, stats, and recovery after a daemon restart.
 *
 * Ownership: the record store holds persisted state; `live` holds one runtime handle per running
 * container; `nextExit` resolves on a container's next exit and `removed` on its removal (wait
 * conditions, `logs -f`). State changes are persisted before events are published, so a client
 * that sees `die` finds the exit code in inspect.
 */
export class ContainerService {
  private readonly live = new Map<string, ContainerProcess>();
  private readonly nextExit = new Map<string, Deferred<WaitResult>>();
  private readonly removed = new Map<string, Deferred<WaitResult>>();
  private readonly pendingAttach = new Map<string, Set<PendingAttach>>();
  private readonly starting = new Map<string, Promise<void>>();
  private readonly removing = new Set<string>();
  private readonly execs = new Map<string, Set<string>>();
  /** Runtime cleanup after an exit (cgroup, monitor state) that a new start or a removal must wait for. */
  private readonly exitCleanup = new Map<string, Promise<void>>();
  /** Exit handling in progress (record update, events, runtime cleanup), per container. */
  private readonly exiting = new Map<string, Promise<void>>();
  /** Containers whose runtime state is already deleted (exited and cleaned); removal skips it. */
  private readonly runtimeClean = new Set<string>();
  /** Disk cleanup of auto-removed containers, finished after their waiters were answered. */
  private readonly backgroundRemovals = new Set<Promise<void>>();
  private hostUsers?: Promise<Map<number, string>>;

  constructor(private readonly deps: ContainerServiceDeps) {}

  // ---- create ----------------------------------------------------------------------------

  async create(input: ContainerCreateInput): Promise<{ id: string; warnings: string[] }> {
    const { store, images, layers, events } = this.deps;
    if (input.config.image === '') throw invalidArgument('NO_IMAGE', 'config cannot be empty in order to create a container');
    const image = await images.resolve(input.config.image);
    const merged = mergeRunConfig(input.config, image.config);
    const binds = parseBinds(input.hostConfig.binds).concat(input.hostConfig.mounts);
    validateHostConfig(input.hostConfig);

    const id = store.newId();
    const name = store.reserveName(input.name, id);
    let rwMountId: string | undefined;
    try {
      const t0 = performance.now();
      const rw = await layers.createRw(id, image.topLayer);
      const t1 = performance.now();
      rwMountId = rw.mountId;
      const user = await resolveImageUser(merged.user, [rw.upperDir, ...rw.lowerDirs]);
      await Promise.all(binds.filter((b) => b.type === 'bind').map((b) => ensureBindSource(b.source)));
      const now = new Date().toISOString();
      const rec: ContainerRecord = {
        id,
        name,
        created: now,
        path: merged.path,
        args: merged.args,
        imageId: image.id,
        config: {
          ...input.config,
          hostname: input.config.hostname !== '' ? input.config.hostname : id.slice(0, 12),
          cmd: merged.cmd,
          entrypoint: merged.entrypoint,
          env: merged.env,
          workingDir: merged.workingDir,
          user: merged.user,
          labels: merged.labels,
          stopSignal: merged.stopSignal,
          volumes: input.config.volumes ?? image.config.volumes ?? null,
          exposedPorts: input.config.exposedPorts ?? image.config.exposedPorts ?? undefined,
          onBuild: image.config.onBuild ?? null,
        },
        hostConfig: { ...input.hostConfig, mounts: binds, memorySwap: defaultMemorySwap(input.hostConfig, this.deps.runtime.info().swapLimit) },
        state: { status: 'created', pid: 0, exitCode: 0, oomKilled: false, error: '', startedAt: null, finishedAt: null },
        rootfs: { mountId: rw.mountId, lowerDirs: rw.lowerDirs, upperDir: rw.upperDir, workDir: rw.workDir, mergedDir: rw.mergedDir, mountOptions: rw.mountOptions, mountCwd: rw.mountCwd },
        user,
        execIds: [],
        restartCount: 0,
      };
      await store.create(rec);
      this.deps.log.debug({ id, rwLayerMs: t1 - t0, restMs: performance.now() - t1 }, 'container created');
      events.publish('container', 'create', id, this.actorAttributes(rec));
      return { id, warnings: [] };
    } catch (err) {
      store.releaseName(name);
      if (rwMountId !== undefined) await layers.removeRw(id).catch((e: unknown) => this.deps.log.warn({ err: e, id }, 'cannot remove rw layer after failed create'));
      throw err;
    }
  }

  // ---- start -----------------------------------------------------------------------------

  async start(ref: string): Promise<void> {
    const rec = this.deps.store.get(ref);
    if (this.removing.has(rec.id)) throw conflict('CONTAINER_REMOVING', `container ${rec.id} is marked for removal and cannot be started`);
    if (this.live.has(rec.id)) throw notModified('CONTAINER_ALREADY_STARTED', 'container already started');
    const inflight = this.starting.get(rec.id);
    if (inflight) {
      await inflight;
      throw notModified('CONTAINER_ALREADY_STARTED', 'container already started');
    }
    const run = this.doStart(rec);
    this.starting.set(rec.id, run);
    try {
      await run;
    } catch (err) {
      this.starting.delete(rec.id);
      // After `starting` is cleared: removal waits for an in-flight start.
      if (rec.hostConfig.autoRemove) await this.removeNow(rec.id).catch((e: unknown) => this.deps.log.warn({ err: e, id: rec.id }, 'auto-remove failed'));
      throw err;
    } finally {
      this.starting.delete(rec.id);
    }
  }

  private async doStart(rec: ContainerRecord): Promise<void> {
    const { runtime, store, events } = this.deps;
    let proc: ContainerProcess;
    try {
      await this.exiting.get(rec.id);
      await this.exitCleanup.get(rec.id);
      const t0 = performance.now();
      proc = await runtime.create(this.buildSpec(rec));
      this.deps.log.debug({ id: rec.id, ms: performance.now() - t0 }, 'runtime create');
    } catch (err) {
      await this.onStartFailure(rec, err);
      throw err;
    }
    try {
      const pending = [...(this.pendingAttach.get(rec.id) ?? [])];
      this.pendingAttach.delete(rec.id);
      await Promise.all(pending.map(async (p) => p.proxy.connect(await proc.attach(p.options))));
      await proc.start();
    } catch (err) {
      proc.close();
      await runtime.delete(this.runtimeRef(rec.id)).catch(() => undefined);
      await this.onStartFailure(rec, err);
      throw err;
    }
    this.runtimeClean.delete(rec.id);
    this.live.set(rec.id, proc);
    // Waiters registered before start (docker run's next-exit) keep their deferred.
    if (!this.nextExit.has(rec.id)) this.nextExit.set(rec.id, deferred());
    await store.update(rec.id, (r) => {
      r.state = { status: 'running', pid: proc.pid, exitCode: 0, oomKilled: false, error: '', startedAt: new Date().toISOString(), finishedAt: r.state.finishedAt };
    });
    events.publish('container', 'start', rec.id, this.actorAttributes(rec));
    void proc.wait().then((exit) => this.onExit(rec.id, proc, exit));
  }

  /** dockerd keeps a failed container "created" with the error and 126/127/125 as its exit code. */
  private async onStartFailure(rec: ContainerRecord, err: unknown): Promise<void> {
    const exitCode = err instanceof ContainerStartError ? err.exitCode : 128;
    await this.deps.store
      .update(rec.id, (r) => {
        r.state.error = err instanceof Error ? err.message : String(err);
        r.state.exitCode = exitCode;
      })
      .catch(() => undefined);
    this.finishPendingAttaches(rec.id);
  }

  private buildSpec(rec: ContainerRecord): ContainerSpec {
    const dir = this.deps.store.dir(rec.id);
    const hc = rec.hostConfig;
    const [rows = 0, cols = 0] = hc.consoleSize;
    return {
      ref: this.runtimeRef(rec.id),
      rootfs: {
        path: rec.rootfs.mergedDir,
        mount: { fstype: 'overlay', source: 'overlay', options: rec.rootfs.mountOptions ?? defaultOverlayOptions(rec), cwd: rec.rootfs.mountCwd },
        readonly: hc.readonlyRootfs,
      },
      process: {
        args: [rec.path, ...rec.args],
        env: processEnv(rec.config.env, { hostname: rec.config.hostname, tty: rec.config.tty, home: rec.user.home }),
        cwd: rec.config.workingDir !== '' ? rec.config.workingDir : '/',
        uid: rec.user.uid,
        gid: rec.user.gid,
        additionalGids: rec.user.additionalGids,
        home: rec.user.home,
        tty: rec.config.tty,
        openStdin: rec.config.openStdin,
        consoleSize: rows > 0 && cols > 0 ? { rows, cols } : undefined,
        capAdd: hc.capAdd,
        capDrop: hc.capDrop,
        privileged: hc.privileged,
      },
      hostname: rec.config.hostname,
      domainname: rec.config.domainname || undefined,
      network: hc.networkMode === 'host' ? 'host' : 'none',
      binds: hc.mounts.filter((m) => m.type === 'bind').map((m) => ({ source: m.source, destination: m.destination, readonly: m.readOnly })),
      resources: {
        memory: hc.memory || undefined,
        memorySwap: hc.memorySwap || undefined,
        nanoCpus: hc.nanoCpus || undefined,
        cpuQuota: hc.cpuQuota || undefined,
        cpuPeriod: hc.cpuPeriod || undefined,
        cpuShares: hc.cpuShares || undefined,
        pidsLimit: hc.pidsLimit > 0 ? hc.pidsLimit : undefined,
      },
      shmSize: hc.shmSize,
      init: hc.init,
      etcFiles: { hostname: join(dir, 'hostname'), hosts: join(dir, 'hosts'), resolvConf: join(dir, 'resolv.conf') },
      extraHosts: hc.extraHosts,
      logPath: this.logPath(rec.id),
      maskedPaths: hc.maskedPaths.length > 0 ? hc.maskedPaths : undefined,
      readonlyPaths: hc.readonlyPaths.length > 0 ? hc.readonlyPaths : undefined,
    };
  }

  // ---- exit, stop, kill, restart ------------------------------------------------------------

  /**
   * Handles a container's exit. From the moment the container leaves `live` until its exit is
   * recorded and its runtime state deleted, `exiting` holds the work, so a start (docker kill then
   * start) or a removal arriving meanwhile waits instead of racing the cleanup.
   */
  private onExit(id: string, proc: ContainerProcess, exit: ExitStatus): Promise<void> {
    if (this.live.get(id) === proc) this.live.delete(id);
    const done = this.handleExit(id, proc, exit);
    this.exiting.set(id, done);
    void done.finally(() => {
      if (this.exiting.get(id) === done) this.exiting.delete(id);
    });
    return done;
  }

  private async handleExit(id: string, proc: ContainerProcess, exit: ExitStatus): Promise<void> {
    const { store, events, runtime, log } = this.deps;
    proc.close();
    this.execs.delete(id);
    const rec = store.find(id);
    if (!rec) return;
    const exited = (r: ContainerRecord): void => {
      r.state = { ...r.state, status: 'exited', pid: 0, exitCode: exit.exitCode, oomKilled: exit.oomKilled, finishedAt: exit.finishedAt.toISOString() };
    };
    // An auto-remove container is about to go: no need to persist its exit (a restart in between
    // finds no monitor and removes it anyway).
    if (rec.hostConfig.autoRemove) exited(rec);
    else await store.update(id, exited).catch((err: unknown) => log.error({ err, id }, 'cannot record container exit'));
    if (exit.oomKilled) events.publish('container', 'oom', id, this.actorAttributes(rec));
    events.publish('container', 'die', id, { ...this.actorAttributes(rec), exitCode: String(exit.exitCode) });
    const waiter = this.nextExit.get(id);
    this.nextExit.delete(id);
    waiter?.resolve({ statusCode: exit.exitCode });
    if (rec.hostConfig.autoRemove && !this.removing.has(id)) {
      // `run --rm` is answered once the container left the live view; the runtime state, layer
      // and files are removed right after, in the background.
      await this.removeNow(id, { background: true }).catch((err: unknown) => log.warn({ err, id }, 'auto-remove failed'));
      return;
    }
    // The cgroup and monitor state go with the process; the record, log and rw layer stay.
    const tExit = performance.now();
    const cleanup = runtime.delete(this.runtimeRef(id)).catch((err: unknown) => log.warn({ err, id }, 'runtime cleanup after exit failed'));
    this.exitCleanup.set(id, cleanup);
    await cleanup;
    log.debug({ id, ms: performance.now() - tExit }, 'runtime cleanup after exit');
    if (this.exitCleanup.get(id) === cleanup) {
      this.exitCleanup.delete(id);
      if (!this.live.has(id)) this.runtimeClean.add(id);
    }
  }

  async stop(ref: string, opts: { signal?: string; timeoutSec?: number }): Promise<void> {
    const rec = this.deps.store.get(ref);
    const proc = this.live.get(rec.id);
    if (!proc) throw notModified('CONTAINER_NOT_RUNNING', 'container already stopped');
    const signal = parseSignal(opts.signal ?? rec.config.stopSignal ?? 'SIGTERM');
    const timeout = opts.timeoutSec ?? rec.config.stopTimeout ?? 10;
    const exited = this.exitPromise(rec.id);
    try {
      await this.signal(rec, proc, signal);
    } catch (err) {
      // It exited on its own meanwhile: the stop is done.
      if (isBerthError(err) && err.code === 'CONTAINER_NOT_RUNNING') return;
      throw err;
    }
    if (!(await raceTimeout(exited, timeout < 0 ? undefined : timeout * 1000))) {
      await this.signal(rec, proc, SIGKILL);
      await exited;
    }
    this.deps.events.publish('container', 'stop', rec.id, this.actorAttributes(rec));
  }

  async kill(ref: string, signalName?: string): Promise<void> {
    const rec = this.deps.store.get(ref);
    const signal = parseSignal(signalName && signalName !== '' ? signalName : 'KILL');
    const proc = this.live.get(rec.id);
    if (!proc) throw conflict('CONTAINER_NOT_RUNNING', `Cannot kill container: ${ref}: container ${rec.id} is not running`);
    const exited = this.exitPromise(rec.id);
    await this.signal(rec, proc, signal);
    // As dockerd: after SIGKILL, give the exit a moment so a following `rm` sees it stopped.
    if (signal === SIGKILL) await raceTimeout(exited, 2000);
  }

  async restart(ref: string, timeoutSec?: number): Promise<void> {
    const rec = this.deps.store.get(ref);
    if (this.live.has(rec.id)) await this.stop(rec.id, { timeoutSec });
    await this.start(rec.id);
    this.deps.events.publish('container', 'restart', rec.id, this.actorAttributes(rec));
  }

  /**
   * Signals PID 1. A container that is exiting right now may have a monitor that no longer answers:
   * then the exit is awaited and reported as "not running" (kill: 409; stop treats it as done).
   */
  private async signal(rec: ContainerRecord, proc: ContainerProcess, signal: number): Promise<void> {
    try {
      await proc.kill(signal);
    } catch (err) {
      if (await raceTimeout(this.exitPromise(rec.id), 2000)) throw conflict('CONTAINER_NOT_RUNNING', `container ${rec.id} is not running`, err);
      throw err;
    }
    this.deps.events.publish('container', 'kill', rec.id, { ...this.actorAttributes(rec), signal: String(signal) });
  }

  /** Resolves at the container's next exit (at once if it is not running). */
  private exitPromise(id: string): Promise<WaitResult> {
    const d = this.nextExit.get(id);
    if (d && this.live.has(id)) return d.promise;
    return Promise.resolve({ statusCode: this.deps.store.find(id)?.state.exitCode ?? 0 });
  }

  // ---- wait --------------------------------------------------------------------------------

  /**
   * Registers a waiter synchronously (so the caller can flush response headers right after) and
   * returns its outcome. `not-running` returns at once for a container that is not running.
   */
  wait(ref: string, condition: WaitCondition): Promise<WaitResult> {
    const rec = this.deps.store.get(ref);
    const running = this.live.has(rec.id) || this.starting.has(rec.id);
    if (condition === 'removed') return this.removalPromise(rec.id);
    if (condition === 'not-running' && !running) return Promise.resolve({ statusCode: rec.state.exitCode });
    let d = this.nextExit.get(rec.id);
    if (!d) {
      d = deferred();
      this.nextExit.set(rec.id, d);
    }
    // A container removed before it ever exits again still releases its waiters.
    return Promise.race([d.promise, this.removalPromise(rec.id)]);
  }

  private removalPromise(id: string): Promise<WaitResult> {
    let d = this.removed.get(id);
    if (!d) {
      d = deferred();
      this.removed.set(id, d);
    }
    return d.promise;
  }

  // ---- remove, prune ------------------------------------------------------------------------

  async remove(ref: string, opts: { force: boolean }): Promise<void> {
    const rec = this.deps.store.get(ref);
    if (this.removing.has(rec.id)) throw conflict('CONTAINER_REMOVING', `removal of container ${ref} is already in progress`);
    if ((this.live.has(rec.id) || this.starting.has(rec.id)) && !opts.force) {
      throw conflict('CONTAINER_RUNNING', `cannot remove container "/${rec.name}": container is running: stop the container before removing or force remove`);
    }
    await this.removeNow(rec.id);
  }

  /**
   * Kills (if needed) and removes a container: runtime state, RW layer, record and files. With
   * `background` (auto-remove after exit) the container leaves the live view and its waiters are
   * answered first, and the disk cleanup finishes afterwards; the record file goes last, so a crash
   * in between leaves a record that the next start-up removes again.
   */
  private async removeNow(id: string, opts: { background?: boolean } = {}): Promise<void> {
    const { store, runtime, layers, events, log } = this.deps;
    const rec = store.find(id);
    if (!rec || this.removing.has(id)) return;
    this.removing.add(id);
    try {
      await this.starting.get(id)?.catch(() => undefined);
      const proc = this.live.get(id);
      if (proc) {
        const exited = this.exitPromise(id);
        await proc.kill(SIGKILL).catch(() => undefined);
        await raceTimeout(exited, 10_000);
      }
      // The auto-remove of an exit runs inside that exit's handling: it must not wait for itself.
      if (!opts.background) await this.exiting.get(id);
      rec.state.status = 'removing';
      this.finishPendingAttaches(id);
      await this.exitCleanup.get(id);
      const t0 = performance.now();
      const disk = async (): Promise<void> => {
        if (!this.runtimeClean.has(id) || this.live.has(id)) await runtime.delete(this.runtimeRef(id));
        this.runtimeClean.delete(id);
        await layers.removeRw(id);
        await store.deleteFiles(id);
        log.debug({ id, ms: performance.now() - t0 }, 'container files removed');
      };
      if (!opts.background) await disk();
      store.forget(id);
      this.execs.delete(id);
      events.publish('container', 'destroy', id, this.actorAttributes(rec));
      const waiter = this.removed.get(id);
      this.removed.delete(id);
      waiter?.resolve({ statusCode: rec.state.exitCode });
      const exitWaiter = this.nextExit.get(id);
      this.nextExit.delete(id);
      exitWaiter?.resolve({ statusCode: rec.state.exitCode });
      if (opts.background) {
        const p = disk()
          .catch((err: unknown) => log.error({ err, id }, 'removing container files failed; the record reappears after a restart'))
          .finally(() => this.backgroundRemovals.delete(p));
        this.backgroundRemovals.add(p);
      }
    } catch (err) {
      // Leave it visible as "dead" so the user can retry `rm -f`.
      if (store.find(id)) rec.state.status = 'dead';
      throw err;
    } finally {
      this.removing.delete(id);
    }
  }

  async prune(filters: Map<string, string[]>): Promise<{ deleted: string[]; spaceReclaimed: number }> {
    const deleted: string[] = [];
    let spaceReclaimed = 0;
    const until = filters.get('until')?.[0];
    const untilMs = until !== undefined ? parseUntil(until) : undefined;
    for (const rec of this.deps.store.list()) {
      if (this.live.has(rec.id) || this.starting.has(rec.id) || this.removing.has(rec.id)) continue;
      if (!matchLabels(rec, filters.get('label') ?? [], filters.get('label!') ?? [])) continue;
      if (untilMs !== undefined && Date.parse(rec.created) >= untilMs) continue;
      const size = await this.deps.layers.rwSize(rec.id).catch(() => 0);
      await this.removeNow(rec.id);
      deleted.push(rec.id);
      spaceReclaimed += size;
    }
    return { deleted, spaceReclaimed };
  }

  // ---- attach, resize -----------------------------------------------------------------------

  /**
   * Attaches to a container's streams. A running container is attached at once; a created or
   * exited one is attached when it next starts (docker run attaches before it starts).
   */
  async attach(ref: string, options: AttachOptions): Promise<AttachStream> {
    const rec = this.deps.store.get(ref);
    if (this.removing.has(rec.id)) throw conflict('CONTAINER_REMOVING', `container ${rec.id} is being removed`);
    this.deps.events.publish('container', 'attach', rec.id, this.actorAttributes(rec));
    const proxy = new AttachProxy();
    const proc = this.live.get(rec.id);
    if (proc) {
      proxy.connect(await proc.attach(options));
      return proxy;
    }
    let set = this.pendingAttach.get(rec.id);
    if (!set) {
      set = new Set();
      this.pendingAttach.set(rec.id, set);
    }
    const entry = { proxy, options };
    set.add(entry);
    proxy.once('close', () => set.delete(entry));
    return proxy;
  }

  private finishPendingAttaches(id: string): void {
    const set = this.pendingAttach.get(id);
    this.pendingAttach.delete(id);
    for (const p of set ?? []) p.proxy.finishWithoutProcess();
  }

  async resize(ref: string, size: ConsoleSize): Promise<void> {
    const rec = this.deps.store.get(ref);
    const proc = this.live.get(rec.id);
    if (!proc) throw conflict('CONTAINER_NOT_RUNNING', `Container ${rec.id} is not running`);
    await proc.resize(size);
  }

  // ---- observation --------------------------------------------------------------------------

  inspect(ref: string, withSize = false): Promise<ContainerView> {
    const rec = this.deps.store.get(ref);
    return this.view(rec, withSize);
  }

  private async view(rec: ContainerRecord, withSize: boolean): Promise<ContainerView> {
    const v: ContainerView = { record: rec, execIds: [...(this.execs.get(rec.id) ?? [])] };
    if (withSize) {
      v.sizeRw = await this.deps.layers.rwSize(rec.id).catch(() => 0);
      v.sizeRootFs = v.sizeRw;
    }
    return v;
  }

  async list(opts: ContainerListOptions): Promise<ContainerView[]> {
    const f = opts.filters;
    let recs = this.deps.store.list().sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0));
    const statuses = f.get('status');
    const limit = opts.limit !== undefined && opts.limit > 0 ? opts.limit : undefined;
    // As dockerd: a positive limit (ps -n) and a status filter both imply all.
    if (!opts.all && !statuses && limit === undefined) recs = recs.filter((r) => r.state.status === 'running');
    recs = recs.filter((r) => {
      if (statuses && !statuses.includes(r.state.status)) return false;
      const ids = f.get('id');
      if (ids && !ids.some((v) => r.id.startsWith(v))) return false;
      const names = f.get('name');
      if (names && !names.some((v) => safeRegex(v).test(r.name) || safeRegex(v).test(`/${r.name}`))) return false;
      const exited = f.get('exited');
      if (exited && !(r.state.status === 'exited' && exited.includes(String(r.state.exitCode)))) return false;
      const ancestors = f.get('ancestor');
      if (ancestors && !ancestors.some((a) => a === r.config.image || a === r.imageId || r.imageId.startsWith(`sha256:${a}`) || `${a}:latest` === r.config.image)) return false;
      return matchLabels(r, f.get('label') ?? [], []);
    });
    if (limit !== undefined) recs = recs.slice(0, limit);
    return Promise.all(recs.map((r) => this.view(r, opts.size)));
  }

  /** Log entries, and whether the container has a TTY (raw vs multiplexed framing). */
  logs(ref: string, opts: LogReadOptions, signal: AbortSignal): { tty: boolean; entries: AsyncGenerator<LogEntry> } {
    const rec = this.deps.store.get(ref);
    const exited = this.live.has(rec.id) ? this.exitPromise(rec.id).then(() => undefined) : Promise.resolve();
    return { tty: rec.config.tty, entries: readJsonLog(this.logPath(rec.id), opts, exited, signal) };
  }

  /** Host PIDs in the container, for `top` (the API formats them with the host's `ps`). */
  async processes(ref: string): Promise<{ record: ContainerRecord; processes: ContainerProcessInfo[] }> {
    const rec = this.deps.store.get(ref);
    const proc = this.live.get(rec.id);
    if (!proc) throw conflict('CONTAINER_NOT_RUNNING', `container ${rec.id} is not running`);
    return { record: rec, processes: await proc.processes() };
  }

  /**
   * `docker top`: the host's `ps` with the caller's arguments (default `-ef`), keeping the rows
   * whose PID belongs to the container, as dockerd's top_unix.go does.
   */
  async top(ref: string, psArgs: string): Promise<{ Titles: string[]; Processes: string[][] }> {
    const { processes } = await this.processes(ref);
    const pids = new Set(processes.map((p) => p.hostPid));
    const out = await hostPs(psArgs.split(/\s+/).filter((a) => a !== ''));
    return parsePsOutput(out, pids);
  }

  /** Berth's process/PID map: every process with host and container PIDs, plus usage beside limits. */
  async processMap(ref: string): Promise<ProcessMap> {
    const { record, processes } = await this.processes(ref);
    const users = await this.hostUserNames();
    const proc = this.live.get(record.id);
    const stats = await proc?.stats().catch(() => undefined);
    return {
      record,
      processes: processes.map((p) => ({ ...p, user: users.get(p.uid) ?? String(p.uid) })),
      stats,
      cgroupVersion: this.deps.runtime.info().cgroupVersion,
    };
  }

  /**
   * One stats sample. Without `oneShot`, a single (non-stream) read takes two samples ~1 s apart
   * so `precpu_stats` is filled and the CLI can compute CPU%, as dockerd does.
   */
  async stats(ref: string, opts: { previous?: ContainerStats; oneShot: boolean; stream: boolean }): Promise<StatsSample> {
    const rec = this.deps.store.get(ref);
    const proc = this.live.get(rec.id);
    if (!proc) return { current: undefined, previous: undefined, record: rec };
    let previous = opts.previous;
    if (!opts.stream && !opts.oneShot && !previous) {
      previous = await proc.stats().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 1000));
    }
    const current = await proc.stats().catch(() => undefined);
    return { current, previous, record: rec };
  }

  isRunning(ref: string): boolean {
    return this.live.has(this.deps.store.get(ref).id);
  }

  /** The running container's runtime handle (exec needs it); Conflict when not running. */
  runningProcess(ref: string): { record: ContainerRecord; process: ContainerProcess } {
    const rec = this.deps.store.get(ref);
    const proc = this.live.get(rec.id);
    if (!proc) throw conflict('CONTAINER_NOT_RUNNING', `container ${rec.id} is not running`);
    return { record: rec, process: proc };
  }

  addExec(containerId: string, execId: string): void {
    let set = this.execs.get(containerId);
    if (!set) {
      set = new Set();
      this.execs.set(containerId, set);
    }
    set.add(execId);
  }

  removeExec(containerId: string, execId: string): void {
    this.execs.get(containerId)?.delete(execId);
  }

  /** IDs of containers created from an image (for `docker rmi`'s 409), with whether each runs. */
  imageUsers(imageId: string): { id: string; running: boolean }[] {
    return this.deps.store
      .list()
      .filter((r) => r.imageId === imageId)
      .map((r) => ({ id: r.id, running: this.live.has(r.id) }));
  }

  async counts(): Promise<{ total: number; running: number; paused: number; stopped: number }> {
    const all = this.deps.store.list();
    const running = all.filter((r) => this.live.has(r.id)).length;
    return { total: all.length, running, paused: 0, stopped: all.length - running };
  }

  containerDir(id: string): string {
    return this.deps.store.dir(id);
  }

  logPath(id: string): string {
    return join(this.deps.store.dir(id), `${id}-json.log`);
  }

  private runtimeRef(id: string): ContainerRef {
    return { id, stateDir: join(this.deps.store.dir(id), STATE_DIR) };
  }

  private actorAttributes(rec: ContainerRecord): Record<string, string> {
    return { ...rec.config.labels, image: rec.config.image, name: rec.name };
  }

  private hostUserNames(): Promise<Map<number, string>> {
    this.hostUsers ??= readFile('/etc/passwd', 'utf8').then(
      (t) => new Map(parsePasswd(t).map((p) => [p.uid, p.name])),
      () => new Map(),
    );
    return this.hostUsers;
  }

  // ---- recovery -----------------------------------------------------------------------------

  /**
   * After a berthd restart: loads every record and reconnects to the monitors of containers that
   * were running. Those whose monitor is gone are marked exited with the recorded exit status (or
   * 255 when nothing was recorded), and auto-remove ones are removed.
   */
  async recover(): Promise<void> {
    const { store, runtime, log } = this.deps;
    const recs = await store.load((id, err) => log.error({ err, id }, 'unreadable container record skipped'));
    await Promise.all(
      recs.map(async (rec) => {
        // Auto-remove containers that exited (or were being removed) before the restart go now.
        if ((rec.state.status === 'exited' || rec.state.status === 'dead') && rec.hostConfig.autoRemove) {
          await this.removeNow(rec.id).catch((err: unknown) => log.error({ err, id: rec.id }, 'auto-remove at start-up failed'));
          return;
        }
        if (rec.state.status !== 'running' && rec.state.status !== 'restarting' && rec.state.status !== 'removing') {
          // A crash between runtime create and start, or between exit and cleanup, leaves runtime
          // state (maybe a monitor held at its barrier): clear it so nothing outlives the record.
          if (await exists(this.runtimeRef(rec.id).stateDir)) await runtime.delete(this.runtimeRef(rec.id));
          return;
        }
        try {
          const found = await runtime.recover(this.runtimeRef(rec.id));
          if (found.state === 'running') {
            this.live.set(rec.id, found.container);
            if (!this.nextExit.has(rec.id)) this.nextExit.set(rec.id, deferred());
            void found.container.wait().then((exit) => this.onExit(rec.id, found.container, exit));
            return;
          }
          if (found.state === 'created') {
            found.container.close();
            await runtime.delete(this.runtimeRef(rec.id));
          }
          const exit: ExitStatus = found.state === 'exited' ? found.exit : { exitCode: UNKNOWN_EXIT, oomKilled: false, finishedAt: new Date() };
          await store.update(rec.id, (r) => {
            r.state = { ...r.state, status: 'exited', pid: 0, exitCode: exit.exitCode, oomKilled: exit.oomKilled, finishedAt: exit.finishedAt.toISOString() };
          });
          await runtime.delete(this.runtimeRef(rec.id)).catch(() => undefined);
          if (rec.hostConfig.autoRemove) await this.removeNow(rec.id);
        } catch (err) {
          log.error({ err, id: rec.id }, 'container recovery failed');
        }
      }),
    );
  }

  /** Closes client-side handles on daemon shutdown (containers keep running) after pending removals. */
  async close(): Promise<void> {
    await Promise.all(this.backgroundRemovals);
    for (const proc of this.live.values()) proc.close();
  }
}
