import { describe, expect, it } from 'vitest';
import { bundleArch, hostProblems, parseFacts } from './host-facts';

const GOOD = `@@FACT kernel 6.1.0-57-cloud-amd64
@@FACT arch x86_64
@@FACT overlay yes
@@FACT cgroup 2
@@FACT controllers cpuset,cpu,io,memory,hugetlb,pids
@@FACT node /usr/bin/node v20.20.2
@@FACT systemd yes
@@FACT pkg apt-get
@@FACT installed none`;

describe('host facts', () => {
  it('parses the installer check into facts; a ready host has no problems', () => {
    const f = parseFacts(GOOD, true);
    expect(f).toMatchObject({ kernel: '6.1.0-57-cloud-amd64', arch: 'x86_64', overlay: true, cgroup: '2', systemd: true, packageManager: 'apt-get', installed: undefined, root: true });
    expect(f.node).toEqual({ path: '/usr/bin/node', version: '20.20.2', major: 20 });
    expect(hostProblems(f)).toEqual([]);
  });

  it.each([
    ['@@FACT node none', 'NODE_MISSING'],
    ['@@FACT node /usr/bin/node v18.19.0', 'NODE_TOO_OLD'],
    ['@@FACT overlay no', 'NO_OVERLAYFS'],
    ['@@FACT kernel 4.19.0-26-amd64', 'KERNEL_TOO_OLD'],
    ['@@FACT cgroup none', 'NO_CGROUPS'],
    ['@@FACT controllers cpuset,io', 'MISSING_CONTROLLERS'],
    ['@@FACT arch riscv64', 'ARCH_UNSUPPORTED'],
  ])('%s -> %s', (line, code) => {
    const key = line.split(' ')[1]!;
    const text = GOOD.split('\n').filter((l) => !l.startsWith(`@@FACT ${key} `)).concat(line).join('\n');
    expect(hostProblems(parseFacts(text, true)).map((p) => p.code)).toEqual([code]);
  });

  it('reads an installed version and maps architectures to bundles', () => {
    expect(parseFacts(`${GOOD}\n@@FACT installed 0.1.0`, false).installed).toBe('0.1.0');
    expect(bundleArch('x86_64')).toBe('x64');
    expect(bundleArch('aarch64')).toBe('arm64');
    expect(bundleArch('armv7l')).toBeUndefined();
  });
});
