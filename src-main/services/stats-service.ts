import type { StatsSummaryView, StatsView } from '../../src-shared/ipc/models/containers';
import { toStatsView } from './container-mappers';
import type { HostsService } from './hosts-service';

/** Live resource usage: one container's sample stream, and a per-host summary for the list. */
export class StatsService {
  private readonly summaries = new Map<string, StatsSummaryHub>();

  constructor(
    private readonly hosts: HostsService,
    private readonly summaryIntervalMs = 2000,
  ) {}

  async stream(hostId: string, id: string, emit: (s: StatsView) => void, signal: AbortSignal): Promise<void> {
    await this.hosts.client(hostId).containerStats(id, { stream: true, signal }, (s) => emit(toStatsView(s)));
  }

  /**
   * Subscribes to the host's summary: one stats stream per RUNNING container, shared by every
   * subscriber, opened and closed on start/die events (no polling of the list).
   */
  subscribeSummary(hostId: string, listener: (s: StatsSummaryView) => void): () => void {
    let hub = this.summaries.get(hostId);
    if (!hub) {
      hub = new StatsSummaryHub(this.hosts, hostId, this.summaryIntervalMs);
      this.summaries.set(hostId, hub);
    }
    const h = hub;
    const off = h.add(listener);
    return () => {
      off();
      if (h.empty) {
        h.dispose();
        this.summaries.delete(hostId);
      }
    };
  }
}

class StatsSummaryHub {
  private readonly listeners = new Set<(s: StatsSummaryView) => void>();
  private readonly streams = new Map<string, AbortController>();
  private readonly latest = new Map<string, { cpuPercent: number; memoryUsage: number; memoryLimit: number }>();
  private readonly timer: NodeJS.Timeout;
  private readonly offEvents: () => void;
  private readonly offStatus: () => void;

  constructor(
    private readonly hosts: HostsService,
    private readonly hostId: string,
    intervalMs: number,
  ) {
    const session = hosts.session(hostId);
    this.offEvents = session.onEvent((e) => {
      if (e.Type !== 'container') return;
      const id = e.Actor?.ID ?? e.id ?? '';
      if (e.Action === 'start' || e.Action === 'unpause') this.open(id);
      if (e.Action === 'die' || e.Action === 'destroy' || e.Action === 'pause') this.closeStream(id);
    });
    this.offStatus = session.onStatus((s) => {
      if (s.state === 'connected') void this.sync();
    });
    this.timer = setInterval(() => this.publish(), intervalMs);
    void this.sync();
  }

  get empty(): boolean {
    return this.listeners.size === 0;
  }

  add(listener: (s: StatsSummaryView) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async sync(): Promise<void> {
    try {
      const running = await this.hosts.client(this.hostId).listContainers({ all: false });
      const ids = new Set(running.map((c) => c.Id));
      for (const id of [...this.streams.keys()]) if (!ids.has(id)) this.closeStream(id);
      for (const id of ids) this.open(id);
    } catch {
      // Host down: the status listener resyncs when it is back.
    }
  }

  private open(id: string): void {
    if (!id || this.streams.has(id)) return;
    const abort = new AbortController();
    this.streams.set(id, abort);
    this.hosts
      .client(this.hostId)
      .containerStats(id, { stream: true, signal: abort.signal }, (raw) => {
        const v = toStatsView(raw);
        this.latest.set(id, { cpuPercent: v.cpuPercent, memoryUsage: v.memoryUsage, memoryLimit: v.memoryLimit });
      })
      .catch(() => {})
      .finally(() => {
        if (this.streams.get(id) === abort) this.streams.delete(id);
      });
  }

  private closeStream(id: string): void {
    this.streams.get(id)?.abort();
    this.streams.delete(id);
    this.latest.delete(id);
  }

  private publish(): void {
    const byId = Object.fromEntries(this.latest);
    for (const l of this.listeners) l({ byId });
  }

  dispose(): void {
    clearInterval(this.timer);
    this.offEvents();
    this.offStatus();
    for (const a of this.streams.values()) a.abort();
    this.streams.clear();
  }
}
