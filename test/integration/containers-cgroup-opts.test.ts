/**
 * Issue 9, cgroup options through the stock docker CLI: the container's cgroup carries them (seen
 * from inside, through its own /sys/fs/cgroup, and from the host), inspect reports them, and the
 * values dockerd refuses are refused at create with its words.
 */
import { existsSync, readdirSync, readFileSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineRequest, IS_ROOT } from '../harness/berthd';
import { startContainersEnv, type ContainersEnv } from './containers-env';

const V2 = existsSync('/sys/fs/cgroup/cgroup.controllers');

describe.skipIf(!IS_ROOT)('containers: cgroup options take effect', () => {
  let env: ContainersEnv;
  beforeAll(async () => {
    env = await startContainersEnv();
  });
  afterAll(async () => {
    await env?.cleanup();
  });

  const inspectHc = async (name: string): Promise<Record<string, unknown>> =>
    JSON.parse((await env.d(['inspect', '-f', '{{json .HostConfig}}', name])).stdout) as Record<string, unknown>;

  it('--memory-reservation is the soft limit of the container\'s memory cgroup', async () => {
    const file = V2 ? '/sys/fs/cgroup/memory.low' : '/sys/fs/cgroup/memory/memory.soft_limit_in_bytes';
    const run = await env.d(['run', '--name', 'mr1', '--memory-reservation', '100m', env.image, 'cat', file]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(String(100 * 1024 * 1024));
    expect(await inspectHc('mr1')).toMatchObject({ MemoryReservation: 100 * 1024 * 1024 });
    await env.d(['rm', 'mr1']);
    for (const [args, message] of [
      [['--memory-reservation', '1m'], 'Minimum memory reservation allowed is 6MB'],
      [['-m', '10m', '--memory-reservation', '20m'], 'Minimum memory limit can not be less than memory reservation limit, see usage'],
    ] as const) {
      const res = await env.d(['create', ...args, env.image]);
      expect(res.code).not.toBe(0);
      expect(res.stderr).toContain(message);
    }
  });

  it('--cpuset-cpus and --cpuset-mems pin the container (Cpus_allowed_list, its cpuset cgroup); unavailable ones are refused', async () => {
    const cpusFile = V2 ? '/sys/fs/cgroup/cpuset.cpus' : '/sys/fs/cgroup/cpuset/cpuset.cpus';
    const memsFile = V2 ? '/sys/fs/cgroup/cpuset.mems' : '/sys/fs/cgroup/cpuset/cpuset.mems';
    const run = await env.d(['run', '-d', '--name', 'cs1', '--cpuset-cpus', '0', '--cpuset-mems', '0', env.image, 'sleep', '60']);
    expect(run.code, run.stderr).toBe(0);
    const ex = await env.d(['exec', 'cs1', 'sh', '-c', `grep -E "^(Cpus|Mems)_allowed_list" /proc/1/status; cat ${cpusFile} ${memsFile}`]);
    expect(ex.stdout).toMatch(/^Cpus_allowed_list:\s+0$/m);
    expect(ex.stdout).toMatch(/^Mems_allowed_list:\s+0$/m);
    expect(ex.stdout.split('\n').slice(2, 4)).toEqual(['0', '0']);
    expect(await inspectHc('cs1')).toMatchObject({ CpusetCpus: '0', CpusetMems: '0' });
    await env.d(['rm', '-f', 'cs1']);
    const bad = await env.d(['create', '--cpuset-cpus', '0-a', env.image]);
    expect(bad.stderr).toContain('Invalid value 0-a for cpuset cpus: invalid format: 0-a');
    const missing = await env.d(['create', '--cpuset-cpus', '4095', env.image]);
    expect(missing.stderr).toMatch(/Requested CPUs are not available - requested 4095, available: \d/);
    const mems = await env.d(['create', '--cpuset-mems', '1023', env.image]);
    expect(mems.stderr).toMatch(/Requested memory nodes are not available - requested 1023, available: \d/);
  });

  // A host device outside runc's default allow-list, so only the container's own rules open it.
  const DEV = ['/dev/kvm', '/dev/fuse', '/dev/loop0'].find((p) => existsSync(p));

  it.skipIf(DEV === undefined)('--device recreates the host node (type, numbers, mode, owner) and allows it with the given permissions only', async () => {
    const dev = DEV!;
    const st = statSync(dev);
    const kind = st.isBlockDevice() ? 'block special file' : 'character special file';
    const want = `${kind} ${(st.mode & 0o777).toString(8)} ${st.uid} ${st.gid} ${(Number(BigInt(st.rdev) >> 8n) & 0xfff).toString(16)} ${(st.rdev & 0xff).toString(16)}`;
    const probe = (p: string): string => `stat -c "%F %a %u %g %t %T" ${p}; (exec 3<${p}) 2>/dev/null && echo read-ok || echo read-denied; (exec 4>${p}) 2>/dev/null && echo write-ok || echo write-denied`;
    const run = await env.d(['run', '--name', 'dv1', '--device', `${dev}:/dev/sub/mine:r`, env.image, 'sh', '-c', probe('/dev/sub/mine')]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.split('\n').slice(0, 3)).toEqual([want, 'read-ok', 'write-denied']);
    expect(await inspectHc('dv1')).toMatchObject({ Devices: [{ PathOnHost: dev, PathInContainer: '/dev/sub/mine', CgroupPermissions: 'r' }] });
    await env.d(['rm', 'dv1']);
    const rw = await env.d(['run', '--rm', '--device', dev, env.image, 'sh', '-c', probe(dev)]);
    expect(rw.stdout.split('\n').slice(1, 3)).toEqual(['read-ok', 'write-ok']);
    // Without it: no node, and one made with mknod cannot be opened.
    const major = Number(BigInt(st.rdev) >> 8n) & 0xfff;
    const minor = st.rdev & 0xff;
    const type = st.isBlockDevice() ? 'b' : 'c';
    const none = await env.d(['run', '--rm', env.image, 'sh', '-c', `test -e ${dev} && echo present; mknod /tmp/d ${type} ${major} ${minor} && ${probe('/tmp/d')}`]);
    expect(none.stdout).not.toContain('present');
    expect(none.stdout.split('\n').slice(1, 3)).toEqual(['read-denied', 'write-denied']);
    // --device-cgroup-rule opens it without a node.
    const rule = await env.d(['run', '--rm', '--device-cgroup-rule', `${type} ${major}:${minor} r`, env.image, 'sh', '-c', `mknod /tmp/d ${type} ${major} ${minor} && ${probe('/tmp/d')}`]);
    expect(rule.stdout.split('\n').slice(1, 3)).toEqual(['read-ok', 'write-denied']);
  });

  it('refuses a missing device at create, and a bad mapping or rule', async () => {
    const missing = await env.d(['create', '--device', '/dev/berth-nonexistent', env.image]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('error gathering device information while adding custom device "/dev/berth-nonexistent": no such file or directory');
    const badMode = await engineRequest(env.berthd.socket, 'POST', '/containers/create', JSON.stringify({ Image: env.image, HostConfig: { Devices: [{ PathOnHost: '/dev/null', PathInContainer: '/dev/n', CgroupPermissions: 'rwx' }] } }));
    expect(badMode.status).toBe(400);
    expect(badMode.body).toContain('bad mode specified: rwx');
    const gpus = await env.d(['create', '--gpus', 'all', env.image]);
    expect(gpus.stderr).toContain('could not select device driver "" with capabilities: [[gpu]]');
    const badRule = await engineRequest(env.berthd.socket, 'POST', '/containers/create', JSON.stringify({ Image: env.image, HostConfig: { DeviceCgroupRules: ['x 1:5 r'] } }));
    expect(badRule.status).toBe(400);
    expect(badRule.body).toContain('invalid device cgroup rule');
  });

  it('--oom-kill-disable, --memory-swappiness and KernelMemoryTCP set the v1 memory cgroup; on v2 they are discarded with dockerd\'s warnings', async () => {
    const res = await engineRequest(env.berthd.socket, 'POST', '/containers/create?name=mx1', JSON.stringify({
      Image: env.image,
      Cmd: ['sh', '-c', 'cat /sys/fs/cgroup/memory/memory.oom_control /sys/fs/cgroup/memory/memory.swappiness /sys/fs/cgroup/memory/memory.kmem.tcp.limit_in_bytes'],
      HostConfig: { Memory: 64 << 20, OomKillDisable: true, MemorySwappiness: 17, KernelMemoryTCP: 50 << 20 },
    }));
    expect(res.status).toBe(201);
    const warnings = (JSON.parse(res.body) as { Warnings: string[] }).Warnings;
    if (V2) {
      expect(warnings).toEqual(expect.arrayContaining([
        'Your kernel does not support OomKillDisable. OomKillDisable discarded.',
        'Your kernel does not support memory swappiness capabilities or the cgroup is not mounted. Memory swappiness discarded.',
      ]));
      expect(await inspectHc('mx1')).toMatchObject({ OomKillDisable: false, MemorySwappiness: null });
    } else {
      expect(warnings).toEqual([]);
      const out = (await env.d(['start', '-a', 'mx1'])).stdout.split('\n');
      expect(out[0]).toBe('oom_kill_disable 1');
      expect(out.slice(3, 5)).toEqual(['17', String(50 << 20)]);
      expect(await inspectHc('mx1')).toMatchObject({ OomKillDisable: true, MemorySwappiness: 17, KernelMemoryTCP: 50 << 20 });
    }
    await env.d(['rm', 'mx1']);
    // Unset: the kernel's defaults, and dockerd's warning for an OOM killer disabled without a limit.
    const dflt = await env.d(['run', '--rm', '--oom-kill-disable', env.image, 'true']);
    if (!V2) expect(dflt.stderr).toContain('OOM killer is disabled for the container, but no memory limit is set');
    const bad = await engineRequest(env.berthd.socket, 'POST', '/containers/create', JSON.stringify({ Image: env.image, HostConfig: { MemorySwappiness: 101 } }));
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('Invalid value: 101, valid memory swappiness range is 0-100');
  });

  const BLK = ['/dev/vda', '/dev/sda', '/dev/nvme0n1', '/dev/loop0'].find((p) => existsSync(p) && statSync(p).isBlockDevice());

  it.skipIf(BLK === undefined)('--device-read-bps / --device-write-iops throttle the device in the container\'s cgroup; weights the kernel lacks are discarded with dockerd\'s warnings', async () => {
    const blk = BLK!;
    const rdev = statSync(blk).rdev;
    const dev = `${Number(BigInt(rdev) >> 8n) & 0xfff}:${rdev & 0xff}`;
    const files = V2 ? ['/sys/fs/cgroup/io.max'] : ['/sys/fs/cgroup/blkio/blkio.throttle.read_bps_device', '/sys/fs/cgroup/blkio/blkio.throttle.write_iops_device'];
    const run = await env.d(['run', '--name', 'bk1', '--blkio-weight', '300', '--device-read-bps', `${blk}:1mb`, '--device-write-iops', `${blk}:77`, env.image, 'cat', ...files]);
    expect(run.code, run.stderr).toBe(0);
    if (V2) expect(run.stdout).toContain(`${dev} rbps=1048576 wbps=max riops=max wiops=77`);
    else expect(run.stdout.split('\n').slice(0, 2)).toEqual([`${dev} 1048576`, `${dev} 77`]);
    const hc = await inspectHc('bk1');
    expect(hc).toMatchObject({ BlkioDeviceReadBps: [{ Path: blk, Rate: 1048576 }], BlkioDeviceWriteIOps: [{ Path: blk, Rate: 77 }] });
    const weightSupported = existsSync('/sys/fs/cgroup/blkio/blkio.weight') || V2;
    if (!weightSupported) {
      expect(run.stderr).toContain('Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.');
      expect(hc).toMatchObject({ BlkioWeight: 0 });
    }
    await env.d(['rm', 'bk1']);
    const missing = await env.d(['create', '--device-read-bps', '/dev/berth-nonexistent:1mb', env.image]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('no such file or directory');
  });

  const RT = existsSync('/sys/fs/cgroup/cpu/cpu.rt_runtime_us');

  it('--cpu-rt-period/--cpu-rt-runtime go to the v1 RT scheduler files; without RT time in the parent the runtime fails as with dockerd', async () => {
    if (!RT) {
      const res = await env.d(['create', '--cpu-rt-period', '50000', env.image]);
      expect(res.stderr).toContain('Your kernel does not support CPU real-time scheduler');
      return;
    }
    const run = await env.d(['run', '--name', 'rt1', '--cpu-rt-period', '50000', env.image, 'cat', '/sys/fs/cgroup/cpu/cpu.rt_period_us']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe('50000');
    expect(await inspectHc('rt1')).toMatchObject({ CpuRealtimePeriod: 50000, CpuRealtimeRuntime: 0 });
    await env.d(['rm', 'rt1']);
    const noBudget = await env.d(['run', '--rm', '--cpu-rt-runtime', '9500', env.image, 'true']);
    expect(noBudget.code).not.toBe(0);
    expect(noBudget.stderr).toMatch(/failed to write "9500": write \S+\/cpu.rt_runtime_us: invalid argument/);
    const inverted = await env.d(['create', '--cpu-rt-period', '100000', '--cpu-rt-runtime', '200000', env.image]);
    expect(inverted.stderr).toContain('cpu real-time runtime cannot be higher than cpu real-time period');
  });

  it('--cgroupns private roots the container\'s /proc/self/cgroup at its own cgroup; the default follows dockerd (host on v1, private on v2)', async () => {
    const priv = await env.d(['run', '--name', 'cg1', '--cgroupns', 'private', env.image, 'cat', '/proc/self/cgroup']);
    expect(priv.code, priv.stderr).toBe(0);
    const id = (await env.d(['inspect', '-f', '{{.Id}}', 'cg1'])).stdout.trim();
    expect(priv.stdout).not.toContain(id);
    expect(priv.stdout.split('\n').filter((l) => l !== '').every((l) => l.endsWith(':/'))).toBe(true);
    expect(await inspectHc('cg1')).toMatchObject({ CgroupnsMode: 'private' });
    await env.d(['rm', 'cg1']);
    const dflt = await env.d(['run', '--name', 'cg2', env.image, 'cat', '/proc/self/cgroup']);
    const id2 = (await env.d(['inspect', '-f', '{{.Id}}', 'cg2'])).stdout.trim();
    expect(await inspectHc('cg2')).toMatchObject({ CgroupnsMode: V2 ? 'private' : 'host' });
    if (V2) expect(dflt.stdout.trim()).toBe('0::/');
    else expect(dflt.stdout).toContain(id2);
    await env.d(['rm', 'cg2']);
    const bad = await engineRequest(env.berthd.socket, 'POST', '/containers/create', JSON.stringify({ Image: env.image, HostConfig: { CgroupnsMode: 'bogus' } }));
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('invalid cgroup namespace mode: bogus');
  });

  it('--cgroup-parent puts the container\'s cgroup under that path (cleaned as runc does), with its limits', async () => {
    const parent = `berth-test-parent-${process.pid}`;
    const memRoot = V2 ? '/sys/fs/cgroup' : '/sys/fs/cgroup/memory';
    try {
      const run = await env.d(['run', '-d', '--name', 'cp1', '-m', '64m', '--cgroup-parent', `/${parent}/sub/../sub2`, env.image, 'sleep', '60']);
      expect(run.code, run.stderr).toBe(0);
      const id = run.stdout.trim();
      const pid = (await env.d(['inspect', '-f', '{{.State.Pid}}', 'cp1'])).stdout.trim();
      expect(readFileSync(`/proc/${pid}/cgroup`, 'utf8')).toContain(`/${parent}/sub2/${id}`);
      const limitFile = V2 ? 'memory.max' : 'memory.limit_in_bytes';
      expect(readFileSync(join(memRoot, parent, 'sub2', id, limitFile), 'utf8').trim()).toBe(String(64 << 20));
      expect(await inspectHc('cp1')).toMatchObject({ CgroupParent: `/${parent}/sub/../sub2` });
      // docker top / stats read the same cgroup.
      const top = await env.d(['top', 'cp1']);
      expect(top.stdout).toContain('sleep 60');
      await env.d(['rm', '-f', 'cp1']);
      expect(existsSync(join(memRoot, parent, 'sub2', id))).toBe(false);
    } finally {
      // dockerd leaves the parents; the test removes its own.
      const roots = V2 ? ['/sys/fs/cgroup'] : readdirSync('/sys/fs/cgroup').map((c) => join('/sys/fs/cgroup', c));
      for (const r of roots) {
        for (const d of [join(r, parent, 'sub2'), join(r, parent)]) if (existsSync(d)) rmdirSync(d);
      }
    }
  });

  it('docker update changes the cpuset and the memory reservation of a running container, with the create checks', async () => {
    expect((await env.d(['run', '-d', '--name', 'up1', env.image, 'sleep', '60'])).code).toBe(0);
    const up = await env.d(['update', '--cpuset-cpus', '0', '--memory-reservation', '50m', 'up1']);
    expect(up.code, up.stderr).toBe(0);
    const files = V2 ? ['/sys/fs/cgroup/cpuset.cpus', '/sys/fs/cgroup/memory.low'] : ['/sys/fs/cgroup/cpuset/cpuset.cpus', '/sys/fs/cgroup/memory/memory.soft_limit_in_bytes'];
    const ex = await env.d(['exec', 'up1', 'sh', '-c', `grep Cpus_allowed_list /proc/1/status; cat ${files.join(' ')}`]);
    expect(ex.stdout).toMatch(/^Cpus_allowed_list:\s+0$/m);
    expect(ex.stdout.split('\n').slice(1, 3)).toEqual(['0', String(50 << 20)]);
    expect(await inspectHc('up1')).toMatchObject({ CpusetCpus: '0', MemoryReservation: 50 << 20 });
    const bad = await env.d(['update', '--cpuset-cpus', '4095', 'up1']);
    expect(bad.stderr).toMatch(/Requested CPUs are not available - requested 4095/);
    await env.d(['rm', '-f', 'up1']);
  });
});
