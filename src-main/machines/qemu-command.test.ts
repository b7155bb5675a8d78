import { describe, expect, it } from 'vitest';
import { acceleratorLabel, pickAccelerator, qemuArgs, type MachineSpec } from './qemu-command';

const spec: MachineSpec = { name: 'dev', cpus: 2, memoryMiB: 2048, diskGiB: 20, sshPort: 40022 };
const paths = { kernel: '/k', initramfs: '/i', disk: '/d.img', qmpSocket: '/q.sock', consoleLog: '/c.log', pidFile: '/p', virtiofsSocket: '/v.sock' };

describe('qemu command line', () => {
  it('picks the desktop hypervisor, TCG only as the labelled fallback', () => {
    expect(pickAccelerator('linux', true)).toBe('kvm');
    expect(pickAccelerator('linux', false)).toBe('tcg');
    expect(pickAccelerator('darwin', false)).toBe('hvf');
    expect(pickAccelerator('win32', false)).toBe('whpx');
    expect(acceleratorLabel('tcg')).toMatch(/slow/);
  });

  it('isolates the guest network: restrict=on, the only forward on the loopback', () => {
    const a = qemuArgs(spec, paths, 'tcg');
    const netdev = a[a.indexOf('-netdev') + 1];
    expect(netdev).toBe('user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:40022-:22');
    expect(a).toContain('-daemonize');
    expect(a[a.indexOf('-cpu') + 1]).toBe('max');
    expect(qemuArgs(spec, paths, 'kvm')[a.indexOf('-cpu') + 1]).toBe('host');
    expect(a.join(' ')).not.toContain('vhost-user-fs');
  });

  it('shares the home folder through virtiofs with shared guest memory, at the same path', () => {
    const a = qemuArgs({ ...spec, shareHome: '/home/ada' }, paths, 'kvm');
    expect(a).toEqual(expect.arrayContaining(['-object', 'memory-backend-memfd,id=mem,size=2048M,share=on', '-device', 'vhost-user-fs-pci,chardev=vfs,tag=home']));
    expect(a[a.indexOf('-append') + 1]).toContain('berth.home=/home/ada');
  });
});
