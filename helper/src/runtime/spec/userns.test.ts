import { describe, expect, it } from 'vitest';
import type { ContainerSpec, UsernsMaps } from '../runtime';
import { buildContainerPlan, buildExecPlan, type CgroupPlanPart } from './plan';
import { layerIdmapRecords, tmpfsDataFor } from './userns';
import { parseTmpfs } from './tmpfs-options';

const maps: UsernsMaps = { uidMap: [{ containerId: 0, hostId: 100000, size: 65536 }], gidMap: [{ containerId: 0, hostId: 200000, size: 65536 }] };
const v1: CgroupPlanPart = { version: 1, procsFiles: [], v1Mounts: [] };

const spec = (over: Partial<ContainerSpec> = {}): ContainerSpec => ({
  ref: { id: 'a'.repeat(64), stateDir: '/d/c/x/runtime' },
  rootfs: { path: '/d/overlay2/m/merged', mount: { fstype: 'overlay', source: 'overlay', options: ['index=off', 'lowerdir=l/A:l/B', 'upperdir=m/diff', 'workdir=m/work'], cwd: '/d/overlay2' } },
  process: { args: ['sh'], env: [], uid: 0, gid: 0, tty: false, openStdin: false },
  hostname: 'h',
  network: 'none',
  etcFiles: { hostname: '/c/hostname', hosts: '/c/hosts', resolvConf: '/c/resolv.conf' },
  logPath: '/c/log',
  ...over,
});

const keys = (p: ReturnType<typeof buildContainerPlan>, key: string): Array<Array<string | number>> => p.filter((r) => r[0] === key).map((r) => r.slice(1));

describe('userns-remap plan', () => {
  it('writes the maps, sets up as container root, idmaps each lower layer and the upper/work dir', () => {
    const p = buildContainerPlan({ spec: spec({ userns: maps }), cgroup: v1, initBinary: '/i' });
    expect(keys(p, 'uidmap')).toEqual([[0, 100000, 65536]]);
    expect(keys(p, 'gidmap')).toEqual([[0, 200000, 65536]]);
    expect(keys(p, 'fsroot')).toEqual([[100000, 200000]]);
    expect(keys(p, 'idmap')).toEqual([['/d/overlay2/l/A'], ['/d/overlay2/l/B'], ['/d/overlay2/m']]);
  });

  it('has the user namespace own the new UTS and IPC namespaces; net, mount and cgroup ones stay unshared by host root', () => {
    const CLONE_NEWNS = 0x20000, CLONE_NEWUTS = 0x4000000, CLONE_NEWIPC = 0x8000000, CLONE_NEWNET = 0x40000000;
    const p = buildContainerPlan({ spec: spec({ userns: maps }), cgroup: v1, initBinary: '/i' });
    expect(keys(p, 'usernsowns')).toEqual([[CLONE_NEWUTS | CLONE_NEWIPC]]);
    expect(keys(p, 'unshare')).toEqual([[CLONE_NEWNS | CLONE_NEWNET]]);
    const hostUts = buildContainerPlan({ spec: spec({ userns: maps, utsMode: 'host', ipcMode: 'host' }), cgroup: v1, initBinary: '/i' });
    expect(keys(hostUts, 'usernsowns')).toEqual([]);
    const plain = buildContainerPlan({ spec: spec(), cgroup: v1, initBinary: '/i' });
    expect(keys(plain, 'usernsowns')).toEqual([]);
    expect(keys(plain, 'unshare')).toEqual([[CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET]]);
  });

  it('joins another container\'s user namespace when told to, instead of making one', () => {
    expect(keys(buildContainerPlan({ spec: spec({ userns: maps }), cgroup: v1, initBinary: '/i' }), 'usernsfrom')).toEqual([]);
    const p = buildContainerPlan({ spec: spec({ userns: maps, joinNetns: '/proc/7/ns/net', joinUserns: '/proc/7/ns/user' }), cgroup: v1, initBinary: '/i' });
    expect(keys(p, 'usernsfrom')).toEqual([['/proc/7/ns/user']]);
  });

  it('owns /dev, /dev/shm, tmpfs and devpts by container root; idmaps etc files and volumes, not host binds', () => {
    const p = buildContainerPlan({
      spec: spec({
        userns: maps,
        binds: [{ source: '/vol/_data', destination: '/v', readonly: true, idmap: true }, { source: '/host', destination: '/h', readonly: false }],
        tmpfs: [parseTmpfs('/t', 'uid=1000')],
      }),
      cgroup: v1,
      initBinary: '/i',
    });
    const mounts = keys(p, 'mount');
    expect(mounts.find((m) => m[3] === '/dev')?.[4]).toBe('mode=755,size=65536k,uid=100000,gid=200000');
    expect(mounts.find((m) => m[3] === '/dev/pts')?.[4]).toMatch(/gid=200005$/);
    expect(mounts.find((m) => m[3] === '/dev/shm')?.[4]).toMatch(/uid=100000,gid=200000$/);
    expect(mounts.find((m) => m[3] === '/t')?.[4]).toMatch(/uid=101000.*gid=200000/);
    expect(keys(p, 'idbind')).toEqual([['/c/resolv.conf', '/etc/resolv.conf', 0], ['/c/hostname', '/etc/hostname', 0], ['/c/hosts', '/etc/hosts', 0], ['/vol/_data', '/v', 1]]);
    expect(mounts.find((m) => m[3] === '/h')?.[2]).toBe('/host');
  });

  it('adds nothing without remap, and an exec joins the user namespace after mnt', () => {
    const p = buildContainerPlan({ spec: spec({ binds: [{ source: '/vol', destination: '/v', readonly: false, idmap: true }] }), cgroup: v1, initBinary: '/i' });
    for (const k of ['uidmap', 'gidmap', 'fsroot', 'idmap', 'idbind']) expect(keys(p, k)).toEqual([]);
    const e = buildExecPlan({ pid: 42, process: spec().process, cgroup: v1, userns: { rootUid: 100000, rootGid: 200000 } });
    expect(keys(e, 'setns').map((r) => r[0])).toEqual(['/proc/42/ns/ipc', '/proc/42/ns/uts', '/proc/42/ns/net', '/proc/42/ns/cgroup', '/proc/42/ns/mnt', '/proc/42/ns/user']);
    expect(keys(e, 'fsroot')).toEqual([[100000, 200000]]);
  });

  it('refuses ids outside the maps and layouts it cannot idmap', () => {
    expect(() => tmpfsDataFor('uid=70000', maps)).toThrow(/outside the user namespace/);
    expect(() => layerIdmapRecords({ fstype: 'overlay', source: 'overlay', options: ['lowerdir=/l', 'upperdir=/a/diff', 'workdir=/b/work'] })).toThrow(/share a directory/);
  });
});
