import type { DiskUsageRowView, DiskUsageView, EngineInfoView } from '../../../../../src-shared/ipc/models/system';
import { formatBytes, formatMemory } from '../../../lib/format';

export interface ContainerCountView {
  state: 'running' | 'paused' | 'stopped';
  label: string;
  count: number;
}

/** The four rows of `docker system df`, in the CLI's order. */
export type DiskCategory = 'images' | 'containers' | 'volumes' | 'buildCache';

export interface DiskRowView {
  category: DiskCategory;
  label: string;
  total: number;
  active: number;
  /** "3 (1 in use)": what the CLI splits into TOTAL and ACTIVE. */
  countLabel: string;
  sizeBytes: number;
  size: string;
  reclaimableBytes: number;
  /** "210 MB (82%)", the CLI's RECLAIMABLE column (percent of the size, none when the size is 0). */
  reclaimable: string;
}

export interface ResourceFactView {
  key: string;
  value: string;
}

export function toContainerCounts(info: EngineInfoView): ContainerCountView[] {
  return [
    { state: 'running', label: 'Running', count: info.containersRunning },
    { state: 'paused', label: 'Paused', count: info.containersPaused },
    { state: 'stopped', label: 'Stopped', count: info.containersStopped },
  ];
}

const DISK_LABELS: Record<DiskCategory, string> = { images: 'Images', containers: 'Containers', volumes: 'Local volumes', buildCache: 'Build cache' };
const DISK_ORDER: readonly DiskCategory[] = ['images', 'containers', 'volumes', 'buildCache'];

/** The CLI's figure: the percent of the size cut to an integer (Go's int division), none for an empty row. */
function reclaimableLabel(row: DiskUsageRowView): string {
  const bytes = formatBytes(row.reclaimable);
  return row.size > 0 ? `${bytes} (${Math.floor((row.reclaimable * 100) / row.size)}%)` : bytes;
}

export function toDiskRows(df: DiskUsageView): DiskRowView[] {
  return DISK_ORDER.map((category) => {
    const row = df[category];
    return {
      category,
      label: DISK_LABELS[category],
      total: row.total,
      active: row.active,
      countLabel: `${row.total} (${row.active} in use)`,
      sizeBytes: row.size,
      size: formatBytes(row.size),
      reclaimableBytes: row.reclaimable,
      reclaimable: reclaimableLabel(row),
    };
  });
}

/** The engine's resources as label/value pairs; facts the engine does not report are left out, not shown as blanks. */
export function toResourceFacts(info: EngineInfoView): ResourceFactView[] {
  const facts: (ResourceFactView | null)[] = [
    { key: 'Engine', value: `${info.isBerth ? 'berthd' : 'Docker Engine'} ${info.serverVersion} (API ${info.apiVersion})` },
    { key: 'CPUs', value: String(info.ncpu) },
    { key: 'Memory', value: formatMemory(info.memTotal) },
    { key: 'Operating system', value: `${info.operatingSystem} (${info.architecture})` },
    { key: 'Kernel', value: info.kernelVersion },
    info.cgroupVersion ? { key: 'Cgroup version', value: `v${info.cgroupVersion}` } : null,
    { key: 'Storage driver', value: info.storageDriver },
    { key: 'Data root', value: info.dockerRootDir },
    info.defaultBridge ? { key: 'Default bridge', value: `${info.defaultBridge.subnet} (gateway ${info.defaultBridge.gateway})` } : null,
  ];
  return facts.filter((f): f is ResourceFactView => f !== null && f.value !== '');
}
