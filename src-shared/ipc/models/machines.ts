/** A Berth machine (a local Linux VM running berthd), as the Machines view shows it. */
export interface MachineView {
  name: string;
  state: 'running' | 'stopped';
  cpus: number;
  memoryMiB: number;
  diskGiB: number;
  /** `TCG software emulation (slow: …)` or `KVM hardware virtualisation`, etc. */
  acceleratorLabel: string;
  sshPort: number;
  /** Folder of the desktop shared into the machine at the same path. */
  shareHome?: string;
  /** The host entry the app uses to reach the machine's berthd, once created. */
  hostId?: string;
  /** Published ports forwarded to the desktop's loopback. */
  forwardedPorts: number[];
}

export interface MachineCreateArgs {
  name: string;
  cpus?: number;
  memoryMiB?: number;
  diskGiB?: number;
  /** Share this desktop folder (default: the person's home folder); null shares nothing. */
  shareHome?: string | null;
}

/** One step of creating or starting a machine; the last event has `done` and the machine. */
export interface MachineProgressView {
  step: string;
  elapsedMs: number;
  done?: MachineView;
}

/** A docker context the app serves for a host (a local socket forwarded to its engine). */
export interface DockerContextView {
  hostId: string;
  socket: string;
  context: string;
}
