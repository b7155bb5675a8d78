/**
 * Runs a container's healthcheck while it runs, as moby daemon/health.go: the first probe one
 * interval after the start (the start interval while "starting" inside the start period, and a
 * probe right when the start period ends), then one interval after each probe ends. Results go to
 * State.Health (status, failing streak, last 5 results); a status change is persisted and
 * published as `health_status: <status>`. Each probe's output is in memory only until the next
 * record write, as dockerd does not write every probe to disk either.
 */
import type { ContainerRecord, HealthResult } from '../../store/containers/container-record';
import type { ContainerStore } from '../../store/containers/container-store';
import type { EventsService } from '../events/events-service';
import type { Logger } from '../../lib/logger';
import { actorAttributes } from './container-helpers';
import { probeCommand, probeTimings } from './health-config';

const MAX_LOG_ENTRIES = 5;

/** Runs one probe in the container (an exec); a timeout is a result with exit code -1. */
export type HealthProber = (containerId: string, cmd: string[], timeoutMs: number) => Promise<{ exitCode: number; output: string }>;

interface Run {
  timer?: NodeJS.Timeout;
  stopped: boolean;
}

export interface HealthMonitorDeps {
  store: ContainerStore;
  events: EventsService;
  log: Logger;
  /** Late-bound: the exec engine is made after the container engine. */
  prober: () => HealthProber | undefined;
}

export class HealthMonitor {
  private readonly runs = new Map<string, Run>();

  constructor(private readonly deps: HealthMonitorDeps) {}

  /** A (re)start, a policy restart or a reattach after a berthd restart: "starting", streak 0. */
  started(id: string): void {
    const rec = this.deps.store.find(id);
    if (!rec || !probeCommand(rec.config.healthcheck)) return;
    this.stop(id);
    rec.state.health = { status: 'starting', failingStreak: 0, log: rec.state.health?.log ?? [] };
    this.run(id);
  }

  /** Unpause: probing resumes where it was (moby updateHealthMonitor). */
  resumed(id: string): void {
    const rec = this.deps.store.find(id);
    if (!rec || !probeCommand(rec.config.healthcheck)) return;
    if (!rec.state.health) this.started(id);
    else if (!this.runs.has(id)) this.run(id);
  }

  /**
   * Exit, pause or removal: no further probes; a probe in flight is ignored. The status becomes
   * "unhealthy", as moby's CloseMonitorChannel sets it "for compatibility" (no health_status event);
   * a start makes it "starting" again, an unpause leaves it until the next probe.
   */
  stop(id: string): void {
    const run = this.runs.get(id);
    if (!run) return;
    run.stopped = true;
    clearTimeout(run.timer);
    this.runs.delete(id);
    const h = this.deps.store.find(id)?.state.health;
    if (h) h.status = 'unhealthy';
  }

  stopAll(): void {
    for (const id of [...this.runs.keys()]) this.stop(id);
  }

  private run(id: string): void {
    const run: Run = { stopped: false };
    this.runs.set(id, run);
    this.schedule(id, run);
  }

  private schedule(id: string, run: Run): void {
    const rec = this.deps.store.find(id);
    if (!rec?.config.healthcheck || run.stopped) return;
    run.timer = setTimeout(() => void this.probe(id, run), this.nextDelay(rec));
  }

  /** moby monitor()'s getInterval. */
  private nextDelay(rec: ContainerRecord): number {
    const t = probeTimings(rec.config.healthcheck ?? { test: [], interval: 0, timeout: 0, startPeriod: 0, startInterval: 0, retries: 0 });
    const elapsed = Date.now() - Date.parse(rec.state.startedAt ?? new Date().toISOString());
    if (elapsed >= t.startPeriodMs) return t.intervalMs;
    const remaining = t.startPeriodMs - elapsed;
    if (remaining < t.intervalMs) return remaining;
    return rec.state.health?.status === 'starting' ? t.startIntervalMs : t.intervalMs;
  }

  private async probe(id: string, run: Run): Promise<void> {
    const rec = this.deps.store.find(id);
    const cmd = probeCommand(rec?.config.healthcheck);
    const prober = this.deps.prober();
    if (!rec?.config.healthcheck || !cmd || !prober || run.stopped) {
      if (!run.stopped && rec && cmd) this.schedule(id, run);
      return;
    }
    const start = new Date();
    const { timeoutMs } = probeTimings(rec.config.healthcheck);
    const out = await prober(id, cmd, timeoutMs).catch((err: unknown) => {
      this.deps.log.warn({ err, id }, 'health check error');
      return { exitCode: -1, output: err instanceof Error ? err.message : String(err) };
    });
    if (run.stopped) return;
    await this.record(id, { start: start.toISOString(), end: new Date().toISOString(), exitCode: out.exitCode, output: out.output }, start);
    this.schedule(id, run);
  }

  /** moby handleProbeResult. */
  private async record(id: string, result: HealthResult, start: Date): Promise<void> {
    const rec = this.deps.store.find(id);
    const h = rec?.state.health;
    if (!rec?.config.healthcheck || !h) return;
    const t = probeTimings(rec.config.healthcheck);
    const old = h.status;
    h.log = [...h.log, result].slice(-MAX_LOG_ENTRIES);
    if (result.exitCode === 0) {
      h.failingStreak = 0;
      h.status = 'healthy';
    } else {
      // Failures while still "starting" inside the start period do not count (moby).
      const inStartPeriod = h.status === 'starting' && start.getTime() - Date.parse(rec.state.startedAt ?? '') < t.startPeriodMs;
      if (!inStartPeriod) {
        h.failingStreak++;
        if (h.failingStreak >= t.retries) h.status = 'unhealthy';
      }
    }
    if (h.status === old) return;
    await this.deps.store.update(id, () => undefined).catch((err: unknown) => this.deps.log.warn({ err, id }, 'cannot persist health status'));
    this.deps.events.publish('container', `health_status: ${h.status}`, id, actorAttributes(rec));
  }
}
