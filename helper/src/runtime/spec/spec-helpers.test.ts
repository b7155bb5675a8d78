import { describe, expect, it } from 'vitest';
import { capabilityMask, resolveCapabilities } from './capabilities';
import { buildEnv } from './env';
import { hostnameFile, hostsFile, resolvConfFile } from './etc-files';
import { DEFAULT_CAPABILITIES } from './defaults';

describe('capabilities', () => {
  it('defaults to dockerd 14, add/drop by name with or without CAP_', () => {
    expect(resolveCapabilities({})).toEqual([...DEFAULT_CAPABILITIES]);
    const c = resolveCapabilities({ capAdd: ['net_admin'], capDrop: ['CAP_CHOWN', 'kill'] });
    expect(c).toContain('CAP_NET_ADMIN');
    expect(c).not.toContain('CAP_CHOWN');
    expect(c).not.toContain('CAP_KILL');
    expect(resolveCapabilities({ capDrop: ['ALL'], capAdd: ['CHOWN'] })).toEqual(['CAP_CHOWN']);
    expect(resolveCapabilities({ capAdd: ['ALL'] })).toHaveLength(41);
  });
  it('refuses unknown names', () => {
    expect(() => resolveCapabilities({ capAdd: ['FLY'] })).toThrow('unknown capability: "CAP_FLY"');
  });
  it('computes the capset mask', () => {
    expect(capabilityMask(['CAP_CHOWN', 'CAP_DAC_OVERRIDE'])).toBe('3');
    expect(BigInt(capabilityMask(['CAP_CHECKPOINT_RESTORE']))).toBe(1n << 40n);
  });
});

describe('buildEnv', () => {
  it('adds PATH, HOSTNAME, TERM, HOME only when missing; later duplicates win', () => {
    expect(buildEnv(['A=1', 'A=2'], { hostname: 'h', tty: true, home: '/root' })).toEqual([
      'HOSTNAME=h',
      'A=2',
      'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      'TERM=xterm',
      'HOME=/root',
    ]);
    expect(buildEnv(['PATH=/x', 'TERM=dumb', 'HOME=/h', 'HOSTNAME=user'], { hostname: 'h', tty: true })).toEqual(['HOSTNAME=user', 'PATH=/x', 'TERM=dumb', 'HOME=/h']);
  });
});

describe('etc files', () => {
  it('hostname and default hosts', () => {
    expect(hostnameFile('abc')).toBe('abc\n');
    const h = hostsFile({ network: 'none', extraHosts: ['db:10.0.0.2', 'v6:::1'] });
    expect(h.split('\n')[0]).toBe('127.0.0.1\tlocalhost');
    expect(h).toContain('10.0.0.2\tdb\n');
    expect(h).toContain('::1\tv6\n');
    expect(hostsFile({ network: 'host', hostHosts: '1.2.3.4 me\n' })).toBe('1.2.3.4 me\n');
    // On two networks: the container's names on each of its addresses (dockerd, compose services).
    expect(hostsFile({ network: 'none', self: { ips: ['172.18.0.2', '172.19.0.2'], names: ['web.example.test', 'web'] } })).toMatch(/\n172\.18\.0\.2\tweb\.example\.test web\n172\.19\.0\.2\tweb\.example\.test web\n$/);
  });
  it('resolv.conf drops loopback nameservers outside the host netns', () => {
    expect(resolvConfFile({ network: 'none', hostResolvConf: 'search x\nnameserver 127.0.0.53\nnameserver 10.1.1.1\n' })).toBe('search x\nnameserver 10.1.1.1\n');
    expect(resolvConfFile({ network: 'none', hostResolvConf: 'nameserver 127.0.0.1\n' })).toBe('nameserver 8.8.8.8\nnameserver 8.8.4.4\n');
    expect(resolvConfFile({ network: 'host', hostResolvConf: 'nameserver 127.0.0.1\n' })).toBe('nameserver 127.0.0.1\n');
  });
});
