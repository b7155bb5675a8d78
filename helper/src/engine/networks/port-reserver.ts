/**
 * Holds a published host port for as long as the container runs, so another container or a host
 * process cannot take it (dockerd's docker-proxy holds it by listening). Traffic never reaches
 * these sockets: berthd's DNAT rules (prerouting for other machines, output for this host's own
 * loopback and addresses) send it to the container first. A reservation held here also makes a
 * port a host process already listens on fail at start with "address already in use", as dockerd.
 */
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { hostHasIpv6, openIpv6Proxy, type ProxyTarget } from './ipv6-proxy';
import type { PortProto } from './port-spec';

export interface PortReservation {
  close(): void;
}

export interface PortReserver {
  /** Binds the port; rejects with the socket error (EADDRINUSE) when it is taken. */
  reserve(proto: PortProto, hostIp: string, port: number): Promise<PortReservation>;
  /** The kernel's ephemeral range, where random host ports come from (as dockerd). */
  ephemeralRange(): Promise<[number, number]>;
  /** Whether the host has IPv6, so `-p 8080:80` is published on `[::]` too (dockerd's default). */
  hasIpv6?(): boolean;
  /** Holds an IPv6 host port and proxies it to the container's IPv4 address (ipv6-proxy.ts). */
  reserveIpv6?(proto: PortProto, hostIp: string, port: number, target: ProxyTarget): Promise<PortReservation>;
}

export class SocketPortReserver implements PortReserver {
  async reserve(proto: PortProto, hostIp: string, port: number): Promise<PortReservation> {
    const host = hostIp === '' ? '0.0.0.0' : hostIp;
    if (proto === 'udp') {
      const sock = createSocket({ type: 'udp4' });
      await new Promise<void>((resolve, reject) => {
        sock.once('error', reject);
        sock.bind({ address: host, port, exclusive: true }, () => {
          sock.off('error', reject);
          resolve();
        });
      });
      sock.on('message', () => undefined);
      sock.unref();
      return { close: () => sock.close() };
    }
    const server = createServer((c) => c.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port, exclusive: true, backlog: 1 }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.unref();
    return { close: () => server.close() };
  }

  private ipv6: boolean | undefined;

  hasIpv6(): boolean {
    this.ipv6 ??= hostHasIpv6((path) => {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return null;
      }
    });
    return this.ipv6;
  }

  reserveIpv6(proto: PortProto, hostIp: string, port: number, target: ProxyTarget): Promise<PortReservation> {
    return openIpv6Proxy(proto, hostIp, port, target);
  }

  async ephemeralRange(): Promise<[number, number]> {
    const text = await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').catch(() => '32768 60999');
    const [lo, hi] = text.trim().split(/\s+/).map(Number);
    return lo !== undefined && hi !== undefined && lo > 0 && hi >= lo ? [lo, hi] : [32768, 60999];
  }
}
