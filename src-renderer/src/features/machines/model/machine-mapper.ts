import type { MachineView } from '../../../../../src-shared/ipc/models/machines';

export interface MachineRowView {
  name: string;
  running: boolean;
  state: string;
  resources: string;
  accelerator: string;
  /** TCG is usable but slow: the list says so. */
  slow: boolean;
  ports: string;
  share: string;
  hostId: string | undefined;
  /** The docker CLI command that uses this machine once its context is served. */
  contextName: string;
}

export function toMachineRowView(m: MachineView): MachineRowView {
  return {
    name: m.name,
    running: m.state === 'running',
    state: m.state === 'running' ? 'Running' : 'Stopped',
    resources: `${m.cpus} CPU · ${m.memoryMiB >= 1024 ? `${(m.memoryMiB / 1024).toFixed(m.memoryMiB % 1024 === 0 ? 0 : 1)} GiB` : `${m.memoryMiB} MiB`} · ${m.diskGiB} GiB disk`,
    accelerator: m.acceleratorLabel,
    slow: /^TCG/.test(m.acceleratorLabel),
    ports: m.forwardedPorts.length > 0 ? m.forwardedPorts.map((p) => `127.0.0.1:${p}`).join(', ') : '—',
    share: m.shareHome ?? 'nothing shared',
    hostId: m.hostId,
    contextName: `berth-${m.name}`,
  };
}
