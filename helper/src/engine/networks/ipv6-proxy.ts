/**
 * A published port's IPv6 side. Containers on berthd's bridges have IPv4 addresses only, and the
 * kernel cannot NAT an IPv6 connection to an IPv4 address, so — as dockerd's docker-proxy does for
 * the same case — a client of `[::]:8080` is served by a proxy in berthd that connects to the
 * container's IPv4 address. IPv4 clients never pass here: they keep the kernel's DNAT path.
 * The listening socket also holds the port, like the IPv4 reservation does.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, connect, type Socket } from 'node:net';
import type { PortReservation } from './port-reserver';
import type { PortProto } from './port-spec';

export interface ProxyTarget {
  ip: string;
  port: number;
}

/** A UDP "connection" is forgotten after this long without traffic (docker-proxy waits 90 s). */
const UDP_IDLE_MS = 90_000;

export async function openIpv6Proxy(proto: PortProto, hostIp: string, port: number, target: ProxyTarget): Promise<PortReservation> {
  const host = hostIp === '' ? '::' : hostIp;
  return proto === 'tcp' ? tcpProxy(host, port, target) : udpProxy(host, port, target);
}

async function tcpProxy(host: string, port: number, target: ProxyTarget): Promise<PortReservation> {
  const conns = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (client) => {
    const upstream = connect({ host: target.ip, port: target.port, allowHalfOpen: true });
    conns.add(client);
    conns.add(upstream);
    const done = (): void => {
      client.destroy();
      upstream.destroy();
      conns.delete(client);
      conns.delete(upstream);
    };
    client.on('error', done).on('close', done);
    upstream.on('error', done).on('close', done);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, ipv6Only: true, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.unref();
  return {
    close: () => {
      server.close();
      for (const c of conns) c.destroy();
    },
  };
}

async function udpProxy(host: string, port: number, target: ProxyTarget): Promise<PortReservation> {
  const server = createSocket({ type: 'udp6', ipv6Only: true });
  const flows = new Map<string, { sock: UdpSocket; timer: NodeJS.Timeout }>();
  const forget = (key: string): void => {
    const f = flows.get(key);
    if (!f) return;
    clearTimeout(f.timer);
    f.sock.close();
    flows.delete(key);
  };
  server.on('message', (msg, rinfo) => {
    const key = `[${rinfo.address}]:${rinfo.port}`;
    let flow = flows.get(key);
    if (!flow) {
      const sock = createSocket('udp4');
      sock.on('message', (reply) => server.send(reply, rinfo.port, rinfo.address));
      sock.on('error', () => forget(key));
      flow = { sock, timer: setTimeout(() => forget(key), UDP_IDLE_MS) };
      flows.set(key, flow);
    }
    flow.timer.refresh();
    flow.sock.send(msg, target.port, target.ip);
  });
  server.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.bind({ address: host, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.unref();
  return {
    close: () => {
      for (const key of [...flows.keys()]) forget(key);
      server.close();
    },
  };
}

/** The host has an IPv6 stack (dockerd then publishes `-p 8080:80` on `[::]` too). */
export function hostHasIpv6(readText: (path: string) => string | null): boolean {
  const disabled = readText('/proc/sys/net/ipv6/conf/all/disable_ipv6');
  return disabled !== null && disabled.trim() === '0' && readText('/proc/net/if_inet6') !== null;
}
