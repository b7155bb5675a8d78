import { readFile } from 'node:fs/promises';
import type { ContainerRecord } from '../../store/containers/container-record';
import type { ContainerProcess, ContainerProcessInfo, ContainerStats } from '../../runtime/runtime';
import { conflict, invalidArgument } from '../../lib/errors';
import { healthFilterValue } from './health-config';
import { hostPs, matchLabels, parsePsOutput, safeRegex } from './container-helpers';
import { logSettingsOfRecord } from './container-spec';
import { assertReadable } from './log-driver';
import type { ContainerListOptions, ContainerServiceDeps, ContainerView, ProcessMap, StatsSample, WaitResult } from './container-types';
import { readJsonLog, type LogEntry, type LogReadOptions } from './json-log-reader';
import { parsePasswd } from './user-resolve';

/** What observation reads of the lifecycle's in-memory state (owned by ContainerService). */
export interface LiveState {
  /** The runtime handle of a running container, by full ID. */
  process(id: string): ContainerProcess | undefined;
  execIds(id: string): string[];
  /** inspect's AppArmorProfile (depends on the daemon's loaded default). */
  apparmorProfile(rec: ContainerRecord): string;
  /** Resolves at the container's next exit (at once if it is not running). */
  exitPromise(id: string): Promise<WaitResult>;
}

/**
 * The read side of the container engine: inspect, list, logs, top, the process map and stats.
 * It changes nothing; records come from the store and running processes from `LiveState`.
 */
export class ContainerObserver {
  private hostUsers?: Promise<Map<number, string>>;

  constructor(
    private readonly deps: Pick<ContainerServiceDeps, 'store' | 'layers' | 'runtime' | 'networks'>,
    private readonly live: LiveState,
  ) {}

  inspect(ref: string, withSize = false): Promise<ContainerView> {
    const rec = this.deps.store.get(ref);
    return this.view(rec, withSize);
  }

  private async view(rec: ContainerRecord, withSize: boolean): Promise<ContainerView> {
    const v: ContainerView = { record: rec, execIds: this.live.execIds(rec.id), apparmorProfile: this.live.apparmorProfile(rec) };
    if (this.deps.networks) {
      v.networks = this.deps.networks.containerEndpoints(rec.id);
      v.ports = this.deps.networks.containerPorts(rec.id);
    }
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
    for (const v of f.get('health') ?? []) {
      if (!['starting', 'healthy', 'unhealthy', 'none'].includes(v)) throw invalidArgument('INVALID_FILTER', `Unrecognised filter value for health: ${v}`);
    }
    const limit = opts.limit !== undefined && opts.limit > 0 ? opts.limit : undefined;
    // As dockerd: a positive limit (ps -n) and a status filter both imply all.
    // Paused and restarting containers count as running (moby's IsRunning), as in `docker ps`.
    if (!opts.all && !statuses && limit === undefined) recs = recs.filter((r) => ['running', 'paused', 'restarting'].includes(r.state.status));
    recs = recs.filter((r) => {
      if (statuses && !statuses.includes(r.state.status)) return false;
      const ids = f.get('id');
      if (ids && !ids.some((v) => r.id.startsWith(v))) return false;
      const names = f.get('name');
      if (names && !names.some((v) => safeRegex(v).test(r.name) || safeRegex(v).test(`/${r.name}`))) return false;
      const health = f.get('health');
      if (health && !health.includes(healthFilterValue(r.state))) return false;
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
    const exited = this.live.process(rec.id) ? this.live.exitPromise(rec.id).then(() => undefined) : Promise.resolve();
    const settings = logSettingsOfRecord(this.deps.store, rec);
    assertReadable(settings);
    return { tty: rec.config.tty, entries: readJsonLog(settings.path, opts, exited, signal) };
  }

  /** Host PIDs in the container, for `top` (the API formats them with the host's `ps`). */
  async processes(ref: string): Promise<{ record: ContainerRecord; processes: ContainerProcessInfo[] }> {
    const rec = this.deps.store.get(ref);
    const proc = this.live.process(rec.id);
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
    const proc = this.live.process(record.id);
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
    const proc = this.live.process(rec.id);
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
    return this.live.process(this.deps.store.get(ref).id) !== undefined;
  }

  /** The running container's runtime handle (exec needs it); Conflict when not running. */
  runningProcess(ref: string): { record: ContainerRecord; process: ContainerProcess } {
    const rec = this.deps.store.get(ref);
    const proc = this.live.process(rec.id);
    if (!proc) throw conflict('CONTAINER_NOT_RUNNING', `container ${rec.id} is not running`);
    if (rec.state.status === 'paused') throw conflict('CONTAINER_PAUSED', `Container ${rec.id} is paused, unpause the container before exec`);
    return { record: rec, process: proc };
  }

  /** IDs of containers created from an image (for `docker rmi`'s 409), with whether each runs. */
  imageUsers(imageId: string): { id: string; running: boolean }[] {
    return this.deps.store
      .list()
      .filter((r) => r.imageId === imageId)
      .map((r) => ({ id: r.id, running: this.live.process(r.id) !== undefined }));
  }

  async counts(): Promise<{ total: number; running: number; paused: number; stopped: number }> {
    const all = this.deps.store.list();
    const live = all.filter((r) => this.live.process(r.id));
    const paused = live.filter((r) => r.state.status === 'paused').length;
    return { total: all.length, running: live.length - paused, paused, stopped: all.length - live.length };
  }

  private hostUserNames(): Promise<Map<number, string>> {
    this.hostUsers ??= readFile('/etc/passwd', 'utf8').then(
      (t) => new Map(parsePasswd(t).map((p) => [p.uid, p.name])),
      () => new Map(),
    );
    return this.hostUsers;
  }
}
