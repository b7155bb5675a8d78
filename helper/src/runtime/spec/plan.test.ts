import { describe, expect, it } from 'vitest';
import type { ContainerSpec } from '../runtime';
import { buildContainerPlan, buildExecPlan, parsePlan, serializePlan, type CgroupPlanPart } from './plan';
import { MS, CLONE } from './linux-constants';
import { capabilityMask, hostBoundingSet } from './capabilities';
import { parseTmpfs } from './tmpfs-options';

const spec = (over: Partial<ContainerSpec> = {}): ContainerSpec => ({
  ref: { id: 'a'.repeat(64), stateDir: '/var/lib/berth/containers/x/runtime' },
  rootfs: { path: '/var/lib/berth/overlay2/m/merged', mount: { fstype: 'overlay', source: 'overlay', options: ['index=off', 'lowerdir=/l', 'upperdir=/u', 'workdir=/w'] } },
  process: { args: ['sh', '-c', 'echo\thi\nthere'], env: ['FOO=bar'], uid: 0, gid: 0, tty: false, openStdin: false },
  hostname: 'aaaaaaaaaaaa',
  network: 'none',
  etcFiles: { hostname: '/c/hostname', hosts: '/c/hosts', resolvConf: '/c/resolv.conf' },
  logPath: '/c/a-json.log',
  ...over,
});

const v1: CgroupPlanPart = {
  version: 1,
  procsFiles: [],
  threadFiles: ['/sys/fs/cgroup/memory/berth/x/tasks', '/sys/fs/cgroup/pids/berth/x/tasks'],
  oomFile: '/sys/fs/cgroup/memory/berth/x/memory.oom_control',
  v1Mounts: [{ name: 'memory', source: '/sys/fs/cgroup/memory/berth/x' }],
};

const keys = (p: ReturnType<typeof buildContainerPlan>, key: string): Array<Array<string | number>> => p.filter((r) => r[0] === key).map((r) => r.slice(1));

describe('plan serialization', () => {
  it('round-trips fields with tabs, newlines and backslashes', () => {
    const recs = [['arg', 'a\tb\nc\\d'], ['env', 'X=1']] as const;
    expect(parsePlan(serializePlan(recs))).toEqual([['arg', 'a\tb\nc\\d'], ['env', 'X=1']]);
    expect(serializePlan(recs)).toBe('arg\ta\\tb\\nc\\\\d\nenv\tX=1\n');
  });
});

describe('buildContainerPlan', () => {
  it('mounts tmpfs entries with dockerd flags and their data, sorted with binds by depth', () => {
    const p = buildContainerPlan({
      spec: spec({ binds: [{ source: '/h', destination: '/a/b', readonly: false }], tmpfs: [parseTmpfs('/a', 'size=1m,mode=700,exec')] }),
      cgroup: v1,
      initBinary: '/b/init',
    });
    const mounts = keys(p, 'mount').filter((m) => m[3] === '/a' || m[3] === '/a/b');
    expect(mounts.map((m) => m[3])).toEqual(['/a', '/a/b']);
    expect(mounts[0]).toEqual([MS.NOSUID | MS.NODEV, 'tmpfs', 'tmpfs', '/a', 'size=1m,mode=700', 0]);
  });

  it('creates every namespace with network none, and no net namespace with host', () => {
    const none = buildContainerPlan({ spec: spec(), cgroup: v1, initBinary: '/b/init' });
    expect(keys(none, 'unshare')).toEqual([[CLONE.NEWNS | CLONE.NEWUTS | CLONE.NEWIPC | CLONE.NEWNET]]);
    expect(keys(none, 'newpid')).toEqual([[1]]);
    expect(keys(none, 'lo')).toEqual([[]]);
    const host = buildContainerPlan({ spec: spec({ network: 'host' }), cgroup: v1, initBinary: '/b/init' });
    expect(keys(host, 'unshare')).toEqual([[CLONE.NEWNS | CLONE.NEWUTS | CLONE.NEWIPC]]);
    expect(keys(host, 'lo')).toEqual([]);
  });

  it('joins another container\'s net namespace before unsharing the rest (container network mode)', () => {
    const joined = buildContainerPlan({ spec: spec({ joinNetns: '/proc/42/ns/net' }), cgroup: v1, initBinary: '/b/init' });
    expect(keys(joined, 'joinns')).toEqual([['/proc/42/ns/net']]);
    expect(keys(joined, 'unshare')).toEqual([[CLONE.NEWNS | CLONE.NEWUTS | CLONE.NEWIPC]]);
    expect(keys(joined, 'lo')).toEqual([]);
    const order = joined.map((r) => r[0]);
    expect(order.indexOf('joinns')).toBeLessThan(order.indexOf('unshare'));
  });

  it('mounts dockerd defaults in order, then etc files, binds by depth, with pivot before masks', () => {
    const p = buildContainerPlan({
      spec: spec({ binds: [{ source: '/h/a/b', destination: '/x/y', readonly: true }, { source: '/h/a', destination: '/x', readonly: false }] }),
      cgroup: v1,
      initBinary: '/b/init',
    });
    const targets = keys(p, 'mount').map((m) => m[3]);
    expect(targets).toEqual(['/proc', '/dev', '/dev/pts', '/sys', '/sys/fs/cgroup', '/sys/fs/cgroup/memory', '/dev/mqueue', '/dev/shm', '/etc/resolv.conf', '/etc/hostname', '/etc/hosts', '/x', '/x/y']);
    const ro = keys(p, 'mount').find((m) => m[3] === '/x/y')!;
    expect(Number(ro[0]) & MS.RDONLY).toBe(MS.RDONLY);
    expect(keys(p, 'mount').find((m) => m[3] === '/dev/shm')![4]).toBe('mode=1777,size=67108864');
    const order = p.map((r) => r[0]);
    expect(order.indexOf('pivot')).toBeGreaterThan(order.lastIndexOf('mount'));
    expect(order.indexOf('mask')).toBeGreaterThan(order.indexOf('pivot'));
    expect(keys(p, 'mask').map((m) => m[0])).toContain('/proc/kcore');
    expect(keys(p, 'ropath').map((m) => m[0])).toEqual(['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger']);
    expect(keys(p, 'mknod').map((m) => m[0])).toEqual(['/dev/null', '/dev/zero', '/dev/full', '/dev/random', '/dev/urandom', '/dev/tty']);
    expect(keys(p, 'cgroup')).toEqual([]);
    expect(keys(p, 'cgroupself')).toEqual(v1.threadFiles!.map((f) => [f]));
  });

  it('sets the 14 default capabilities, env defaults and argv as given', () => {
    const p = buildContainerPlan({ spec: spec(), cgroup: v1, initBinary: '/b/init' });
    expect(keys(p, 'caps')).toEqual([['2818844155']]); // 0xa80425fb, dockerd's CapBnd
    expect(keys(p, 'env').map((e) => e[0])).toEqual(['HOSTNAME=aaaaaaaaaaaa', 'FOO=bar', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/']);
    expect(keys(p, 'arg').map((a) => a[0])).toEqual(['sh', '-c', 'echo\thi\nthere']);
  });

  it('adds a pty and /dev/console with a tty, TERM=xterm, and the console size', () => {
    const p = buildContainerPlan({ spec: spec({ process: { ...spec().process, tty: true, consoleSize: { rows: 50, cols: 132 } } }), cgroup: v1, initBinary: '/b/init' });
    expect(keys(p, 'pty')).toEqual([[]]);
    expect(keys(p, 'console')).toEqual([['/dev/console']]);
    expect(keys(p, 'rows')).toEqual([[50]]);
    expect(keys(p, 'cols')).toEqual([[132]]);
    expect(keys(p, 'env').map((e) => e[0])).toContain('TERM=xterm');
  });

  it('runs --init as PID 1 with the command after --, bound read-only at /sbin/docker-init', () => {
    const p = buildContainerPlan({ spec: spec({ init: true }), cgroup: v1, initBinary: '/b/init' });
    expect(keys(p, 'arg').map((a) => a[0])).toEqual(['/sbin/docker-init', '--', 'sh', '-c', 'echo\thi\nthere']);
    const m = keys(p, 'mount').find((x) => x[3] === '/sbin/docker-init')!;
    expect(m[2]).toBe('/b/init');
    expect(Number(m[0]) & (MS.BIND | MS.RDONLY)).toBe(MS.BIND | MS.RDONLY);
  });

  it('uses a cgroup namespace and a cgroup2 mount on v2', () => {
    const p = buildContainerPlan({ spec: spec(), cgroup: { version: 2, procsFiles: ['/sys/fs/cgroup/berth/x/cgroup.procs'], v1Mounts: [] }, initBinary: '/b/init' });
    expect(Number(keys(p, 'unshare')[0]![0]) & CLONE.NEWCGROUP).toBe(CLONE.NEWCGROUP);
    expect(keys(p, 'mount').find((m) => m[3] === '/sys/fs/cgroup')![1]).toBe('cgroup2');
  });

  it('privileged: all capabilities berthd holds (its bounding set), no masks, writable /sys', () => {
    const p = buildContainerPlan({ spec: spec({ process: { ...spec().process, privileged: true } }), cgroup: v1, initBinary: '/b/init' });
    expect(keys(p, 'mask')).toEqual([]);
    expect(keys(p, 'caps')).toEqual([[capabilityMask(hostBoundingSet())]]);
    expect(Number(keys(p, 'mount').find((m) => m[3] === '/sys')![0]) & MS.RDONLY).toBe(0);
  });

  it('refuses an empty command and relative paths', () => {
    expect(() => buildContainerPlan({ spec: spec({ process: { ...spec().process, args: [] } }), cgroup: v1, initBinary: '/b/init' })).toThrow('no command specified');
    expect(() => buildContainerPlan({ spec: spec({ binds: [{ source: 'rel', destination: '/x', readonly: false }] }), cgroup: v1, initBinary: '/b/init' })).toThrow(/absolute/);
  });
});

describe('buildExecPlan', () => {
  it('joins the container namespaces (mnt last), pid ns via the monitor, root and cgroup', () => {
    const p = buildExecPlan({ pid: 4242, process: { args: ['ps'], env: [], uid: 1000, gid: 1000, tty: true, openStdin: true }, cgroup: { procsFiles: ['/cg/cgroup.procs'] } });
    expect(keys(p, 'setns').map((s) => s[0])).toEqual(['/proc/4242/ns/ipc', '/proc/4242/ns/uts', '/proc/4242/ns/net', '/proc/4242/ns/cgroup', '/proc/4242/ns/mnt']);
    expect(keys(p, 'pidns')).toEqual([['/proc/4242/ns/pid']]);
    expect(keys(p, 'root')).toEqual([['/proc/4242/root']]);
    expect(keys(p, 'cgroup')).toEqual([['/cg/cgroup.procs']]);
    expect(keys(p, 'pty')).toEqual([[]]);
    const v1Exec = buildExecPlan({ pid: 4242, process: { args: ['ps'], env: [], uid: 0, gid: 0, tty: false, openStdin: false }, cgroup: { procsFiles: [], threadFiles: ['/cg/tasks'] } });
    expect(keys(v1Exec, 'cgroupself')).toEqual([['/cg/tasks']]);
    expect(keys(p, 'uid')).toEqual([[1000]]);
    expect(keys(p, 'log')).toEqual([]);
  });
});
