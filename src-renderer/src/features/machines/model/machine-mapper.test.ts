import { describe, expect, it } from 'vitest';
import { toMachineRowView } from './machine-mapper';

describe('machine rows', () => {
  it('formats resources, flags TCG as slow and lists forwarded ports', () => {
    const r = toMachineRowView({ name: 'dev', state: 'running', cpus: 2, memoryMiB: 2048, diskGiB: 20, acceleratorLabel: 'TCG software emulation (slow: no hardware virtualisation available)', sshPort: 40022, forwardedPorts: [8080], shareHome: '/home/ada', hostId: 'ssh-1' });
    expect(r).toMatchObject({ running: true, state: 'Running', resources: '2 CPU · 2 GiB · 20 GiB disk', slow: true, ports: '127.0.0.1:8080', share: '/home/ada', contextName: 'berth-dev' });
    expect(toMachineRowView({ name: 'x', state: 'stopped', cpus: 1, memoryMiB: 768, diskGiB: 4, acceleratorLabel: 'KVM hardware virtualisation', sshPort: 1, forwardedPorts: [] })).toMatchObject({ slow: false, ports: '—', resources: '1 CPU · 768 MiB · 4 GiB disk', share: 'nothing shared' });
  });
});
