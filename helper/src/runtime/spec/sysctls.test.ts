import { describe, expect, it } from 'vitest';
import { sysctlPath, sysctlRecords, validateSysctls } from './sysctls';

const privateNs = { hostNetwork: false, hostIpc: false, hostUts: false };

describe('sysctls', () => {
  it('accepts the namespaced ones as runc, in dot or slash form', () => {
    expect(() => validateSysctls({ 'net.core.somaxconn': '1', 'kernel.shmmax': '1', 'fs.mqueue.msg_max': '1', 'kernel.domainname': 'x', 'net/ipv4/conf/eth0.100/rp_filter': '1' }, privateNs)).not.toThrow();
    expect(sysctlPath('net/ipv4/conf/eth0.100/rp_filter')).toBe('net/ipv4/conf/eth0.100/rp_filter');
    expect(sysctlRecords({ 'net.ipv4.ip_forward': '1' })).toEqual([['sysctl', 'net/ipv4/ip_forward', '1']]);
  });

  it('refuses what runc refuses, naming the field', () => {
    expect(() => validateSysctls({ 'kernel.pid_max': '1' }, privateNs)).toThrow('HostConfig.Sysctls: sysctl "kernel.pid_max" is not in a separate kernel namespace');
    expect(() => validateSysctls({ 'net.ipv4.ip_forward': '1' }, { ...privateNs, hostNetwork: true })).toThrow('not allowed in host network namespace');
    expect(() => validateSysctls({ 'kernel.sem': '1' }, { ...privateNs, hostIpc: true })).toThrow('not allowed in the hosts ipc namespace');
    expect(() => validateSysctls({ 'kernel.domainname': 'x' }, { ...privateNs, hostUts: true })).toThrow('is not in a separate kernel namespace');
    expect(() => validateSysctls({ 'net/../../etc/x': '1' }, privateNs)).toThrow('invalid sysctl name');
  });
});
