/**
 * The container lifecycle and limits on a real cgroup v2 kernel. This machine runs cgroup v1, so
 * the suite boots Debian's cloud kernel under qemu (test/harness/vm-guest.ts) and drives berthd in
 * the guest with the stock docker CLI, there. Each assertion reads what the kernel did (cgroup
 * files, exit codes, frozen CPU time), not what berthd says it did.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGuest, vmUnavailableReason, type GuestHandle } from '../harness/vm-guest';

const reason = vmUnavailableReason();
if (reason !== undefined) console.warn(`[vm] cgroup v2 suite SKIPPED: ${reason}`);

describe.skipIf(reason !== undefined)('cgroup v2 on a real kernel (qemu guest)', () => {
  let g: GuestHandle;
  const sh = async (script: string, timeoutMs?: number): Promise<string> => {
    const r = await g.exec(script, timeoutMs);
    if (r.code !== 0) throw new Error(`guest: '${script}' exited ${r.code}:\n${r.output}`);
    return r.output.trim();
  };

  beforeAll(async () => {
    g = await startGuest();
    console.log(`[vm] guest booted, berthd answering, in ${g.bootSeconds.toFixed(1)} s`);
    await sh('docker import /opt/busybox-rootfs.tar busybox');
  }, 300_000);

  afterAll(async () => {
    await g?.stop();
  });

  it('the guest is pure cgroup v2 with the controllers delegated', async () => {
    expect(await sh("awk '$2 == \"/sys/fs/cgroup\" { print $3 }' /proc/mounts")).toBe('cgroup2');
    expect(await sh('cat /sys/fs/cgroup/cgroup.subtree_control')).toMatch(/\bmemory\b.*\bpids\b/);
  });

  it('docker info reports cgroup v2 and the data root', async () => {
    expect(await sh("docker info --format '{{.CgroupVersion}} {{.CgroupDriver}} {{.DockerRootDir}}'")).toBe('2 cgroupfs /var/lib/berth');
  });

  it('run, ps, exec, stop and rm work, the container in its own cgroup with its own cgroup namespace', async () => {
    const id = await sh('docker run -d --name life busybox sleep 1000');
    expect(await sh("docker ps --format '{{.Names}} {{.Status}}'")).toMatch(/^life Up/m);
    // Inside its cgroup namespace the container sees itself at the root.
    expect(await sh('docker exec life cat /proc/self/cgroup')).toBe('0::/');
    const hostPid = await sh("docker inspect -f '{{.State.Pid}}' life");
    const cg = await sh(`cat /proc/${hostPid}/cgroup`);
    expect(cg).toContain(id.slice(0, 12));
    const stop = await g.exec('docker stop -t 1 life');
    expect(stop.code).toBe(0);
    expect(await sh("docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' life")).toBe('exited 137');
    await sh('docker rm life');
    // The container's cgroup is gone with it.
    expect((await g.exec(`find /sys/fs/cgroup -type d -name '*${id.slice(0, 12)}*'`)).output.trim()).toBe('');
  });

  it('-m 32m sets memory.max, and allocating 100 MB is OOM-killed (137, OOMKilled true)', async () => {
    expect(await sh('docker run --rm -m 32m busybox cat /sys/fs/cgroup/memory.max')).toBe(String(32 * 1024 * 1024));
    const r = await g.exec('docker run --name oom -m 32m busybox dd if=/dev/zero of=/dev/null bs=100M count=1');
    expect(r.code).toBe(137);
    expect(await sh("docker inspect -f '{{.State.OOMKilled}} {{.State.ExitCode}}' oom")).toBe('true 137');
    await sh('docker rm oom');
  });

  it('--cpus 0.5 sets cpu.max and really throttles', async () => {
    expect(await sh('docker run --rm --cpus 0.5 busybox cat /sys/fs/cgroup/cpu.max')).toBe('50000 100000');
    // A busy loop for 2 s of wall time: the kernel's own throttling counters must show it.
    const stat = await sh(
      "docker run --rm --cpus 0.5 busybox sh -c 'timeout 2 sh -c \"while :; do :; done\"; cat /sys/fs/cgroup/cpu.stat'",
      60_000,
    );
    const throttled = Number(/nr_throttled (\d+)/.exec(stat)?.[1] ?? '0');
    expect(throttled).toBeGreaterThan(0);
  });

  it('--pids-limit 8 stops a fork bomb, and pids.max says so', async () => {
    expect(await sh('docker run --rm --pids-limit 8 busybox cat /sys/fs/cgroup/pids.max')).toBe('8');
    const r = await g.exec("docker run --rm --pids-limit 8 busybox sh -c 'for i in $(seq 30); do sleep 2 & done; wait; echo finished'", 90_000);
    expect(r.output).toMatch(/can't fork|Resource temporarily unavailable/);
  });

  it('docker pause freezes a busy container (its CPU time stops), unpause lets it run again', async () => {
    await sh('docker run -d --name busy busybox sh -c "while :; do :; done"');
    const pid = await sh("docker inspect -f '{{.State.Pid}}' busy");
    // utime + stime in clock ticks, from the kernel, not from berthd.
    const cpuTicks = async (): Promise<number> => Number(await sh(`cut -d')' -f2 /proc/${pid}/stat | awk '{ print $12 + $13 }'`));
    await sh('docker pause busy');
    expect(await sh("docker inspect -f '{{.State.Status}} {{.State.Paused}}' busy")).toBe('paused true');
    const cg = (await sh(`cat /proc/${pid}/cgroup`)).replace(/^0::/, '');
    expect(await sh(`cat /sys/fs/cgroup${cg}/cgroup.freeze`)).toBe('1');
    const frozen = await cpuTicks();
    await sh('sleep 1.5');
    expect(await cpuTicks()).toBe(frozen);
    await sh('docker unpause busy');
    await sh('sleep 1.5');
    expect(await cpuTicks()).toBeGreaterThan(frozen);
    expect(await sh("docker inspect -f '{{.State.Status}}' busy")).toBe('running');
    await sh('docker rm -f busy');
  });

  it('the device filter: a default container cannot open a device outside the default list; --privileged can', async () => {
    // /dev/kmsg (c 1:11) is not in the default list; /dev/null and /dev/zero are. mknod itself is allowed, as in dockerd.
    const probe = 'mknod /tmp/kmsg c 1 11 && head -c 1 /tmp/kmsg | wc -c; echo x > /dev/null && head -c 4 /dev/zero | wc -c';
    const confined = await g.exec(`docker run --rm busybox sh -c '${probe}'`);
    expect(confined.output).toMatch(/kmsg: Operation not permitted/);
    expect(confined.output.trim().split('\n').filter((l) => /^\d+$/.test(l.trim()))).toEqual(['0', '4']);
    const privileged = await g.exec(`docker run --rm --privileged busybox sh -c '${probe}'`);
    expect(privileged.output).not.toMatch(/Operation not permitted/);
    expect(privileged.output.trim().split('\n').filter((l) => /^\d+$/.test(l.trim()))).toEqual(['1', '4']);
  });

  // Debian's kernel (as on users' Debian and Ubuntu hosts) has AppArmor on: berthd loads berth-default.
  it('AppArmor: containers and their execs run under berth-default, which denies mount; unconfined on request', async () => {
    expect(await sh("docker info --format '{{json .SecurityOptions}}'")).toContain('name=apparmor');
    expect(await sh('docker run --rm busybox cat /proc/self/attr/current')).toBe('berth-default (enforce)');
    await sh('docker run -d --name aa busybox sleep 1000');
    expect(await sh('docker exec aa cat /proc/self/attr/current')).toBe('berth-default (enforce)');
    expect(await sh("docker inspect -f '{{.AppArmorProfile}}' aa")).toBe('berth-default');
    await sh('docker rm -f aa');
    // CAP_SYS_ADMIN lets seccomp allow mount(2); the profile still denies it, as docker-default does.
    const confined = await g.exec('docker run --rm --cap-add SYS_ADMIN busybox mount -t tmpfs none /tmp');
    expect(confined.code).not.toBe(0);
    expect(confined.output).toMatch(/Permission denied/);
    expect(await sh("docker run --rm --cap-add SYS_ADMIN --security-opt apparmor=unconfined busybox sh -c 'mount -t tmpfs none /tmp && cat /proc/self/attr/current'")).toBe('unconfined');
    expect(await sh("docker run --rm --privileged busybox cat /proc/self/attr/current")).toBe('unconfined');
    const missing = await g.exec('docker run --rm --security-opt apparmor=no-such-profile busybox true');
    expect(missing.code).toBe(125);
    expect(missing.output).toMatch(/no AppArmor profile of that name is loaded/);
  });

  // The guest's data root is a tmpfs, which takes idmapped mounts only from Linux 6.3: userns-remap
  // must be refused at start with the reason, not accepted and then fail every container.
  it('userns-remap is refused at start on a data root that cannot take idmapped mounts (tmpfs on 6.1)', async () => {
    const r = await g.exec(
      "mkdir -p /tmp/u && echo '{\"userns-remap\": \"default\"}' > /tmp/u/daemon.json && " +
        'node /opt/berth/dist/berthd.mjs --socket /tmp/u/b.sock --data-root /tmp/u/data --config /tmp/u/daemon.json --log-level error; echo "exit=$?"',
      60_000,
    );
    expect(r.output).toMatch(/userns-remap needs idmapped mounts on the data root's filesystem; tmpfs does not support them on Linux 6\.1/);
    expect(r.output).toMatch(/exit=1/);
  });

  it('stats --no-stream reads usage and the limit from the v2 files', async () => {
    await sh('docker run -d --name st -m 64m busybox sh -c "sleep 1000"');
    const out = await sh("docker stats --no-stream --format '{{.Name}} {{.MemUsage}} {{.PIDs}}' st", 60_000);
    expect(out).toMatch(/^st \d+(\.\d+)?[KMk]i?B \/ 64MiB 1$/);
    await sh('docker rm -f st');
  });

  it('issue 9 options on v2: cpuset, memory.low, io.max, --device in the BPF filter, --cgroup-parent, update pins a running container', async () => {
    expect(await sh("docker run --rm --cpuset-cpus 0 --memory-reservation 64m busybox sh -c 'cat /sys/fs/cgroup/cpuset.cpus /sys/fs/cgroup/memory.low'")).toBe(`0\n${64 << 20}`);
    const disk = await sh('ls /sys/block | grep -v -E "^(loop|ram|zram)" | head -1');
    if (disk !== '') {
      const numbers = await sh(`cat /sys/block/${disk}/dev`);
      expect(await sh(`docker run --rm --device-read-bps /dev/${disk}:1mb --device-write-iops /dev/${disk}:77 busybox cat /sys/fs/cgroup/io.max`)).toContain(`${numbers} rbps=1048576 wbps=max riops=max wiops=77`);
    }
    if (disk !== '') {
      // The disk is outside the default list: --device :r opens it for reading only (the open alone; nothing is written).
      const dev = await g.exec(`docker run --rm --device /dev/${disk}:/dev/xdisk:r busybox sh -c '(exec 3</dev/xdisk) && echo read-ok; (exec 4>>/dev/xdisk) 2>/dev/null || echo write-denied'`);
      expect(dev.output.trim().split('\n').filter((l) => /-(ok|denied)$/.test(l.trim()))).toEqual(['read-ok', 'write-denied']);
    }
    const id = await sh('docker run -d --name cp --cgroup-parent /berth-vm-parent/sub busybox sleep 1000');
    const pid = await sh("docker inspect -f '{{.State.Pid}}' cp");
    expect(await sh(`cat /proc/${pid}/cgroup`)).toBe(`0::/berth-vm-parent/sub/${id}`);
    expect(await sh("docker inspect -f '{{.HostConfig.CgroupnsMode}}' cp")).toBe('private');
    await sh('docker update --cpuset-cpus 0 cp');
    expect(await sh(`grep Cpus_allowed_list /proc/${pid}/status`)).toMatch(/:\s+0$/);
    await sh('docker rm -f cp');
  });
});
