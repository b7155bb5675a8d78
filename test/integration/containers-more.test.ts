/**
 * More of the container surface through the stock docker CLI: Ctrl-C through a pty, binds, ps
 * sizes and filters, top with ps arguments, streaming stats, logs since/until, exec working dir,
 * rmi refused while a container uses the image, the chunked (non-upgrade) attach, and API errors.
 */
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineRequest, IS_ROOT } from '../harness/berthd';
import { startContainersEnv, type ContainersEnv } from './containers-env';

describe.skipIf(!IS_ROOT)('containers: more of the CLI surface', () => {
  let env: ContainersEnv;
  let hostDir: string;
  beforeAll(async () => {
    env = await startContainersEnv();
    hostDir = await mkdtemp(join(tmpdir(), 'berth-bind-'));
  });
  afterAll(async () => {
    await env?.cleanup();
    if (hostDir) await rm(hostDir, { recursive: true, force: true });
  });

  it('run -it: Ctrl-C typed at the terminal reaches the process as SIGINT', async () => {
    const child = spawn('script', ['-qec', `docker run -it --rm ${env.image} sh -c 'trap "echo got-int; exit 5" INT; echo ready; sleep 30 & wait'`, '/dev/null'], {
      env: { ...process.env, DOCKER_HOST: env.berthd.dockerHost, DOCKER_CONFIG: '/tmp/berth-test-docker-config', TERM: 'xterm' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    const deadline = Date.now() + 15_000;
    while (!out.includes('ready') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    child.stdin.write('\x03');
    const code = await exited;
    expect(out).toContain('got-int');
    expect(code).toBe(5);
  });

  it('bind mounts a host directory read-write and read-only', async () => {
    await writeFile(join(hostDir, 'in.txt'), 'from host\n');
    const rw = await env.d(['run', '--rm', '-v', `${hostDir}:/data`, env.image, 'sh', '-c', 'cat /data/in.txt; echo from container > /data/out.txt']);
    expect(rw.stdout).toBe('from host\n');
    expect(await readFile(join(hostDir, 'out.txt'), 'utf8')).toBe('from container\n');
    const ro = await env.d(['run', '--rm', '-v', `${hostDir}:/data:ro`, env.image, 'sh', '-c', 'echo x > /data/no.txt']);
    expect(ro.code).not.toBe(0);
    expect(ro.stderr).toMatch(/Read-only file system/);
    const info = await env.d(['run', '--name', 'mnt', '-v', `${hostDir}:/data:ro`, env.image, 'true']);
    expect(info.code).toBe(0);
    const mounts = JSON.parse((await env.d(['inspect', '-f', '{{json .Mounts}}', 'mnt'])).stdout) as { Source: string; Destination: string; RW: boolean }[];
    expect(mounts).toEqual([expect.objectContaining({ Source: hostDir, Destination: '/data', RW: false })]);
    await env.d(['rm', 'mnt']);
  });

  it('ps: --size, filters by label and status, limit; top with ps arguments', async () => {
    const id = (await env.d(['run', '-d', '--label', 'tier=web', '--name', 'sized', env.image, 'sh', '-c', 'head -c 50000 /dev/zero > /blob; sleep 100'])).stdout.trim();
    await new Promise((r) => setTimeout(r, 500));
    const sized = await env.d(['ps', '--size', '--filter', 'label=tier=web', '--format', '{{.Names}} {{.Size}}']);
    expect(sized.stdout).toMatch(/^sized 5\d(\.\d+)?kB \(virtual /);
    expect((await env.d(['ps', '-q', '--filter', 'status=running', '--filter', `id=${id.slice(0, 8)}`])).stdout.trim()).toBe(id.slice(0, 12));
    expect((await env.d(['ps', '-q', '--filter', 'label=tier=db'])).stdout.trim()).toBe('');
    const top = await env.d(['top', 'sized', '-o', 'pid,comm']);
    expect(top.stdout.split('\n')[0]).toMatch(/PID\s+COMMAND/);
    expect(top.stdout).toMatch(/sleep/);
    await env.d(['rm', '-f', 'sized']);
  });

  it('stats streams samples until the client leaves', async () => {
    await env.d(['run', '-d', '--name', 'busy', env.image, 'sh', '-c', 'while true; do :; done']);
    const res = await new Promise<string[]>((resolve) => {
      const lines: string[] = [];
      const req = engineRequestStream(env.berthd.socket, '/containers/busy/stats', (line) => {
        lines.push(line);
        if (lines.length === 3) {
          req.destroy();
          resolve(lines);
        }
      });
    });
    const samples = res.map((l) => JSON.parse(l) as { cpu_stats: { cpu_usage: { total_usage: number } }; precpu_stats: { cpu_usage: { total_usage: number } } });
    expect(samples[2]?.precpu_stats.cpu_usage.total_usage).toBe(samples[1]?.cpu_stats.cpu_usage.total_usage);
    expect((samples[2]?.cpu_stats.cpu_usage.total_usage ?? 0) > (samples[1]?.cpu_stats.cpu_usage.total_usage ?? 0)).toBe(true);
    const cli = await env.d(['stats', '--no-stream', '--format', '{{.CPUPerc}}', 'busy']);
    expect(Number.parseFloat(cli.stdout)).toBeGreaterThan(5);
    await env.d(['rm', '-f', 'busy']);
  });

  it('logs --since/--until and --tail; exec -w sets the working dir', async () => {
    await env.d(['run', '-d', '--name', 'timed', env.image, 'sh', '-c', 'echo early; sleep 2; echo late; sleep 100']);
    await new Promise((r) => setTimeout(r, 2600));
    expect((await env.d(['logs', '--since', '1s', 'timed'])).stdout).toBe('late\n');
    expect((await env.d(['logs', '--until', '1s', 'timed'])).stdout).toBe('early\n');
    expect((await env.d(['logs', '--tail', '1', 'timed'])).stdout).toBe('late\n');
    expect((await env.d(['exec', '-w', '/tmp', 'timed', 'pwd'])).stdout).toBe('/tmp\n');
    await env.d(['rm', '-f', 'timed']);
  });

  it('kill followed at once by start restarts the container (no race with the exit cleanup)', async () => {
    await env.d(['run', '-dit', '--name', 'bounce', env.image, 'sh']);
    for (let i = 0; i < 3; i++) {
      expect((await env.d(['kill', 'bounce'])).code).toBe(0);
      const started = await env.d(['start', 'bounce']);
      expect(started.code, started.stderr).toBe(0);
    }
    expect((await env.d(['inspect', '-f', '{{.State.Running}}', 'bounce'])).stdout.trim()).toBe('true');
    await env.d(['rm', '-f', 'bounce']);
  });

  it('events --since 0 --until now replays the history and ends', async () => {
    const until = String(Math.floor(Date.now() / 1000) + 1);
    const ev = await env.d(['events', '--since', '0', '--until', until, '--filter', 'type=container', '--format', '{{.Action}}'], { timeoutMs: 20_000 });
    expect(ev.code).toBe(0);
    expect(ev.stdout.split('\n')).toEqual(expect.arrayContaining(['create', 'start', 'die', 'destroy']));
  });

  it('rmi is refused while a container uses the image, allowed after', async () => {
    await env.d(['create', '--name', 'holder', env.image, 'true']);
    const df = await env.d(['system', 'df', '--format', '{{.Type}} {{.TotalCount}} {{.Active}}']);
    expect(df.stdout).toMatch(/^Containers 1 0$/m);
    const refused = await env.d(['rmi', env.image]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/conflict|being used/);
    await env.d(['rm', 'holder']);
    const info = await env.d(['info', '--format', '{{.Containers}} {{.ContainersRunning}}']);
    expect(info.stdout.trim()).toBe('0 0');
  });

  it('answers attach without Upgrade with a chunked 200 stream, and API errors as dockerd', async () => {
    const id = (await env.d(['create', env.image, 'sh', '-c', 'echo chunked'])).stdout.trim();
    const attached = engineRequest(env.berthd.socket, 'POST', `/v1.48/containers/${id}/attach?stream=1&stdout=1&stderr=1`);
    await new Promise((r) => setTimeout(r, 300));
    expect((await engineRequest(env.berthd.socket, 'POST', `/v1.48/containers/${id}/start`)).status).toBe(204);
    const r = await attached;
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/vnd.docker.multiplexed-stream');
    expect(r.body.slice(8)).toBe('chunked\n');
    // Once the echo has exited, stopping it is "not modified".
    expect((await env.d(['wait', id])).stdout.trim()).toBe('0');
    expect((await engineRequest(env.berthd.socket, 'POST', `/v1.48/containers/${id}/stop`)).status).toBe(304);
    const sleeper = (await env.d(['run', '-d', env.image, 'sleep', '100'])).stdout.trim();
    const again = await engineRequest(env.berthd.socket, 'POST', `/v1.48/containers/${sleeper}/start`);
    expect(again.status, again.body).toBe(304);
    await env.d(['rm', '-f', sleeper]);
    expect((await engineRequest(env.berthd.socket, 'POST', `/v1.48/containers/${id}/wait?condition=bogus`)).status).toBe(400);
    expect((await engineRequest(env.berthd.socket, 'GET', '/v1.48/containers/nope/json')).status).toBe(404);
    const bad = await engineRequest(env.berthd.socket, 'POST', '/v1.48/containers/create', JSON.stringify({ Image: env.image, HostConfig: { Memory: 'lots' } }));
    expect(bad.status).toBe(400);
    expect(bad.body).toMatch(/HostConfig\.Memory/);
    const pause = await env.d(['pause', id]);
    expect(pause.code).toBe(1);
    // As dockerd (errNotRunning): an exited container cannot be paused.
    expect(pause.stderr).toMatch(new RegExp(`container ${id} is not running`));
    const missing = await engineRequest(env.berthd.socket, 'POST', '/v1.48/containers/create', JSON.stringify({ Image: 'not-pulled:latest' }));
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.body)).toEqual({ message: 'No such image: not-pulled:latest' });
    await env.d(['rm', id]);
  });
});

function engineRequestStream(socket: string, path: string, onLine: (line: string) => void): { destroy: () => void } {
  const req = request({ socketPath: socket, path, method: 'GET' }, (res) => {
    let buf = '';
    res.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        onLine(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
    });
    res.on('error', () => undefined);
  });
  req.on('error', () => undefined);
  req.end();
  return { destroy: () => req.destroy() };
}
