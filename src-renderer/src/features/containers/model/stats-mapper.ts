import type { ContainerProcessesView, StatsView } from '../../../../../src-shared/ipc/models/containers';
import { formatBytes, formatMemory, formatPercent } from '../../../lib/format';

export interface StatsPanelView {
  cpu: string;
  memory: string;
  memoryPercent: string;
  pids: string;
  network: string;
  block: string;
}

export function toStatsPanelView(samples: readonly StatsView[]): StatsPanelView | null {
  const last = samples[samples.length - 1];
  if (!last) return null;
  return {
    cpu: `${formatPercent(last.cpuPercent)} of ${last.onlineCpus} CPU${last.onlineCpus === 1 ? '' : 's'}`,
    memory: `${formatMemory(last.memoryUsage)} / ${formatMemory(last.memoryLimit)}`,
    memoryPercent: formatPercent(last.memoryPercent),
    pids: last.pidsLimit ? `${last.pids} / ${last.pidsLimit}` : String(last.pids),
    network: `${formatBytes(last.netRx)} in / ${formatBytes(last.netTx)} out`,
    block: `${formatBytes(last.blockRead)} read / ${formatBytes(last.blockWrite)} written`,
  };
}

export interface ProcessRowView {
  key: string;
  hostPid: string;
  containerPid: string;
  ppid: string;
  user: string;
  command: string;
  isPid1: boolean;
}

export interface ProcessesPanelView {
  note: string | null;
  rows: ProcessRowView[];
  cgroup: { key: string; value: string }[];
}

function usageOf(usage: number | null, limit: number | null, fmt: (n: number) => string, unit = ''): string {
  const u = usage === null ? '—' : fmt(usage);
  return limit === null || limit <= 0 ? `${u}${unit} (no limit)` : `${u}${unit} of ${fmt(limit)}${unit} limit`;
}

export function toProcessesPanelView(v: ContainerProcessesView): ProcessesPanelView {
  const rows = v.processes.map((p) => ({
    key: String(p.hostPid),
    hostPid: String(p.hostPid),
    containerPid: p.containerPid === null ? '—' : String(p.containerPid),
    ppid: p.ppid === null ? '—' : String(p.ppid),
    user: p.user,
    command: p.command,
    isPid1: p.containerPid === 1,
  }));
  const cgroup: { key: string; value: string }[] = [];
  if (v.cgroup) {
    cgroup.push({ key: 'cgroup', value: `v${v.cgroup.version}` });
    cgroup.push({ key: 'Memory', value: usageOf(v.cgroup.memory.usage, v.cgroup.memory.limit, formatMemory) });
    cgroup.push({ key: 'PIDs', value: usageOf(v.cgroup.pids.usage, v.cgroup.pids.limit, String) });
    const cpuLimit = v.cgroup.cpu.limit;
    const cpuUsed = v.cgroup.cpu.usage;
    cgroup.push({
      key: 'CPU',
      value: `${cpuUsed === null ? '—' : `${cpuUsed.toFixed(2)} s used`}${cpuLimit && cpuLimit > 0 ? `, limit ${cpuLimit} cores` : ', no limit'}`,
    });
  }
  return {
    note: v.source === 'top' ? 'This daemon reports host PIDs only (standard /top); container PIDs need berthd.' : null,
    rows,
    cgroup,
  };
}
