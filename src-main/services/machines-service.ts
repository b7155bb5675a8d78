import { AppError } from '../lib/app-error';
import type { MachineManager, MachineView as ManagerView } from '../machines/machine-manager';
import type { MachineCreateArgs, MachineProgressView, MachineView } from '../../src-shared/ipc/models/machines';
import type { HostsService } from './hosts-service';

/**
 * The app's side of Berth machines: a machine is created and started by the MachineManager, then
 * becomes an SSH host of the app (same connection, terminals, lists as any remote host). While it
 * runs, the ports its containers publish are forwarded to the desktop's loopback, kept in step
 * with the machine's container events.
 */
export class MachinesService {
  private readonly portWatch = new Map<string, () => void>();

  constructor(
    private readonly manager: MachineManager | undefined,
    private readonly hosts: HostsService,
    private readonly defaultShare: string,
  ) {}

  private get m(): MachineManager {
    if (!this.manager) throw new AppError('NotImplemented', 'MACHINES_UNAVAILABLE', 'Berth machines need qemu and a guest image on this desktop');
    return this.manager;
  }

  private hostIdOf(v: ManagerView): string | undefined {
    return this.hosts.list().find((h) => h.kind === 'ssh' && h.ssh?.keyPath === v.ssh.keyPath)?.id;
  }

  private toView(v: ManagerView): MachineView {
    const hostId = this.hostIdOf(v);
    return {
      name: v.name, state: v.state, cpus: v.cpus, memoryMiB: v.memoryMiB, diskGiB: v.diskGiB, acceleratorLabel: v.acceleratorLabel, sshPort: v.sshPort,
      forwardedPorts: v.forwardedPorts, ...(v.shareHome !== undefined ? { shareHome: v.shareHome } : {}), ...(hostId !== undefined ? { hostId } : {}),
    };
  }

  async list(): Promise<MachineView[]> {
    if (!this.manager) return [];
    return (await this.manager.list()).map((v) => this.toView(v));
  }

  async create(args: MachineCreateArgs, onProgress: (p: MachineProgressView) => void): Promise<MachineView> {
    const t0 = Date.now();
    const step = (s: string): void => onProgress({ step: s, elapsedMs: Date.now() - t0 });
    const share = args.shareHome === null ? undefined : (args.shareHome ?? this.defaultShare);
    await this.m.init({ name: args.name, cpus: args.cpus, memoryMiB: args.memoryMiB, diskGiB: args.diskGiB, ...(share !== undefined ? { shareHome: share } : {}) }, step);
    return this.start(args.name, onProgress, t0);
  }

  async start(name: string, onProgress: (p: MachineProgressView) => void, t0 = Date.now()): Promise<MachineView> {
    const step = (s: string): void => onProgress({ step: s, elapsedMs: Date.now() - t0 });
    const started = await this.m.start(name, step);
    let hostId = this.hostIdOf(started);
    if (hostId === undefined) {
      hostId = (await this.hosts.add({ name: `machine ${name}`, host: started.ssh.host, port: started.ssh.port, user: started.ssh.user, keyPath: started.ssh.keyPath, remoteSocket: started.remoteSocket })).id;
    }
    step('connecting');
    await this.hosts.connect(hostId);
    this.watchPorts(name, hostId);
    const view = this.toView(await this.m.view(name));
    onProgress({ step: 'running', elapsedMs: Date.now() - t0, done: view });
    return view;
  }

  async stop(name: string): Promise<MachineView> {
    const v = await this.m.view(name);
    this.portWatch.get(name)?.();
    this.portWatch.delete(name);
    const hostId = this.hostIdOf(v);
    if (hostId !== undefined) this.hosts.disconnect(hostId);
    await this.m.stop(name);
    return this.toView(await this.m.view(name));
  }

  async remove(name: string): Promise<void> {
    const v = await this.m.view(name);
    await this.stop(name);
    const hostId = this.hostIdOf(v);
    if (hostId !== undefined) await this.hosts.remove(hostId);
    await this.m.remove(name);
  }

  /** Forwards every TCP port the machine's running containers publish; redone on container events. */
  private watchPorts(name: string, hostId: string): void {
    this.portWatch.get(name)?.();
    const session = this.hosts.session(hostId);
    let running = false;
    let again = false;
    const sync = async (): Promise<void> => {
      if (running) {
        again = true;
        return;
      }
      running = true;
      try {
        const containers = await this.hosts.client(hostId).listContainers({ all: false });
        const ports = new Set<number>();
        for (const c of containers) {
          for (const raw of c.Ports ?? []) {
            const p = raw as { PublicPort?: number; Type?: string };
            if (p.PublicPort && p.Type === 'tcp') ports.add(p.PublicPort);
          }
        }
        await this.m.syncForwards(name, [...ports]);
      } catch {
        // The machine may be stopping; the next event or start resyncs.
      } finally {
        running = false;
        if (again) {
          again = false;
          void sync();
        }
      }
    };
    const off = session.onEvent((e) => {
      if (e.Type === 'container' && ['start', 'die', 'destroy', 'stop', 'kill'].includes(e.Action ?? '')) void sync();
    });
    void sync();
    this.portWatch.set(name, off);
  }

  close(): void {
    for (const off of this.portWatch.values()) off();
    this.portWatch.clear();
  }
}
