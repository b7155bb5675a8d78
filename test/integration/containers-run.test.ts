/**
 * The stock docker CLI running busybox containers on berthd (issue 4 "Must show"): run and exit
 * codes, stdin, PID 1 in exec and shell form, isolation, terminals, limits and OOM, stop
 * semantics, logs, exec, ps -a, rm -f cleanup and the overlay upper dir.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ContainerInspectResponse } from '../../src-shared/docker-api/containers';
import { IS_ROOT } from '../harness/berthd';
import { hostProcessesOf, mountsMentioning, startContainersEnv, withTty, type ContainersEnv } from './containers-env';

const inspect = async (env: ContainersEnv, id: string): Promise<ContainerInspectResponse> => {
  const r = await env.d(['inspect', id]);
  expect(r.code, r.stderr).toBe(0);
  const all = JSON.parse(r.stdout) as ContainerInspectResponse[];
  if (!all[0]) throw new Error(`no inspect result for ${id}`);
  return all[0];
};

/** Recursively lists a directory (relative names with size), to prove image layers stay unchanged. */
async function snapshot(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const rel = join(prefix, e.name);
    if (e.isDirectory()) out.push(`${rel}/`, ...(await snapshot(dir, rel)));
    else out.push(`${rel}:${(await stat(join(dir, rel))).size}`);
  }
  return out.sort();
}

describe.skipIf(!IS_ROOT)('containers: docker run through berthd', () => {
  let env: ContainersEnv;
  beforeAll(async () => {
    env = await startContainersEnv();
  });
  afterAll(async () => {
    await env?.cleanup();
  });

  it('docker run --rm echo hi', async () => {
    const r = await env.d(['run', '--rm', env.image, 'echo', 'hi']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('hi\n');
    expect(r.code).toBe(0);
    // --rm: nothing left behind.
    expect((await env.d(['ps', '-aq'])).stdout.trim()).toBe('');
  });

  it('propagates exit codes: 3 from the process, 127 for a missing command', async () => {
    expect((await env.d(['run', '--rm', env.image, 'sh', '-c', 'exit 3'])).code).toBe(3);
    const missing = await env.d(['run', '--rm', env.image, 'no-such-command']);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toMatch(/executable file not found/);
    const notExecutable = await env.d(['run', '--rm', env.image, '/etc/passwd']);
    expect(notExecutable.code).toBe(126);
    expect(notExecutable.stderr).toMatch(/permission denied/);
  });

  it('echo x | docker run -i --rm … cat', async () => {
    const r = await env.d(['run', '-i', '--rm', env.image, 'cat'], { input: 'x\n' });
    expect(r.stdout).toBe('x\n');
    expect(r.code).toBe(0);
  });

  it('exec form: the command is PID 1 and only the container processes are visible', async () => {
    const r = await env.d(['run', '--rm', env.image, 'ps', '-o', 'pid,args']);
    const rows = r.stdout.trim().split('\n').slice(1).map((l) => l.trim());
    expect(rows).toEqual(['1 ps -o pid,args']);
  });

  it('shell form: sh -c is PID 1', async () => {
    const r = await env.d(['run', '--rm', env.image, 'sh', '-c', 'ps -o pid,args; true']);
    const rows = r.stdout.trim().split('\n').slice(1).map((l) => l.trim());
    expect(rows[0]).toBe('1 sh -c ps -o pid,args; true');
    expect(rows).toHaveLength(2);
  });

  it('has its own hostname (the ID prefix) and only lo with --network none', async () => {
    const r = await env.d(['run', '--name', 'hn', env.image, 'hostname']);
    const info = await inspect(env, 'hn');
    expect(r.stdout.trim()).toBe(String(info.Id).slice(0, 12));
    expect(info.Config.Hostname).toBe(String(info.Id).slice(0, 12));
    await env.d(['rm', 'hn']);
    const net = await env.d(['run', '--rm', '--network', 'none', env.image, 'ls', '/sys/class/net']);
    expect(net.stdout.trim()).toBe('lo');
  });

  it('run -it gets a real pty with a size', async () => {
    const r = await withTty(env.berthd.dockerHost, `docker run -it --rm ${env.image} sh -c 'tty; stty size'`);
    expect(r.out).toMatch(/\/dev\/pts\/\d+/);
    expect(r.out).toMatch(/^\d+ \d+\r?$/m);
    expect(r.code).toBe(0);
  });

  it('-m 32m: allocating 100 MB is OOM-killed (137, OOMKilled true)', async () => {
    const r = await env.d(['run', '--name', 'oom', '-m', '32m', env.image, 'dd', 'if=/dev/zero', 'of=/dev/null', 'bs=100M', 'count=1']);
    expect(r.code).toBe(137);
    const info = await inspect(env, 'oom');
    expect(info.State.OOMKilled).toBe(true);
    expect(info.State.ExitCode).toBe(137);
    expect(info.HostConfig.Memory).toBe(32 * 1024 * 1024);
    // As dockerd: -m without --memory-swap allows as much swap as memory.
    expect(info.HostConfig.MemorySwap).toBe(64 * 1024 * 1024);
    await env.d(['rm', 'oom']);
  });

  it('--pids-limit 8 stops a fork bomb', async () => {
    const r = await env.d(['run', '--rm', '--pids-limit', '8', env.image, 'sh', '-c', 'for i in $(seq 30); do sleep 2 & done; wait; echo finished'], { timeoutMs: 60_000 });
    expect(`${r.stdout}${r.stderr}`).toMatch(/can't fork|Resource temporarily unavailable/);
  });

  it('stop: a TERM trap returns fast with its code', async () => {
    await env.d(['run', '-d', '--name', 'trap', env.image, 'sh', '-c', 'trap "exit 7" TERM; echo trapped; while true; do sleep 0.1; done']);
    // A TERM that arrives before the shell installed its trap is ignored (PID 1 has no default
    // action), so stop would wait out its timeout: wait until the shell says the trap is set.
    const deadline = Date.now() + 30_000;
    while (!(await env.d(['logs', 'trap'])).stdout.includes('trapped')) {
      if (Date.now() > deadline) throw new Error('the shell never reported its TERM trap installed');
      await new Promise((r) => setTimeout(r, 50));
    }
    const t0 = Date.now();
    expect((await env.d(['stop', 'trap'])).code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect((await inspect(env, 'trap')).State.ExitCode).toBe(7);
    await env.d(['rm', 'trap']);
  });

  it('stop: sleep as PID 1 ignores TERM, so stop -t 2 waits ~2 s and ends with 137; --init returns at once', async () => {
    await env.d(['run', '-d', '--name', 'pid1', env.image, 'sleep', '100']);
    let t0 = Date.now();
    expect((await env.d(['stop', '-t', '2', 'pid1'])).code).toBe(0);
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(1900);
    expect(took).toBeLessThan(9000);
    expect((await inspect(env, 'pid1')).State.ExitCode).toBe(137);

    await env.d(['run', '-d', '--init', '--name', 'withinit', env.image, 'sleep', '100']);
    const top = await env.d(['top', 'withinit']);
    expect(top.stdout).toMatch(/sleep 100/);
    t0 = Date.now();
    expect((await env.d(['stop', '-t', '5', 'withinit'])).code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(4000);
    expect((await inspect(env, 'withinit')).State.ExitCode).toBe(143);
    await env.d(['rm', 'pid1', 'withinit']);
  });

  it('logs keep stdout and stderr apart; logs -f follows until exit', async () => {
    await env.d(['run', '--name', 'lg', env.image, 'sh', '-c', 'echo out; echo err >&2']);
    const logs = await env.d(['logs', 'lg']);
    expect(logs.stdout).toBe('out\n');
    expect(logs.stderr).toBe('err\n');
    const ts = await env.d(['logs', '--timestamps', '--tail', '1', 'lg']);
    expect(`${ts.stdout}${ts.stderr}`).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z err\n$/);

    await env.d(['run', '-d', '--name', 'follow', env.image, 'sh', '-c', 'for i in 1 2 3; do echo line$i; sleep 0.4; done']);
    const f = await env.d(['logs', '-f', 'follow'], { timeoutMs: 20_000 });
    expect(f.stdout).toBe('line1\nline2\nline3\n');
    expect(f.code).toBe(0);
    await env.d(['rm', 'lg', 'follow']);
  });

  it('exec: exit codes, 127 for a missing command, env and exec -it with a pty', async () => {
    await env.d(['run', '-d', '--name', 'ex', '-e', 'FOO=bar', env.image, 'sleep', '100']);
    expect((await env.d(['exec', 'ex', 'sh', '-c', 'exit 5'])).code).toBe(5);
    const missing = await env.d(['exec', 'ex', 'nope']);
    expect(missing.code).toBe(127);
    expect(`${missing.stdout}${missing.stderr}`).toMatch(/executable file not found/);
    expect((await env.d(['exec', 'ex', '/etc/passwd'])).code).toBe(126);
    expect((await env.d(['exec', 'ex', 'sh', '-c', 'echo $FOO; id -u'])).stdout).toBe('bar\n0\n');
    expect((await env.d(['exec', '-u', 'app', 'ex', 'id', '-u'])).stdout).toBe('1000\n');
    expect((await env.d(['exec', '-i', 'ex', 'cat'], { input: 'piped\n' })).stdout).toBe('piped\n');
    const it = await withTty(env.berthd.dockerHost, `docker exec -it ex sh -c 'tty; exit 4'`);
    expect(it.out).toMatch(/\/dev\/pts\/\d+/);
    expect(it.code).toBe(4);
    await env.d(['rm', '-f', 'ex']);
  });

  it('ps -a shows Exited (3) …', async () => {
    await env.d(['run', '--name', 'three', env.image, 'sh', '-c', 'exit 3']);
    const ps = await env.d(['ps', '-a', '--filter', 'name=three', '--format', '{{.Names}} {{.Status}}']);
    expect(ps.stdout).toMatch(/^three Exited \(3\) (Less than a second|\d+ seconds?) ago\n$/);
    const filtered = await env.d(['ps', '-a', '--filter', 'exited=3', '-q']);
    expect(filtered.stdout.trim()).not.toBe('');
    await env.d(['rm', 'three']);
  });

  it('rm -f of a running container leaves no process, mount or cgroup', async () => {
    const id = (await env.d(['run', '-d', env.image, 'sleep', '100'])).stdout.trim();
    const info = await inspect(env, id);
    const pid = info.State.Pid;
    expect(pid).toBeGreaterThan(0);
    expect((await hostProcessesOf(id)).length).toBeGreaterThan(0);
    expect((await env.d(['rm', '-f', id])).code).toBe(0);
    await expect(stat(`/proc/${pid}`)).rejects.toThrow();
    expect(await hostProcessesOf(id)).toEqual([]);
    expect(await mountsMentioning(info.GraphDriver.Data.ID ?? 'none')).toEqual([]);
    const cgroupDirs = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').filter((l) => l.includes(' - cgroup')).map((l) => l.split(' ')[4] ?? '');
    for (const root of cgroupDirs) await expect(stat(join(root, 'berth', id))).rejects.toThrow();
    await expect(stat(info.GraphDriver.Data.UpperDir ?? '/nonexistent')).rejects.toThrow();
  });

  it('inspect: UpperDir holds what the container wrote; image layer dirs are unchanged', async () => {
    const created = await env.d(['create', '--name', 'writer', env.image, 'sh', '-c', 'echo data > /written.txt; rm /etc/hostname.bak 2>/dev/null; echo x >> /etc/passwd']);
    expect(created.code, created.stderr).toBe(0);
    const before = await inspect(env, 'writer');
    const lowers = String(before.GraphDriver.Data.LowerDir).split(':').filter((d) => !d.includes('-init'));
    expect(lowers.length).toBeGreaterThan(0);
    const snaps = await Promise.all(lowers.map((d) => snapshot(d)));
    expect((await env.d(['start', '-a', 'writer'])).code).toBe(0);
    const info = await inspect(env, 'writer');
    const upper = info.GraphDriver.Data.UpperDir ?? '';
    expect(await readFile(join(upper, 'written.txt'), 'utf8')).toBe('data\n');
    expect(await readFile(join(upper, 'etc/passwd'), 'utf8')).toMatch(/\nx\n$/);
    for (const d of [info.GraphDriver.Data.MergedDir, info.GraphDriver.Data.WorkDir]) expect((await stat(d ?? '')).isDirectory()).toBe(true);
    expect(await Promise.all(lowers.map((d) => snapshot(d)))).toEqual(snaps);
    await env.d(['rm', 'writer']);
  });

  it('reports stats the CLI can show (CPU % and memory) and the Berth process map', async () => {
    const id = (await env.d(['run', '-d', '-m', '64m', '--pids-limit', '20', env.image, 'sh', '-c', 'sleep 100 & sleep 100'])).stdout.trim();
    const stats = await env.d(['stats', '--no-stream', '--format', '{{.CPUPerc}} {{.MemUsage}}', id]);
    expect(stats.code, stats.stderr).toBe(0);
    expect(stats.stdout).toMatch(/^\d+\.\d\d% [\d.]+[KMG]?i?B \/ 64MiB\n$/);
    const { engineRequest } = await import('../harness/berthd');
    const map = JSON.parse((await engineRequest(env.berthd.socket, 'GET', `/berth/v1/containers/${id}/processes`)).body) as {
      Processes: { HostPid: number; ContainerPid: number; Command: string }[];
      Cgroup: { Memory: { Limit: number; Usage: number }; Pids: { Limit: number; Usage: number } };
    };
    // busybox sh execs the last command of -c in place, so PID 1 becomes the second sleep.
    expect(map.Processes.map((p) => `${p.ContainerPid} ${p.Command}`).sort()).toEqual(['1 sleep 100', '2 sleep 100']);
    expect(map.Processes.every((p) => p.HostPid > 1)).toBe(true);
    expect(map.Cgroup.Memory.Limit).toBe(64 * 1024 * 1024);
    expect(map.Cgroup.Memory.Usage).toBeGreaterThan(0);
    expect(map.Cgroup.Pids).toMatchObject({ Limit: 20, Usage: 2 });
    await env.d(['rm', '-f', id]);
  });
});
