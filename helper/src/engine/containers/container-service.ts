import { isContainerPidMode, joinedPidns } from './container-pidmode';
import { isContainerIpcMode, joinedIpc } from './container-ipcmode';
import type { ContainerRecord } from '../../store/containers/container-record';
import { availableParallelism } from 'node:os';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { conflict, errnoCode, invalidArgument, isBerthError, notModified } from '../../lib/errors';
import type { AttachOptions, AttachStream, ContainerProcess, ContainerProcessInfo, ContainerRef, ContainerStats, ConsoleSize, ExitStatus } from '../../runtime/runtime';
import { ContainerStartError } from '../../runtime/runtime-errors';
import { AttachProxy } from './attach-proxy';
import { actorAttributes, matchLabels, parseUntil, processEnded, raceTimeout } from './container-helpers';
import { createContainer } from './container-create';
import { ContainerObserver } from './container-observer';
import { recoverContainers } from './container-recovery';
import { buildContainerSpec, logSettingsOfRecord, resourcesOf, runtimeRefOf, writeHostsFile, writeResolvConf } from './container-spec';
import { appArmorProfileOf, NO_SECURITY_DEFAULTS, securityOf } from './security-opts';
import { applyUpdate, type ContainerUpdate } from './container-update';
import { joinedNetwork, isContainerNetworkMode } from './container-netmode';
import { publishedPortRequests } from './container-publish';
import { RestartManager } from './restart-manager';
import { HealthMonitor } from './health-monitor';
import type {
  ContainerCreateInput,
  ContainerListOptions,
  ContainerServiceDeps,
  ContainerView,
  ProcessMap,
  StatsSample,
  WaitCondition,
  WaitResult,
} from './container-types';
import type { LogEntry, LogReadOptions } from './json-log-reader';
import { parseSignal, SIGKILL } from './signals';

/** Runtime values the API layer streams or maps, re-exported so it depends on the engine only. */
export type { AttachStream, ContainerStats, OutputChunk } from '../../runtime/runtime';
/** The engine's models, so callers import the service module only. */
export type * from './container-types';

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

/**
 * Container use cases behind the Engine API (moby's container `Backend`): create, start, stop,
 * kill, wait, remove, prune, attach, resize, logs, top, stats, and recovery after a daemon restart.
 * This class owns the lifecycle and its in-memory state; create (container-create.ts), the read
 * side (container-observer.ts), the runtime spec (container-spec.ts) and start-up recovery
 * (container-recovery.ts) live beside it.
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
  private readonly observer: ContainerObserver;
  /** Restart policy state per container (restart-manager.ts); a user start makes a fresh one. */
  private readonly restartManagers = new Map<string, RestartManager>();
  /** Pending policy restarts (container in "restarting"), cancelled by stop, kill and rm. */
  private readonly restartTimers = new Map<string, NodeJS.Timeout>();
  /** Healthcheck probes of running containers (health-monitor.ts). */
  private readonly health: HealthMonitor;

  constructor(private readonly deps: ContainerServiceDeps) {
    this.health = new HealthMonitor({ store: deps.store, events: deps.events, log: deps.log, prober: () => deps.healthProber?.() });
    this.observer = new ContainerObserver(deps, {
      process: (id) => this.live.get(id),
      execIds: (id) => [...(this.execs.get(id) ?? [])],
      apparmorProfile: (rec) => appArmorProfileOf(rec, this.deps.securityDefaults?.() ?? NO_SECURITY_DEFAULTS),
      exitPromise: (id) => this.exitPromise(id),
    });
  }

  // ---- create ----------------------------------------------------------------------------

  create(input: ContainerCreateInput): Promise<{ id: string; warnings: string[] }> {
    return createContainer(this.deps, input);
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
    this.cancelRestartTimer(rec.id);
    // A user start: fresh restart policy state, RestartCount back to 0 (moby ResetRestartManager).
    this.restartManagers.set(rec.id, new RestartManager(rec.hostConfig.restartPolicy, 0));
    if (rec.restartCount !== 0 || rec.manuallyStopped) {
      await this.deps.store.update(rec.id, (r) => {
        r.restartCount = 0;
        r.manuallyStopped = false;
      });
    }
    const run = this.doStart(rec);
    this.starting.set(rec.id, run);
    try {
      await run;
    } catch (err) {
      this.starting.delete(rec.id);
      // After `starting` is cleared: removal waits for an in-flight start.
      if (rec.hostConfig.autoRemove) await this.removeNow(rec.id, { removeVolumes: true }).catch((e: unknown) => this.deps.log.warn({ err: e, id: rec.id }, 'auto-remove failed'));
      throw err;
    } finally {
      this.starting.delete(rec.id);
    }
  }

  private async doStart(rec: ContainerRecord): Promise<void> {
    const gate = this.deps.rootfsGate;
    return gate ? gate.exclusive(rec.id, () => this.startNow(rec)) : this.startNow(rec);
  }

  private async startNow(rec: ContainerRecord): Promise<void> {
    const { runtime, store, events } = this.deps;
    let proc: ContainerProcess;
    try {
      await this.exiting.get(rec.id);
      await this.exitCleanup.get(rec.id);
      await this.deps.volumes?.activate(rec.id, rec.hostConfig.mounts);
      const t0 = performance.now();
      const spec = buildContainerSpec(this.deps.store, rec, this.deps.securityDefaults?.());
      if (isContainerNetworkMode(rec.hostConfig.networkMode)) {
        const joined = joinedNetwork(this.deps.store, rec.hostConfig.networkMode, (id) => (this.live.has(id) ? this.live.get(id)!.pid : undefined), (id) => buildContainerSpec(this.deps.store, this.deps.store.get(id)).etcFiles);
        spec.joinNetns = joined.netns;
        spec.hostname = joined.hostname;
        spec.etcFiles = { ...spec.etcFiles, hosts: joined.hosts, resolvConf: joined.resolvConf };
      }
      if (isContainerIpcMode(rec.hostConfig.ipcMode)) spec.joinIpc = joinedIpc(this.deps.store, rec.hostConfig.ipcMode, (id) => this.live.get(id)?.pid);
      if (isContainerPidMode(rec.hostConfig.pidMode)) spec.joinPidns = joinedPidns(this.deps.store, rec.hostConfig.pidMode, (id) => this.live.get(id)?.pid);
      const net = await this.deps.networks?.prepareStart(rec.id);
      const ports = publishedPortRequests(rec);
      if (ports.length > 0) await this.deps.networks?.publish(rec.id, ports);
      // dockerd rewrites /etc/hosts and resolv.conf at each start: the address may change between runs.
      if (net?.primaryIp !== undefined) {
        await writeHostsFile(spec, net.ips ?? [net.primaryIp], net.hostGateway);
        await writeResolvConf(spec, rec.hostConfig, net.nameserver);
      }
      // The local driver's files live in their own directory (dockerd's local-logs/); json-file's in the container's.
      if (rec.hostConfig.logConfig.type === 'local') await mkdir(dirname(spec.logPath), { recursive: true });
      proc = await runtime.create(spec);
      this.deps.log.debug({ id: rec.id, ms: performance.now() - t0 }, 'runtime create');
    } catch (err) {
      await this.deps.networks?.release(rec.id).catch(() => undefined);
      await this.onStartFailure(rec, err);
      throw err;
    }
    try {
      const t1 = performance.now();
      await this.deps.networks?.plumb(rec.id, proc.pid);
      this.deps.log.debug({ id: rec.id, ms: performance.now() - t1 }, 'network plumbing');
      const pending = [...(this.pendingAttach.get(rec.id) ?? [])];
      this.pendingAttach.delete(rec.id);
      await Promise.all(pending.map(async (p) => p.proxy.connect(await proc.attach(p.options))));
      await proc.start();
    } catch (err) {
      proc.close();
      await runtime.delete(this.runtimeRef(rec.id)).catch(() => undefined);
      await this.deps.networks?.release(rec.id).catch(() => undefined);
      await this.onStartFailure(rec, err);
      throw err;
    }
    this.runtimeClean.delete(rec.id);
    this.live.set(rec.id, proc);
    // Waiters registered before start (docker run's next-exit) keep their deferred.
    if (!this.nextExit.has(rec.id)) this.nextExit.set(rec.id, deferred());
    await store.update(rec.id, (r) => {
      r.state = { status: 'running', pid: proc.pid, exitCode: 0, oomKilled: false, error: '', startedAt: new Date().toISOString(), finishedAt: r.state.finishedAt, health: r.state.health };
    });
    this.health.started(rec.id);
    events.publish('container', 'start', rec.id, actorAttributes(rec));
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
    await this.deps.volumes?.deactivate(rec.id, rec.hostConfig.mounts);
    this.finishPendingAttaches(rec.id);
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
    this.health.stop(id);
    this.execs.delete(id);
    const rec = store.find(id);
    if (!rec) return;
    const ranMs = exit.finishedAt.getTime() - Date.parse(rec.state.startedAt ?? exit.finishedAt.toISOString());
    const decision = this.removing.has(id) || rec.hostConfig.autoRemove
      ? { restart: false, delayMs: 0 }
      : this.restartManagerOf(rec).shouldRestart(exit.exitCode, rec.manuallyStopped === true, ranMs);
    const exited = (r: ContainerRecord): void => {
      r.state = { ...r.state, status: decision.restart ? 'restarting' : 'exited', pid: 0, exitCode: exit.exitCode, oomKilled: exit.oomKilled, finishedAt: exit.finishedAt.toISOString() };
      if (decision.restart) r.restartCount++;
    };
    // An auto-remove container is about to go: no need to persist its exit (a restart in between
    // finds no monitor and removes it anyway).
    if (rec.hostConfig.autoRemove) exited(rec);
    else await store.update(id, exited).catch((err: unknown) => log.error({ err, id }, 'cannot record container exit'));
    await this.deps.volumes?.deactivate(id, rec.hostConfig.mounts);
    await this.deps.networks?.release(id).catch((err: unknown) => log.warn({ err, id }, 'releasing network endpoints failed'));
    if (exit.oomKilled) events.publish('container', 'oom', id, actorAttributes(rec));
    events.publish('container', 'die', id, { ...actorAttributes(rec), exitCode: String(exit.exitCode) });
    const waiter = this.nextExit.get(id);
    this.nextExit.delete(id);
    waiter?.resolve({ statusCode: exit.exitCode });
    if (rec.hostConfig.autoRemove && !this.removing.has(id)) {
      // `run --rm` is answered once the container left the live view; the runtime state, layer
      // and files are removed right after, in the background.
      await this.removeNow(id, { background: true, removeVolumes: true }).catch((err: unknown) => log.warn({ err, id }, 'auto-remove failed'));
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
    if (decision.restart) this.scheduleRestart(id, decision.delayMs);
  }

  private restartManagerOf(rec: ContainerRecord): RestartManager {
    let rm = this.restartManagers.get(rec.id);
    if (!rm) {
      rm = new RestartManager(rec.hostConfig.restartPolicy, rec.restartCount);
      this.restartManagers.set(rec.id, rm);
    }
    return rm;
  }

  private scheduleRestart(id: string, delayMs: number): void {
    this.cancelRestartTimer(id);
    const timer = setTimeout(() => {
      this.restartTimers.delete(id);
      void this.policyRestart(id);
    }, delayMs);
    this.restartTimers.set(id, timer);
  }

  private cancelRestartTimer(id: string): boolean {
    const t = this.restartTimers.get(id);
    if (!t) return false;
    clearTimeout(t);
    this.restartTimers.delete(id);
    return true;
  }

  /** A restart by the policy: like a start, but the policy state and RestartCount carry on. */
  private async policyRestart(id: string): Promise<void> {
    const rec = this.deps.store.find(id);
    if (!rec || rec.state.status !== 'restarting' || this.removing.has(id) || this.live.has(id) || this.starting.has(id)) return;
    const run = this.doStart(rec);
    this.starting.set(id, run);
    try {
      await run;
    } catch (err) {
      this.deps.log.warn({ err, id }, 'restart by policy failed');
      await this.deps.store.update(id, (r) => {
        r.state.status = 'exited';
      }).catch(() => undefined);
    } finally {
      this.starting.delete(id);
    }
  }

  /** A stop or kill by the user: the restart policy stays off until the next user start. */
  private async markManuallyStopped(rec: ContainerRecord): Promise<void> {
    this.restartManagerOf(rec).cancel();
    const wasRestarting = this.cancelRestartTimer(rec.id);
    await this.deps.store.update(rec.id, (r) => {
      r.manuallyStopped = true;
      if (wasRestarting && r.state.status === 'restarting') r.state.status = 'exited';
    });
  }

  async stop(ref: string, opts: { signal?: string; timeoutSec?: number }): Promise<void> {
    const rec = this.deps.store.get(ref);
    const proc = this.live.get(rec.id);
    if (!proc) {
      if (rec.state.status === 'restarting') {
        await this.markManuallyStopped(rec);
        return;
      }
      throw notModified('CONTAINER_NOT_RUNNING', 'container already stopped');
    }
    await this.markManuallyStopped(rec);
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
    this.deps.events.publish('container', 'stop', rec.id, actorAttributes(rec));
  }

  async kill(ref: string, signalName?: string): Promise<void> {
    const rec = this.deps.store.get(ref);
    const signal = parseSignal(signalName && signalName !== '' ? signalName : 'KILL');
    const proc = this.live.get(rec.id);
    if (!proc) throw conflict('CONTAINER_NOT_RUNNING', `Cannot kill container: ${ref}: container ${rec.id} is not running`);
    await this.markManuallyStopped(rec);
    const exited = this.exitPromise(rec.id);
    await this.signal(rec, proc, signal);
    // As dockerd: after SIGKILL, give the exit a moment so a following `rm` sees it stopped.
    if (signal === SIGKILL) await raceTimeout(exited, 2000);
  }

  async restart(ref: string, timeoutSec?: number): Promise<void> {
    const rec = this.deps.store.get(ref);
    if (this.live.has(rec.id)) await this.stop(rec.id, { timeoutSec });
    await this.start(rec.id);
    this.deps.events.publish('container', 'restart', rec.id, actorAttributes(rec));
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
    // A frozen process acts on the signal only once thawed (dockerd unpauses after a kill too).
    if (rec.state.status === 'paused') await this.setPaused(rec, false, { event: false });
    this.deps.events.publish('container', 'kill', rec.id, { ...actorAttributes(rec), signal: String(signal) });
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

  /** `removeVolumes` (`rm -v`): the container's anonymous volumes go too, named ones stay (dockerd). */
  async remove(ref: string, opts: { force: boolean; removeVolumes?: boolean }): Promise<void> {
    const rec = this.deps.store.get(ref);
    if (this.removing.has(rec.id)) throw conflict('CONTAINER_REMOVING', `removal of container ${ref} is already in progress`);
    if ((this.live.has(rec.id) || this.starting.has(rec.id)) && !opts.force) {
      throw conflict('CONTAINER_RUNNING', `cannot remove container "/${rec.name}": container is running: stop the container before removing or force remove`);
    }
    await this.removeNow(rec.id, { removeVolumes: opts.removeVolumes });
  }

  /** The containers whose mounts name the volume (the volume engine's "in use"). */
  volumeUsers(volumeName: string): { id: string; name: string; running: boolean }[] {
    return this.deps.store
      .list()
      .filter((r) => r.hostConfig.mounts.some((m) => m.type === 'volume' && m.name === volumeName))
      .map((r) => ({ id: r.id, name: r.name, running: this.live.has(r.id) || this.starting.has(r.id) }));
  }

  /**
   * Kills (if needed) and removes a container: runtime state, RW layer, record and files. With
   * `background` (auto-remove after exit) the container leaves the live view and its waiters are
   * answered first, and the disk cleanup finishes afterwards; the record file goes last, so a crash
   * in between leaves a record that the next start-up removes again.
   */
  private async removeNow(id: string, opts: { background?: boolean; removeVolumes?: boolean } = {}): Promise<void> {
    const { store, runtime, layers, events, log } = this.deps;
    const rec = store.find(id);
    if (!rec || this.removing.has(id)) return;
    this.removing.add(id);
    try {
      this.cancelRestartTimer(id);
      this.restartManagers.get(id)?.cancel();
      this.health.stop(id);
      await this.starting.get(id)?.catch(() => undefined);
      const proc = this.live.get(id);
      if (proc) {
        const exited = this.exitPromise(id);
        await proc.kill(SIGKILL).catch(() => undefined);
        if (rec.state.status === 'paused') await this.runtime().freeze(this.runtimeRef(id), false).catch(() => undefined);
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
      await this.deps.networks?.forget(id).catch((err: unknown) => log.warn({ err, id }, 'removing network endpoints failed'));
      this.execs.delete(id);
      if (opts.removeVolumes) await this.deps.volumes?.removeAnonymous(id, rec.hostConfig.mounts).catch((err: unknown) => log.warn({ err, id }, 'removing anonymous volumes failed'));
      this.restartManagers.delete(id);
      events.publish('container', 'destroy', id, actorAttributes(rec));
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
   * exited one is attached when it next starts (docker run attaches before it starts). With
   * `logs` the log so far comes first (`attach?logs=1`); without `stream` the attachment ends
   * after it (`logs=1&stream=0` on an exited container answers at once, as dockerd).
   */
  async attach(ref: string, options: AttachOptions, replay: { logs: boolean; stream: boolean } = { logs: false, stream: true }): Promise<AttachStream> {
    const rec = this.deps.store.get(ref);
    if (this.removing.has(rec.id)) throw conflict('CONTAINER_REMOVING', `container ${rec.id} is being removed`);
    this.deps.events.publish('container', 'attach', rec.id, actorAttributes(rec));
    const proxy = new AttachProxy();
    if (replay.logs) {
      // In the background, at the reader's pace (a long log is never held in memory): the caller
      // gets the stream at once and pumps it; the live attachment joins after the replay.
      void this.replayLogs(rec.id, options, proxy)
        .then(async () => {
          if (!replay.stream) proxy.finishWithoutProcess();
          else await this.attachLive(rec.id, options, proxy);
        })
        .catch((err: unknown) => {
          // Not an error event: the chunked pump has no listener for one, and the client sees the end.
          this.deps.log.warn({ err, id: rec.id }, 'attach log replay failed');
          proxy.finishWithoutProcess();
        });
      return proxy;
    }
    if (!replay.stream) {
      proxy.finishWithoutProcess();
      return proxy;
    }
    return this.attachLive(rec.id, options, proxy);
  }

  private async attachLive(id: string, options: AttachOptions, proxy: AttachProxy): Promise<AttachStream> {
    const proc = this.live.get(id);
    if (proc) {
      const stream = await this.attachProcess(proc, options);
      if (stream !== undefined) {
        proxy.connect(stream);
        return proxy;
      }
      // The exit is recorded before the attach answers, so the client then sees it stopped.
      await raceTimeout(this.exitPromise(id), 5_000);
    }
    await this.exiting.get(id);
    if (this.removing.has(id) || this.deps.store.find(id) === undefined) {
      proxy.finishWithoutProcess();
      return proxy;
    }
    return this.attachAtNextStart(id, options, proxy);
  }

  /**
   * The live streams of a running process, or undefined when it has ended though its exit is not
   * recorded yet (dead, or its monitor gone: a `run --rm` of `echo`). Such an attach then waits for
   * the next start, as on dockerd for a stopped container: docker-compose 1.29's `run` attaches
   * after it starts the one-off and, finding it exited, starts it again and reads that run (joining
   * the dying stream lost the output; an error failed the run).
   */
  private async attachProcess(proc: ContainerProcess, options: AttachOptions): Promise<AttachStream | undefined> {
    if (await processEnded(proc.pid)) return undefined;
    try {
      return await proc.attach(options);
    } catch (err) {
      const code = errnoCode(err);
      if (code !== 'ENOENT' && code !== 'ECONNREFUSED' && code !== 'ECONNRESET' && code !== 'MONITOR_GONE') throw err;
      return undefined;
    }
  }

  /** Holds an attachment until the container's next start (ended by a failed start or removal). */
  private attachAtNextStart(id: string, options: AttachOptions, proxy: AttachProxy): AttachProxy {
    let set = this.pendingAttach.get(id);
    if (!set) {
      set = new Set();
      this.pendingAttach.set(id, set);
    }
    const entry = { proxy, options };
    set.add(entry);
    proxy.once('close', () => set.delete(entry));
    return proxy;
  }

  /** The log so far into an attachment (a driver that keeps none replays nothing, as dockerd). */
  private async replayLogs(id: string, options: AttachOptions, proxy: AttachProxy): Promise<void> {
    if (!options.stdout && !options.stderr) return;
    let entries: AsyncGenerator<LogEntry>;
    try {
      entries = this.observer.logs(id, { stdout: options.stdout, stderr: options.stderr, follow: false }, new AbortController().signal).entries;
    } catch (err) {
      if (isBerthError(err) && err.code === 'LOGS_NOT_SUPPORTED') return;
      throw err;
    }
    for await (const e of entries) {
      if (proxy.isFinished) return;
      if (!proxy.pushChunk({ stream: e.stream, data: Buffer.from(e.log) })) await proxy.readRequested();
    }
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

  // ---- pause, rename, update -----------------------------------------------------------------

  /** docker pause / unpause: the cgroup freezer (v1 freezer.state, v2 cgroup.freeze). */
  async pause(ref: string): Promise<void> {
    const rec = this.deps.store.get(ref);
    if (!this.live.has(rec.id)) throw conflict('CONTAINER_NOT_RUNNING', `container ${rec.id} is not running`);
    if (rec.state.status === 'paused') throw conflict('CONTAINER_PAUSED', `container ${rec.id} is already paused`);
    await this.setPaused(rec, true);
  }

  async unpause(ref: string): Promise<void> {
    const rec = this.deps.store.get(ref);
    if (rec.state.status !== 'paused' || !this.live.has(rec.id)) throw conflict('CONTAINER_NOT_PAUSED', `container ${rec.id} is not paused`);
    await this.setPaused(rec, false);
  }

  private async setPaused(rec: ContainerRecord, paused: boolean, opts: { event: boolean } = { event: true }): Promise<void> {
    await this.runtime().freeze(this.runtimeRef(rec.id), paused);
    // Before the write, so the "unhealthy" a pause leaves (health-monitor.ts) is persisted with it.
    if (paused) this.health.stop(rec.id);
    await this.deps.store.update(rec.id, (r) => {
      if (r.state.status === 'running' || r.state.status === 'paused') r.state.status = paused ? 'paused' : 'running';
    });
    if (!paused) this.health.resumed(rec.id);
    if (opts.event) this.deps.events.publish('container', paused ? 'pause' : 'unpause', rec.id, actorAttributes(rec));
  }

  /** docker rename: the name index, the record, and a `rename` event carrying the old name. */
  async rename(ref: string, newName: string): Promise<void> {
    const rec = this.deps.store.get(ref);
    if (newName === '' || newName === '/') throw invalidArgument('RENAME_EMPTY', 'Neither old nor new names may be empty');
    const { oldName } = await this.deps.store.rename(rec.id, newName);
    this.deps.events.publish('container', 'rename', rec.id, { ...actorAttributes(rec), oldName: `/${oldName}` });
  }

  /** docker update: new limits in the record and, when running, in the cgroup; a new restart policy. */
  async update(ref: string, changes: ContainerUpdate): Promise<{ warnings: string[] }> {
    const rec = this.deps.store.get(ref);
    const next = applyUpdate(rec, changes, { ...this.deps.runtime.info(), ncpu: availableParallelism() });
    if (this.live.has(rec.id)) await this.runtime().updateResources(this.runtimeRef(rec.id), resourcesOf(next.hostConfig));
    await this.deps.store.update(rec.id, (r) => {
      r.hostConfig = next.hostConfig;
    });
    this.restartManagers.get(rec.id)?.setPolicy(next.hostConfig.restartPolicy);
    this.deps.events.publish('container', 'update', rec.id, actorAttributes(rec));
    return { warnings: next.warnings };
  }

  private runtime(): ContainerServiceDeps['runtime'] {
    return this.deps.runtime;
  }

  // ---- observation --------------------------------------------------------------------------

  inspect(ref: string, withSize = false): Promise<ContainerView> {
    return this.observer.inspect(ref, withSize);
  }

  list(opts: ContainerListOptions): Promise<ContainerView[]> {
    return this.observer.list(opts);
  }

  /** Log entries, and whether the container has a TTY (raw vs multiplexed framing). */
  logs(ref: string, opts: LogReadOptions, signal: AbortSignal): { tty: boolean; entries: AsyncGenerator<LogEntry> } {
    return this.observer.logs(ref, opts, signal);
  }

  processes(ref: string): Promise<{ record: ContainerRecord; processes: ContainerProcessInfo[] }> {
    return this.observer.processes(ref);
  }

  top(ref: string, psArgs: string): Promise<{ Titles: string[]; Processes: string[][] }> {
    return this.observer.top(ref, psArgs);
  }

  processMap(ref: string): Promise<ProcessMap> {
    return this.observer.processMap(ref);
  }

  stats(ref: string, opts: { previous?: ContainerStats; oneShot: boolean; stream: boolean }): Promise<StatsSample> {
    return this.observer.stats(ref, opts);
  }

  isRunning(ref: string): boolean {
    return this.observer.isRunning(ref);
  }

  /** The seccomp profile and no_new_privs of a container's processes (an exec gets its container's). */
  security(rec: ContainerRecord): ReturnType<typeof securityOf> {
    return securityOf(rec, this.deps.securityDefaults?.() ?? NO_SECURITY_DEFAULTS);
  }

  runningProcess(ref: string): { record: ContainerRecord; process: ContainerProcess } {
    return this.observer.runningProcess(ref);
  }

  imageUsers(imageId: string): { id: string; running: boolean }[] {
    return this.observer.imageUsers(imageId);
  }

  counts(): Promise<{ total: number; running: number; paused: number; stopped: number }> {
    return this.observer.counts();
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

  containerDir(id: string): string {
    return this.deps.store.dir(id);
  }

  /** inspect's LogPath: dockerd reports the file of the json-file driver only. */
  logPath(id: string): string {
    const s = logSettingsOfRecord(this.deps.store, this.deps.store.get(id));
    return s.driver === 'json-file' ? s.path : '';
  }

  private runtimeRef(id: string): ContainerRef {
    return runtimeRefOf(this.deps.store, id);
  }

  // ---- recovery -----------------------------------------------------------------------------

  /** After a berthd restart: reconnects running containers and settles the rest (container-recovery.ts). */
  async recover(): Promise<void> {
    await recoverContainers(this.deps, {
      adopt: (id, proc) => {
        this.live.set(id, proc);
        if (!this.nextExit.has(id)) this.nextExit.set(id, deferred());
        // The healthcheck starts over (moby's restore: "starting", streak 0); a paused one waits for unpause.
        if (this.deps.store.find(id)?.state.status !== 'paused') this.health.started(id);
        void proc.wait().then((exit) => this.onExit(id, proc, exit));
      },
      // Only auto-remove containers are removed at start-up: their anonymous volumes go with them.
      removeNow: (id) => this.removeNow(id, { removeVolumes: true }),
    });
    this.applyRestartPoliciesAtStartup();
  }

  /**
   * dockerd's restore: containers the policy would restart are started again when the daemon
   * starts (after a host reboot, or an exit while berthd was away). `always` ignores a user stop
   * here, `unless-stopped` does not. Started in the background: recovery does not wait for them.
   */
  private applyRestartPoliciesAtStartup(): void {
    for (const rec of this.deps.store.list()) {
      if (this.live.has(rec.id) || rec.state.startedAt === null || rec.hostConfig.autoRemove) continue;
      if (rec.state.status !== 'exited' && rec.state.status !== 'restarting') continue;
      const ranMs = Date.parse(rec.state.finishedAt ?? '') - Date.parse(rec.state.startedAt);
      const decision = new RestartManager(rec.hostConfig.restartPolicy, rec.restartCount).shouldRestart(rec.state.exitCode, rec.manuallyStopped === true, ranMs);
      if (!decision.restart) continue;
      void this.start(rec.id).catch((err: unknown) => this.deps.log.warn({ err, id: rec.id }, 'restart at daemon start failed'));
    }
  }

  /** Closes client-side handles on daemon shutdown (containers keep running) after pending removals. */
  async close(): Promise<void> {
    for (const t of this.restartTimers.values()) clearTimeout(t);
    this.restartTimers.clear();
    this.health.stopAll();
    await Promise.all(this.backgroundRemovals);
    for (const proc of this.live.values()) proc.close();
  }
}
