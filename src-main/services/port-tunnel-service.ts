import type { Server, Socket } from 'node:net';
import type { PortTunnelView } from '../../src-shared/ipc/models/networks';
import { createForwardingServer } from '../connections/forwarding-server';
import type { HostsService } from './hosts-service';

interface Tunnel {
  server: Server;
  conns: Set<Socket>;
  view: PortTunnelView;
}

/**
 * Published ports of a remote host, opened on the desktop: one listener on 127.0.0.1 per
 * (host, port), kept for the app's lifetime, whose every connection becomes a `direct-tcpip`
 * channel of the host's SSH session to the port on the host's loopback (berthd answers its
 * published ports there, as dockerd does). A port of the local engine needs no tunnel.
 */
export class PortTunnelService {
  private readonly tunnels = new Map<string, Tunnel>();

  constructor(private readonly hosts: HostsService) {}

  /** `ip`: the address the port is bound to on the host; empty or 0.0.0.0 means every one, so its loopback. */
  async open(hostId: string, remotePort: number, ip = ''): Promise<PortTunnelView> {
    const target = ip === '' || ip === '0.0.0.0' ? '127.0.0.1' : ip;
    const key = `${hostId}:${target}:${remotePort}`;
    const existing = this.tunnels.get(key);
    if (existing) return existing.view;
    const open = await this.hosts.session(hostId).tcpOpener();
    if (!open) return { hostId, remotePort, url: `http://${target}:${remotePort}/` };
    const conns = new Set<Socket>();
    const server = createForwardingServer(() => open(target, remotePort), conns);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
    });
    const address = server.address();
    const localPort = typeof address === 'object' && address ? address.port : 0;
    const view: PortTunnelView = { hostId, remotePort, url: `http://127.0.0.1:${localPort}/` };
    this.tunnels.set(key, { server, conns, view });
    return view;
  }

  list(): PortTunnelView[] {
    return [...this.tunnels.values()].map((t) => t.view);
  }

  /** Closes every tunnel of a host (it was removed), or all of them (the app quits). */
  closeAll(hostId?: string): void {
    for (const [key, t] of this.tunnels) {
      if (hostId !== undefined && t.view.hostId !== hostId) continue;
      for (const c of t.conns) c.destroy();
      t.server.close();
      this.tunnels.delete(key);
    }
  }
}
