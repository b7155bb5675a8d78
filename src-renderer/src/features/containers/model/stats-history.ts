import type { StatsView } from '../../../../../src-shared/ipc/models/containers';

/** How far back the Stats charts look. */
export const HISTORY_MS = 3 * 60_000;
/** Containers whose history is kept at once; the least recently fed goes first. */
const MAX_CONTAINERS = 16;
const EMPTY: readonly StatsView[] = Object.freeze([]);

export const statsKey = (hostId: string, containerId: string): string => `${hostId}/${containerId}`;

/**
 * The last few minutes of stats samples per host+container, kept outside React so a Stats tab
 * that unmounts (switching to Logs, or leaving the details) finds its history when it comes
 * back. Each append makes a new array: useSyncExternalStore compares snapshots by identity.
 */
export class StatsHistory {
  private readonly buffers = new Map<string, readonly StatsView[]>();
  private readonly listeners = new Set<() => void>();

  constructor(private readonly maxContainers = MAX_CONTAINERS) {}

  append(key: string, sample: StatsView): void {
    const prev = this.buffers.get(key) ?? EMPTY;
    // A sample from before the last one (a reopened stream replaying) would make time run backwards.
    const last = prev[prev.length - 1];
    if (last && sample.at <= last.at) return;
    const from = sample.at - HISTORY_MS;
    const kept = prev.filter((s) => s.at >= from);
    this.buffers.delete(key);
    this.buffers.set(key, [...kept, sample]);
    while (this.buffers.size > this.maxContainers) {
      const oldest = this.buffers.keys().next().value;
      if (oldest === undefined) break;
      this.buffers.delete(oldest);
    }
    for (const l of this.listeners) l();
  }

  get = (key: string): readonly StatsView[] => this.buffers.get(key) ?? EMPTY;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
}

/** The app's one history, shared by every Stats tab. */
export const statsHistory = new StatsHistory();
