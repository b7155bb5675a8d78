/**
 * Issue 9 lifecycle through the docker CLI: restart policies (dockerd's backoff, RestartCount,
 * stop keeps it stopped, re-applied when berthd starts, including the reboot case where the
 * monitors are gone), pause/unpause with the freezer, rename and update.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT } from '../harness/berthd';
import { hostProcessesOf, startContainersEnv, type ContainersEnv } from './containers-env';

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface State { Status: string; Running: boolean; Paused: boolean; Restarting: boolean; Pid: number; ExitCode: number }

describe.skipIf(!IS_ROOT)('containers: restart policies, pause, rename, update', () => {
  let env: ContainersEnv;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    env = await startContainersEnv();
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await env?.cleanup();
  });

  const inspect = async (name: string): Promise<{ State: State; RestartCount: number; Name: string; Id: string; HostConfig: Record<string, unknown> }> =>
    JSON.parse((await env.d(['inspect', name])).stdout)[0];
  const events = (filter: string): { child: ChildProcess; lines: () => string[] } => {
    const child = spawn('docker', ['events', '--filter', filter, '--format', '{{.Action}} {{.TimeNano}} {{json .Actor.Attributes}}'], {
      env: { ...process.env, DOCKER_HOST: env.berthd.dockerHost, DOCKER_CONFIG: '/tmp/berth-test-docker-config' },
    });
    children.push(child);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    return { child, lines: () => out.split('\n').filter((l) => l !== '') };
  };

  it('on-failure:3 restarts three times with growing delays, then stays exited with RestartCount 3', async () => {
    const ev = events('container=pol3');
    await new Promise((r) => setTimeout(r, 300));
    const run = await env.d(['run', '-d', '--name', 'pol3', '--restart', 'on-failure:3', env.image, 'sh', '-c', 'exit 1']);
    expect(run.code, run.stderr).toBe(0);
    const lineOf = (action: string) => ev.lines().filter((l) => l.startsWith(`${action} `));
    await until(async () => lineOf('die').length, (n) => n >= 4);
    const final = await until(() => inspect('pol3'), (i) => i.State.Status === 'exited' && !i.State.Restarting);
    expect(final.RestartCount).toBe(3);
    expect(final.State.ExitCode).toBe(1);
    const starts = lineOf('start').map((l) => BigInt(l.split(' ')[1]!));
    const dies = lineOf('die').map((l) => BigInt(l.split(' ')[1]!));
    expect(starts).toHaveLength(4);
    // dockerd's backoff: at least 100, 200, 400 ms between an exit and the restart after it.
    const gapsMs = [0, 1, 2].map((i) => Number(starts[i + 1]! - dies[i]!) / 1e6);
    expect(gapsMs[0]).toBeGreaterThanOrEqual(90);
    expect(gapsMs[1]).toBeGreaterThanOrEqual(190);
    expect(gapsMs[2]).toBeGreaterThanOrEqual(390);
    ev.child.kill();
    await env.d(['rm', 'pol3']);
  });

  it('always: back after kill -9 of berthd, again after a reboot (monitors gone); docker stop keeps it stopped', async () => {
    await env.d(['run', '-d', '--name', 'alw', '--restart', 'always', env.image, 'sleep', '1000']);
    const first = await inspect('alw');
    await env.berthd.kill();
    env.berthd = await env.berthd.restart();
    const afterCrash = await inspect('alw');
    expect(afterCrash.State).toMatchObject({ Status: 'running', Pid: first.State.Pid });

    // The reboot case: berthd down, then every process of the container and its monitor gone.
    await env.berthd.stop();
    const pids = (await readFile(join(env.berthd.dataRoot, 'containers', first.Id, 'runtime', 'pids'), 'utf8')).trim().split(' ').map(Number);
    for (const pid of [pids[0]!, ...(await hostProcessesOf(first.Id))]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await until(async () => (await hostProcessesOf(first.Id)).length, (n) => n === 0);
    env.berthd = await env.berthd.restart();
    const rebooted = await until(() => inspect('alw'), (i) => i.State.Status === 'running');
    expect(rebooted.State.Status).toBe('running');
    expect(rebooted.State.Pid).not.toBe(first.State.Pid);

    const stop = await env.d(['stop', '-t', '1', 'alw']);
    expect(stop.code, stop.stderr).toBe(0);
    // Well past the first backoff step (100 ms): a restart would have happened by now.
    await new Promise((r) => setTimeout(r, 1000));
    const stopped = await inspect('alw');
    expect(stopped.State.Status).toBe('exited');
    expect((await env.d(['ps', '-q', '--filter', 'name=alw'])).stdout.trim()).toBe('');
    await env.d(['rm', 'alw']);
  });

  it('kill disables the policy like stop; at daemon start always comes back after a stop, unless-stopped does not; a crash while berthd is away is restarted', async () => {
    await env.d(['run', '-d', '--name', 'k-fail', '--restart', 'on-failure', env.image, 'sleep', '1000']);
    await env.d(['run', '-d', '--name', 's-always', '--restart', 'always', env.image, 'sleep', '1000']);
    await env.d(['run', '-d', '--name', 's-unless', '--restart', 'unless-stopped', env.image, 'sleep', '1000']);
    await env.d(['run', '-d', '--name', 'crashes', '--restart', 'unless-stopped', env.image, 'sleep', '1000']);
    // Killed by the user with a non-zero exit (137): on-failure would restart it, but a user kill stops the policy.
    expect((await env.d(['kill', 'k-fail'])).code).toBe(0);
    expect((await env.d(['stop', '-t', '0', 's-always', 's-unless'])).code).toBe(0);
    await new Promise((r) => setTimeout(r, 800));
    expect((await inspect('k-fail')).State).toMatchObject({ Status: 'exited', ExitCode: 137 });
    expect((await inspect('k-fail')).RestartCount).toBe(0);

    // berthd goes away; meanwhile one container's process dies (not a user stop).
    const crashes = await inspect('crashes');
    await env.berthd.kill();
    process.kill(crashes.State.Pid, 'SIGKILL');
    await until(async () => (await hostProcessesOf(crashes.Id)).length, (n) => n === 0);
    env.berthd = await env.berthd.restart();

    expect((await until(() => inspect('s-always'), (i) => i.State.Running)).State.Running).toBe(true);
    expect((await until(() => inspect('crashes'), (i) => i.State.Running)).State.Running).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    expect((await inspect('s-unless')).State.Status).toBe('exited');
    await env.d(['rm', '-f', 'k-fail', 's-always', 's-unless', 'crashes']);
  });

  it('pause freezes the processes (their CPU time stops), exec is refused, unpause resumes them', async () => {
    await env.d(['run', '-d', '--name', 'spin', env.image, 'sh', '-c', 'while :; do :; done']);
    const { State } = await inspect('spin');
    const cpuTicks = async (): Promise<number> => {
      const f = (await readFile(`/proc/${State.Pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
      return Number(f[11]) + Number(f[12]);
    };
    const ev = events('container=spin');
    await new Promise((r) => setTimeout(r, 300));
    expect((await env.d(['pause', 'spin'])).code).toBe(0);
    const paused = await inspect('spin');
    expect(paused.State).toMatchObject({ Status: 'paused', Paused: true, Running: true });
    expect((await env.d(['ps', '--filter', 'name=spin', '--format', '{{.Status}}'])).stdout).toMatch(/^Up .* \(Paused\)$/m);
    const t0 = await cpuTicks();
    await new Promise((r) => setTimeout(r, 500));
    expect(await cpuTicks()).toBe(t0);
    const exec = await env.d(['exec', 'spin', 'true']);
    expect(exec.code).not.toBe(0);
    expect(exec.stderr).toContain('is paused, unpause the container before exec');
    expect((await env.d(['unpause', 'spin'])).code).toBe(0);
    expect(await until(cpuTicks, (t) => t > t0)).toBeGreaterThan(t0);
    expect((await inspect('spin')).State).toMatchObject({ Status: 'running', Paused: false });
    await until(async () => ev.lines().length, (n) => n >= 2);
    expect(ev.lines().map((l) => l.split(' ')[0])).toEqual(['pause', 'unpause']);
    ev.child.kill();
    // A paused container can be removed by force.
    await env.d(['pause', 'spin']);
    const rm = await env.d(['rm', '-f', 'spin']);
    expect(rm.code, rm.stderr).toBe(0);
  });

  it('rename is reflected in ps, inspect and events; update in inspect and the cgroup', async () => {
    const id = (await env.d(['run', '-d', '--name', 'old-name', '--memory', '64m', env.image, 'sleep', '1000'])).stdout.trim();
    const ev = events(`container=${id}`);
    await new Promise((r) => setTimeout(r, 300));
    expect((await env.d(['rename', 'old-name', 'new-name'])).code).toBe(0);
    expect((await env.d(['ps', '--filter', `id=${id}`, '--format', '{{.Names}}'])).stdout.trim()).toBe('new-name');
    expect((await inspect(id)).Name).toBe('/new-name');
    expect((await env.d(['inspect', 'old-name'])).code).not.toBe(0);
    await until(async () => ev.lines().length, (n) => n >= 1);
    expect(ev.lines()[0]).toMatch(/^rename \d+ .*"oldName":"\/old-name"/);
    ev.child.kill();

    const up = await env.d(['update', '--memory', '96m', '--memory-swap', '192m', '--cpus', '0.5', '--pids-limit', '50', '--restart', 'unless-stopped', 'new-name']);
    expect(up.code, up.stderr).toBe(0);
    const hc = (await inspect(id)).HostConfig;
    expect(hc).toMatchObject({ Memory: 96 << 20, MemorySwap: 192 << 20, NanoCpus: 5e8, PidsLimit: 50, RestartPolicy: { Name: 'unless-stopped', MaximumRetryCount: 0 } });
    const pid = (await inspect(id)).State.Pid;
    const cg = await readFile(`/proc/${pid}/cgroup`, 'utf8');
    const memPath = /:memory:(.*)$/m.exec(cg)?.[1];
    if (memPath) {
      expect((await readFile(`/sys/fs/cgroup/memory${memPath}/memory.limit_in_bytes`, 'utf8')).trim()).toBe(String(96 << 20));
      const cpuPath = /:cpu,cpuacct:(.*)$/m.exec(cg)?.[1] ?? /:cpu:(.*)$/m.exec(cg)?.[1];
      expect((await readFile(`/sys/fs/cgroup/cpu,cpuacct${cpuPath}/cpu.cfs_quota_us`, 'utf8').catch(() => readFile(`/sys/fs/cgroup/cpu${cpuPath}/cpu.cfs_quota_us`, 'utf8'))).trim()).toBe('50000');
    } else {
      const path = /^0::(.*)$/m.exec(cg)![1];
      expect((await readFile(`/sys/fs/cgroup${path}/memory.max`, 'utf8')).trim()).toBe(String(96 << 20));
      expect((await readFile(`/sys/fs/cgroup${path}/cpu.max`, 'utf8')).trim()).toBe('50000 100000');
    }
    // A field update does not apply yet is refused naming it (--cpuset-cpus applies: containers-cgroup-opts).
    const refused = await env.d(['update', '--cpu-rt-period', '50000', 'new-name']);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('CpuRealtimePeriod');
    await env.d(['rm', '-f', 'new-name']);
  });
});
