import { describe, expect, it } from 'vitest';
import { normalizeBindings, parsePortKey, portKeys, portRequests } from './port-spec';

describe('published port specs', () => {
  it('parses container port keys as dockerd (default tcp) and refuses what berthd cannot publish', () => {
    expect(parsePortKey('80')).toEqual({ proto: 'tcp', port: 80, last: 80 });
    expect(parsePortKey('53/udp')).toEqual({ proto: 'udp', port: 53, last: 53 });
    expect(parsePortKey('8000-8002/tcp')).toEqual({ proto: 'tcp', port: 8000, last: 8002 });
    expect(() => parsePortKey('80/sctp')).toThrow(/SCTP/);
    expect(() => parsePortKey('80/icmp')).toThrow(/invalid proto/);
    expect(() => parsePortKey('0')).toThrow(/invalid port/);
    expect(() => parsePortKey('70000')).toThrow(/invalid port/);
  });

  it('normalises PortBindings: host IPs checked (IPv6 ones kept bare), host port ranges validated', () => {
    expect(normalizeBindings({ '80/tcp': [{ HostIp: '', HostPort: '8080' }], '53/udp': null })).toEqual({ '80/tcp': [{ hostIp: '', hostPort: '8080' }], '53/udp': [{ hostIp: '', hostPort: '' }] });
    expect(normalizeBindings({ '80': [{ HostIp: '127.0.0.1', HostPort: '9000-9010' }] })).toEqual({ '80/tcp': [{ hostIp: '127.0.0.1', hostPort: '9000-9010' }] });
    expect(normalizeBindings({ '80/tcp': [{ HostIp: '::', HostPort: '80' }], '81/tcp': [{ HostIp: '[::1]', HostPort: '81' }] })).toEqual({ '80/tcp': [{ hostIp: '::', hostPort: '80' }], '81/tcp': [{ hostIp: '::1', hostPort: '81' }] });
    expect(() => normalizeBindings({ '80/tcp': [{ HostIp: ':::1', HostPort: '80' }] })).toThrow(/invalid IP/);
    expect(() => normalizeBindings({ '80/tcp': [{ HostIp: '1.2.3', HostPort: '80' }] })).toThrow(/invalid IP/);
    expect(() => normalizeBindings({ '80/tcp': [{ HostIp: '', HostPort: 'http' }] })).toThrow(/invalid hostPort/);
  });

  it('-P publishes every exposed port not bound already, on a random host port', () => {
    const reqs = portRequests({ '80/tcp': [{ hostIp: '', hostPort: '8080' }] }, true, { '80/tcp': {}, '443/tcp': {}, '53/udp': {} });
    expect(reqs).toEqual([
      { proto: 'tcp', containerPort: 80, hostIp: '', first: 8080, last: 8080 },
      { proto: 'tcp', containerPort: 443, hostIp: '', first: 0, last: 0 },
      { proto: 'udp', containerPort: 53, hostIp: '', first: 0, last: 0 },
    ]);
    expect(portRequests({}, false, { '80/tcp': {} })).toEqual([]);
    expect(portKeys({ '80/tcp': [] }, { '443/tcp': {}, '80/tcp': {} }).sort()).toEqual(['443/tcp', '80/tcp']);
  });
});
