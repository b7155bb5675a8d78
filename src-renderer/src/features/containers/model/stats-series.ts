import type { StatsView } from '../../../../../src-shared/ipc/models/containers';

/** A rate across a longer gap (the Stats tab was closed meanwhile) would be an average, not a rate: leave a hole. */
const MAX_RATE_GAP_MS = 5_000;

/** Columns for the Stats charts (uPlot's aligned data): x in Unix seconds, one value per sample. */
export interface StatsSeries {
  t: number[];
  cpuPercent: number[];
  memoryUsage: number[];
  memoryLimit: number[];
  /** Bytes per second; null where no rate can be told (first sample, a gap, a counter reset). */
  netRxRate: (number | null)[];
  netTxRate: (number | null)[];
  blockReadRate: (number | null)[];
  blockWriteRate: (number | null)[];
}

function rates(samples: readonly StatsView[], pick: (s: StatsView) => number): (number | null)[] {
  return samples.map((s, i) => {
    const prev = samples[i - 1];
    if (!prev) return null;
    const dt = s.at - prev.at;
    const delta = pick(s) - pick(prev);
    // Counters go down only when they restart (container restarted): no rate for that step.
    if (dt <= 0 || dt > MAX_RATE_GAP_MS || delta < 0) return null;
    return (delta * 1000) / dt;
  });
}

export function toStatsSeries(samples: readonly StatsView[]): StatsSeries {
  return {
    t: samples.map((s) => s.at / 1000),
    cpuPercent: samples.map((s) => s.cpuPercent),
    memoryUsage: samples.map((s) => s.memoryUsage),
    memoryLimit: samples.map((s) => s.memoryLimit),
    netRxRate: rates(samples, (s) => s.netRx),
    netTxRate: rates(samples, (s) => s.netTx),
    blockReadRate: rates(samples, (s) => s.blockRead),
    blockWriteRate: rates(samples, (s) => s.blockWrite),
  };
}
