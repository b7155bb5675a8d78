import * as dnsPacket from 'dns-packet';
import { describe, expect, it } from 'vitest';
import { EmbeddedDns, type DnsDirectory } from './embedded-dns';

const log = { warn: () => undefined } as never;

const directory = (upstreams: string[] = []): DnsDirectory => ({
  clientOf: (server, client) => (server === '10.9.0.1' && client === '10.9.0.2' ? { containerId: 'c1' } : undefined),
  lookup: (_id, name) => (name === 'db' || name === 'database' ? ['10.9.0.3'] : []),
  reverse: (_id, ip) => (ip === '10.9.0.3' ? 'db' : undefined),
  upstreams: async () => upstreams,
});

/** dns-packet decodes the response code; its types leave it out. */
const decode = (b: Buffer) => dnsPacket.decode(b) as dnsPacket.DecodedPacket & { rcode: string };

const query = (name: string, type: 'A' | 'AAAA' | 'PTR' = 'A', id = 7): Buffer => dnsPacket.encode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] });

describe('embedded DNS answers', () => {
  it('answers a container name and an alias with their address, AAAA empty, PTR with the name', async () => {
    const dns = new EmbeddedDns({ directory: directory(), log });
    const a = decode((await dns.answer('10.9.0.1', '10.9.0.2', query('db')))!);
    expect(a.id).toBe(7);
    expect(a.rcode).toBe('NOERROR');
    expect(a.answers).toEqual([expect.objectContaining({ type: 'A', name: 'db', data: '10.9.0.3', ttl: 600 })]);
    expect(decode((await dns.answer('10.9.0.1', '10.9.0.2', query('DATABASE.')))!).answers?.[0]).toMatchObject({ data: '10.9.0.3' });
    const aaaa = decode((await dns.answer('10.9.0.1', '10.9.0.2', query('db', 'AAAA')))!);
    expect([aaaa.rcode, aaaa.answers]).toEqual(['NOERROR', []]);
    const ptr = decode((await dns.answer('10.9.0.1', '10.9.0.2', query('3.0.9.10.in-addr.arpa', 'PTR')))!);
    expect(ptr.answers?.[0]).toMatchObject({ type: 'PTR', data: 'db' });
  });

  it('refuses clients that are not running containers of the network it listens on', async () => {
    const dns = new EmbeddedDns({ directory: directory(), log });
    expect(decode((await dns.answer('10.9.0.1', '10.8.0.2', query('db')))!).rcode).toBe('REFUSED');
    expect(decode((await dns.answer('10.7.0.1', '10.9.0.2', query('db')))!).rcode).toBe('REFUSED');
  });

  it('says SERVFAIL for another name when no upstream answers (forwarding itself: integration networking-dns)', async () => {
    const dns = new EmbeddedDns({ directory: directory([]), log });
    expect(decode((await dns.answer('10.9.0.1', '10.9.0.2', query('example.test')))!).rcode).toBe('SERVFAIL');
  });

  it('answers garbage with nothing, and a header-only packet with FORMERR', async () => {
    const dns = new EmbeddedDns({ directory: directory(), log });
    expect(await dns.answer('10.9.0.1', '10.9.0.2', Buffer.from([1]))).toBeUndefined();
    const bad = Buffer.from([0, 9, 1, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0xff]);
    expect(decode((await dns.answer('10.9.0.1', '10.9.0.2', bad))!).rcode).toBe('FORMERR');
  });
});
