import type { StatsSummaryView } from '../../../../../src-shared/ipc/models/containers';
import { formatMemory } from '../../../lib/format';

export interface UsageView {
  /** Containers' CPU as a share of the whole machine (100 % = every core busy). */
  cpuPercent: number;
  cpuLabel: string;
  memoryUsed: number;
  memoryLabel: string;
  running: number;
}

/**
 * The engine's load from the per-container stats summary. Docker's CPU % is per core (200 % =
 * two cores), so the machine's share divides by the core count. Memory is in binary units, as
 * `docker stats` and the dashboard's engine resources print it.
 */
export function toUsageView(byId: StatsSummaryView['byId'], ncpu: number | undefined, memTotal: number | undefined): UsageView {
  const samples = Object.values(byId);
  const cpuSum = samples.reduce((a, s) => a + s.cpuPercent, 0);
  const cpuPercent = ncpu && ncpu > 0 ? cpuSum / ncpu : cpuSum;
  const memoryUsed = samples.reduce((a, s) => a + s.memoryUsage, 0);
  return {
    cpuPercent,
    cpuLabel: `${cpuPercent.toFixed(1)} %`,
    memoryUsed,
    memoryLabel: memTotal ? `${formatMemory(memoryUsed)} / ${formatMemory(memTotal)}` : formatMemory(memoryUsed),
    running: samples.length,
  };
}
