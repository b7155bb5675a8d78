/**
 * Containers outlive berthd: with a running `-d` container and an open `exec -it`, berthd is
 * killed with SIGKILL and started again on the same data root. The container is still running,
 * `docker ps` lists it, and `attach` and `exec` work against the new daemon. Also checks the
 * events stream and wait/kill/restart endpoints on the way.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT } from '../harness/berthd';
import { startContainersEnv, type ContainersEnv } from './containers-env';

function spawnDocker(env: ContainersEnv, args: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn('docker', args, { env: { ...process.env, DOCKER_HOST: env.berthd.dockerHost, DOCKER_CONFIG: '/tmp/berth-test-docker-config', TERM: 'xterm' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return { child, output: () => out };
}

async function until(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return cond();
}

describe.skipIf(!IS_ROOT)('containers survive a berthd crash', () => {
  let env: ContainersEnv;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    env = await startContainersEnv();
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await env?.cleanup();
  });

  it('streams container events with filters', async () => {
    const ev = spawnDocker(env, ['events', '--filter', 'type=container', '--format', '{{.Action}} {{.Actor.Attributes.name}}']);
    children.push(ev.child);
    await new Promise((r) => setTimeout(r, 500));
    await env.d(['run', '--rm', '--name', 'evt', env.image, 'true']);
    expect(await until(() => ev.output().includes('destroy evt'), 10_000)).toBe(true);
    ev.child.kill('SIGTERM');
    const lines = ev.output().trim().split('\n');
    expect(lines).toEqual(['create evt', 'attach evt', 'start evt', 'die evt', 'destroy evt'].filter((l) => lines.includes(l)));
    expect(lines).toEqual(expect.arrayContaining(['create evt', 'start evt', 'die evt', 'destroy evt']));
  });

  it('restart keeps a container running across kill -9 of berthd; ps, exec and attach work after', async () => {
    const keep = await env.d(['run', '-d', '--name', 'keep', env.image, 'sh', '-c', 'while true; do echo tick; sleep 0.5; done']);
    expect(keep.code, keep.stderr).toBe(0);
    const pidBefore = JSON.parse((await env.d(['inspect', '-f', '{{json .State.Pid}}', 'keep'])).stdout) as number;

    // An interactive exec session open while the daemon dies.
    const session = spawn('script', ['-qec', 'docker exec -it keep sh', '/dev/null'], {
      env: { ...process.env, DOCKER_HOST: env.berthd.dockerHost, DOCKER_CONFIG: '/tmp/berth-test-docker-config', TERM: 'xterm' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.push(session);
    let sessionOut = '';
    session.stdout.on('data', (d: Buffer) => (sessionOut += d.toString()));
    session.stdin.write('echo in-exec-$((6*7))\n');
    expect(await until(() => sessionOut.includes('in-exec-42'), 10_000)).toBe(true);

    await env.berthd.kill();
    env.berthd = await env.berthd.restart();

    const ps = await env.d(['ps', '--format', '{{.Names}} {{.Status}}']);
    expect(ps.stdout).toMatch(/^keep Up /m);
    const info = JSON.parse((await env.d(['inspect', 'keep'])).stdout)[0] as { State: { Running: boolean; Pid: number } };
    expect(info.State).toMatchObject({ Running: true, Pid: pidBefore });

    expect((await env.d(['exec', 'keep', 'echo', 'after-restart'])).stdout).toBe('after-restart\n');

    const att = spawnDocker(env, ['attach', '--no-stdin', 'keep']);
    children.push(att.child);
    expect(await until(() => att.output().includes('tick'), 10_000)).toBe(true);
    att.child.kill('SIGKILL');

    // Logs written while berthd was down are there too.
    expect((await env.d(['logs', '--tail', '2', 'keep'])).stdout).toBe('tick\ntick\n');

    session.kill('SIGKILL');
    const t0 = Date.now();
    expect((await env.d(['stop', '-t', '1', 'keep'])).code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(8000);
    expect(JSON.parse((await env.d(['inspect', '-f', '{{json .State}}', 'keep'])).stdout)).toMatchObject({ Running: false, ExitCode: 137 });
    await env.d(['rm', 'keep']);
  });

  it('stops on SIGTERM with an attach session open; the container keeps running and is found again', async () => {
    const run = await env.d(['run', '-d', '-it', '--name', 'term-open', env.image, 'sh']);
    expect(run.code, run.stderr).toBe(0);
    const attach = spawn('script', ['-qec', 'docker attach term-open', '/dev/null'], {
      env: { ...process.env, DOCKER_HOST: env.berthd.dockerHost, DOCKER_CONFIG: '/tmp/berth-test-docker-config', TERM: 'xterm' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.push(attach);
    let out = '';
    attach.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    attach.stdin?.write('echo attached-$((6*7))\r');
    expect(await until(() => out.includes('attached-42'), 10_000)).toBe(true);

    const started = Date.now();
    const exited = new Promise<number | null>((r) => env.berthd.process.once('exit', (code) => r(code)));
    env.berthd.process.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 8_000))]);
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(8_000);

    env.berthd = await env.berthd.restart();
    const state = await env.d(['inspect', '-f', '{{.State.Running}}', 'term-open']);
    expect(state.stdout.trim()).toBe('true');
    expect((await env.d(['rm', '-f', 'term-open'])).code).toBe(0);
  });

  it('marks a container whose process ended while berthd was down as exited with its code', async () => {
    await env.d(['run', '-d', '--name', 'short', env.image, 'sh', '-c', 'sleep 1; exit 9']);
    await env.berthd.kill();
    await new Promise((r) => setTimeout(r, 2000));
    env.berthd = await env.berthd.restart();
    const state = JSON.parse((await env.d(['inspect', '-f', '{{json .State}}', 'short'])).stdout) as { Status: string; ExitCode: number };
    expect(state).toMatchObject({ Status: 'exited', ExitCode: 9 });
    const ps = await env.d(['ps', '-a', '--filter', 'name=short', '--format', '{{.Status}}']);
    expect(ps.stdout).toMatch(/^Exited \(9\)/);
    await env.d(['rm', 'short']);
  });

  it('restart, kill with a signal, and 409/304 answers as dockerd', async () => {
    await env.d(['run', '-d', '--name', 'life', env.image, 'sleep', '100']);
    expect((await env.d(['start', 'life'])).code).toBe(0);
    const rmRunning = await env.d(['rm', 'life']);
    expect(rmRunning.code).toBe(1);
    expect(rmRunning.stderr).toMatch(/container is running/);
    const pid1 = JSON.parse((await env.d(['inspect', '-f', '{{json .State.Pid}}', 'life'])).stdout) as number;
    expect((await env.d(['restart', '-t', '1', 'life'])).code).toBe(0);
    const pid2 = JSON.parse((await env.d(['inspect', '-f', '{{json .State.Pid}}', 'life'])).stdout) as number;
    expect(pid2).not.toBe(pid1);
    expect((await env.d(['kill', '-s', 'KILL', 'life'])).code).toBe(0);
    const w = await env.d(['wait', 'life']);
    expect(w.stdout.trim()).toBe('137');
    const killAgain = await env.d(['kill', 'life']);
    expect(killAgain.code).toBe(1);
    expect(killAgain.stderr).toMatch(/is not running/);
    expect((await env.d(['container', 'prune', '-f'])).stdout).toMatch(/Deleted Containers:/);
    expect((await env.d(['ps', '-aq'])).stdout.trim()).toBe('');
  });
});
