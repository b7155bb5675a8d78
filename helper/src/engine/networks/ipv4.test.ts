import { describe, expect, it } from 'vitest';
import { contains, defaultPools, formatCidr, hostRange, macFromIp, overlaps, parseCidr, parseIp } from './ipv4';
import { buildRuleset } from './nft-rules';

describe('ipv4', () => {
  it('parses CIDRs and refuses host bits, IPv6 and junk with the option named', () => {
    expect(formatCidr(parseCidr('10.1.0.0/16', 'subnet'))).toBe('10.1.0.0/16');
    expect(() => parseCidr('10.1.0.1/16', 'subnet')).toThrow(/invalid subnet 10\.1\.0\.1\/16: it should be 10\.1\.0\.0\/16/);
    expect(() => parseCidr('fd00::/64', 'subnet')).toThrow(/IPv6/);
    expect(parseIp('256.1.1.1')).toBeUndefined();
  });

  it('computes ranges, overlaps and dockerd-style MACs', () => {
    const c = parseCidr('172.18.0.0/16', 'subnet');
    expect(hostRange(c)).toEqual({ first: parseIp('172.18.0.1'), last: parseIp('172.18.255.254') });
    expect(contains(c, parseIp('172.18.3.4')!)).toBe(true);
    expect(overlaps(c, parseCidr('172.18.5.0/24', 'x'))).toBe(true);
    expect(overlaps(c, parseCidr('172.19.0.0/16', 'x'))).toBe(false);
    expect(macFromIp(parseIp('172.17.0.2')!)).toBe('02:42:ac:11:00:02');
    expect(formatCidr(defaultPools()[0]!)).toBe('172.17.0.0/16');
  });
});

describe('nft ruleset', () => {
  it('is absent without networks and masquerades, isolates and seals as dockerd', () => {
    expect(buildRuleset([])).toBeNull();
    const rs = buildRuleset(
      [
        { bridge: 'berth0', subnet: '172.17.0.0/16', internal: false },
        { bridge: 'br-a', subnet: '172.18.0.0/16', internal: false },
        { bridge: 'br-i', subnet: '172.19.0.0/16', internal: true },
      ],
      [{ proto: 'tcp', hostIp: '', hostPort: 8080, containerIp: '172.17.0.2', containerPort: 80 }],
    )!;
    expect(rs).toContain('ip saddr 172.17.0.0/16 oifname != "berth0" masquerade');
    expect(rs).not.toContain('ip saddr 172.19.0.0/16');
    expect(rs).toContain('iifname "berth0" oifname "br-a" drop');
    expect(rs).toContain('iifname "br-i" oifname != "br-i" drop');
    expect(rs).toContain('fib daddr type local tcp dport 8080 dnat to 172.17.0.2:80');
  });
});
