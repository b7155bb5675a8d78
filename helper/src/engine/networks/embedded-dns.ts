/**
 * berthd's embedded DNS for user-defined networks (dockerd's 127.0.0.11 resolver): a container
 * resolves the other containers of its networks by name, network alias and short ID; any other
 * name is forwarded to its upstream servers (its `--dns`, else daemon.json `dns`, else the host's
 * resolv.conf, loopback servers included: berthd runs in the host's network namespace).
 *
 * It listens on each user network's gateway address (UDP and TCP port 53), which the containers
 * of that network use as their nameserver. Only a running container of that network gets an
 * answer: a query from anywhere else is REFUSED, so the names of one network never leak to another
 * (a container can reach another bridge's gateway address through the host).
 */
import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server, type Socket as TcpSocket } from 'node:net';
import * as dnsPacket from 'dns-packet';
import type { Logger } from '../../lib/logger';

/** What the resolver asks the network engine, by the querying container's address. */
export interface DnsDirectory {
  /** The running container that has `clientIp` on the network listening at `serverIp`, if any. */
  clientOf(serverIp: string, clientIp: string): { containerId: string } | undefined;
  /** IPv4 addresses `name` has on the networks `containerId` is attached to (empty: not a container name). */
  lookup(containerId: string, name: string): string[];
  /** The container name for an address on the networks `containerId` is attached to (PTR). */
  reverse(containerId: string, ip: string): string | undefined;
  /** Upstream servers for this container's other names. */
  upstreams(containerId: string): Promise<string[]>;
}

const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;
const FLAGS = dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE;
/** dockerd's TTL for container records. */
const TTL = 600;
const UPSTREAM_TIMEOUT_MS = 2000;

interface Listener {
  udp: Socket;
  tcp: Server;
}

export class EmbeddedDns {
  private readonly listeners = new Map<string, Listener>();

  constructor(private readonly deps: { directory: DnsDirectory; log: Logger }) {}

  /** Serves on `ip`:53 (UDP and TCP); idempotent. */
  async listen(ip: string): Promise<void> {
    if (this.listeners.has(ip)) return;
    const udp = createSocket({ type: 'udp4', reuseAddr: true });
    udp.on('message', (msg, rinfo) => {
      void this.answer(ip, rinfo.address, msg).then((reply) => {
        if (reply) udp.send(reply, rinfo.port, rinfo.address);
      });
    });
    udp.on('error', (err) => this.deps.log.warn({ err, ip }, 'embedded DNS (udp) error'));
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind({ address: ip, port: 53 }, () => {
        udp.off('error', reject);
        resolve();
      });
    });
    const tcp = createServer((c) => this.serveTcp(ip, c));
    tcp.on('error', (err) => this.deps.log.warn({ err, ip }, 'embedded DNS (tcp) error'));
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen({ host: ip, port: 53 }, () => {
        tcp.off('error', reject);
        resolve();
      });
    }).catch((err: unknown) => {
      udp.close();
      throw err;
    });
    udp.unref();
    tcp.unref();
    this.listeners.set(ip, { udp, tcp });
  }

  close(ip: string): void {
    const l = this.listeners.get(ip);
    if (!l) return;
    l.udp.close();
    l.tcp.close();
    this.listeners.delete(ip);
  }

  closeAll(): void {
    for (const ip of [...this.listeners.keys()]) this.close(ip);
  }

  private serveTcp(serverIp: string, c: TcpSocket): void {
    let buf = Buffer.alloc(0);
    c.setTimeout(10_000, () => c.destroy());
    c.on('error', () => undefined);
    c.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) break;
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        void this.answer(serverIp, c.remoteAddress?.replace(/^::ffff:/, '') ?? '', msg).then((reply) => {
          if (!reply || c.destroyed) return;
          const head = Buffer.alloc(2);
          head.writeUInt16BE(reply.length);
          c.write(Buffer.concat([head, reply]));
        });
      }
    });
  }

  /** One query -> one reply (undefined: not even a DNS header to answer to). */
  async answer(serverIp: string, clientIp: string, msg: Buffer): Promise<Buffer | undefined> {
    let q: dnsPacket.Packet;
    try {
      q = dnsPacket.decode(msg);
    } catch {
      return msg.length >= 2 ? reply(msg.readUInt16BE(0), [], [], RCODE.FORMERR) : undefined;
    }
    const id = q.id ?? 0;
    const questions = q.questions ?? [];
    const client = this.deps.directory.clientOf(serverIp, clientIp);
    if (!client) return reply(id, questions, [], RCODE.REFUSED);
    const question = questions[0];
    if (!question) return reply(id, questions, [], RCODE.FORMERR);
    const name = question.name.toLowerCase().replace(/\.$/, '');
    if (question.type === 'A' || question.type === 'AAAA' || (question.type as string) === 'ANY') {
      const ips = this.deps.directory.lookup(client.containerId, name);
      if (ips.length > 0) {
        // A container has no IPv6 address here: AAAA is an empty NOERROR (the name exists).
        const answers: dnsPacket.Answer[] = question.type === 'AAAA' ? [] : ips.map((data) => ({ type: 'A', name: question.name, ttl: TTL, class: 'IN', data }));
        return reply(id, questions, answers, RCODE.NOERROR);
      }
    }
    if (question.type === 'PTR') {
      const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\.in-addr\.arpa$/.exec(name);
      const target = m ? this.deps.directory.reverse(client.containerId, `${m[4]}.${m[3]}.${m[2]}.${m[1]}`) : undefined;
      if (target !== undefined) return reply(id, questions, [{ type: 'PTR', name: question.name, ttl: TTL, class: 'IN', data: target }], RCODE.NOERROR);
    }
    return (await this.forward(msg, await this.deps.directory.upstreams(client.containerId))) ?? reply(id, questions, [], RCODE.SERVFAIL);
  }

  /** Relays the query as is to each upstream in turn; the first reply wins. */
  private async forward(msg: Buffer, upstreams: string[]): Promise<Buffer | undefined> {
    for (const server of upstreams) {
      const got = await new Promise<Buffer | undefined>((resolve) => {
        const sock = createSocket(server.includes(':') ? 'udp6' : 'udp4');
        const done = (b: Buffer | undefined) => {
          clearTimeout(timer);
          sock.close();
          resolve(b);
        };
        const timer = setTimeout(() => done(undefined), UPSTREAM_TIMEOUT_MS);
        sock.on('error', () => done(undefined));
        sock.on('message', (b) => done(b));
        sock.send(msg, 53, server);
      });
      if (got) return got;
    }
    return undefined;
  }
}

function reply(id: number, questions: dnsPacket.Question[], answers: dnsPacket.Answer[], rcode: number): Buffer {
  return dnsPacket.encode({ type: 'response', id, flags: FLAGS | rcode, questions, answers });
}
