/**
 * Attach and exec details clients rely on, over raw sockets and through the docker CLI: the exec
 * start body's Tty decides the framing; detach keys (default ctrl-p ctrl-q, `detachKeys=`) end an
 * attach or `exec -it` session and leave the container running; `attach?logs=1&stream=0` answers
 * an exited container's output at once and `logs=1&stream=1` replays then follows; a killed
 * monitor is reported as a killed container (137).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineRequest, IS_ROOT } from '../harness/berthd';
import { hostProcessesOf, startContainersEnv, type ContainersEnv } from './containers-env';

interface Hijacked {
  socket: Socket;
  status: number;
  headers: string;
  /** Bytes after the response header so far. */
  data: () => Buffer;
  closed: Promise<void>;
}

/** A POST with `Upgrade: tcp` on the raw socket, as the docker CLI sends it. */
function hijack(socketPath: string, path: string, body?: unknown): Promise<Hijacked> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const payload = body === undefined ? '' : JSON.stringify(body);
    let buf = Buffer.alloc(0);
    let headerEnd = -1;
    const closed = new Promise<void>((r) => socket.once('close', () => r()));
    socket.on('error', reject);
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (headerEnd >= 0) return;
      headerEnd = buf.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const headers = buf.subarray(0, headerEnd).toString();
      resolve({ socket, status: Number(headers.split(' ')[1]), headers, data: () => buf.subarray(headerEnd + 4), closed });
    });
    socket.write(
      `POST ${path} HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`,
    );
  });
}

/** Decodes stdcopy frames: [stream, payload] pairs; throws on bytes that are not frames. */
function demux(b: Buffer): [number, string][] {
  const out: [number, string][] = [];
  let off = 0;
  while (off < b.length) {
    const stream = b[off] ?? 0;
    if (![0, 1, 2].includes(stream) || b[off + 1] !== 0 || b[off + 2] !== 0 || b[off + 3] !== 0) throw new Error(`not a stdcopy frame at ${off}: ${JSON.stringify(b.toString())}`);
    const len = b.readUInt32BE(off + 4);
    out.push([stream, b.subarray(off + 8, off + 8 + len).toString()]);
    off += 8 + len;
  }
  return out;
}

/** Whether the server closed the session within `ms`. */
const closedWithin = (h: Hijacked, ms = 5000): Promise<boolean> => Promise.race([h.closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);

async function until(cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return cond();
}

describe.skipIf(!IS_ROOT)('attach and exec details', () => {
  let env: ContainersEnv;
  const children: ChildProcess[] = [];
  const api = (method: string, path: string, body?: unknown) => engineRequest(env.berthd.socket, method, `/v1.48${path}`, body === undefined ? undefined : JSON.stringify(body));
  const state = async (name: string): Promise<{ Running: boolean; ExitCode: number; Status: string; Pid: number }> => JSON.parse((await env.d(['inspect', '-f', '{{json .State}}', name])).stdout);

  beforeAll(async () => {
    env = await startContainersEnv();
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await env?.cleanup();
  });

  it("exec start's Tty decides the framing: stdcopy frames for Tty:false even when created with Tty:true, raw for Tty:true", async () => {
    expect((await env.d(['run', '-d', '--name', 'ex', env.image, 'sleep', '300'])).code).toBe(0);
    const made = await api('POST', '/containers/ex/exec', { Cmd: ['echo', 'framed'], Tty: true, AttachStdout: true, AttachStderr: true });
    const { Id } = JSON.parse(made.body) as { Id: string };
    const h = await hijack(env.berthd.socket, `/v1.48/exec/${Id}/start`, { Detach: false, Tty: false });
    expect(h.status).toBe(101);
    expect(h.headers).toContain('application/vnd.docker.multiplexed-stream');
    await h.closed;
    // The process still has its pty (create's Tty): its "\n" comes out as "\r\n", inside a stdout frame.
    expect(demux(h.data())).toEqual([[1, 'framed\r\n']]);

    const raw = JSON.parse((await api('POST', '/containers/ex/exec', { Cmd: ['sh', '-c', 'echo out; echo err >&2'], AttachStdout: true, AttachStderr: true })).body) as { Id: string };
    const r = await hijack(env.berthd.socket, `/v1.48/exec/${raw.Id}/start`, { Detach: false, Tty: true });
    expect(r.headers).toContain('application/vnd.docker.raw-stream');
    await r.closed;
    expect(r.data().toString().split('\n').sort()).toEqual(['', 'err', 'out']);
  });

  it('ctrl-p ctrl-q detaches a raw attach and a raw exec session; the container and the exec keep running; detachKeys= changes the keys', async () => {
    expect((await env.d(['run', '-dit', '--name', 'det', env.image, 'sh'])).code).toBe(0);
    const a = await hijack(env.berthd.socket, '/v1.48/containers/det/attach?stream=1&stdin=1&stdout=1&stderr=1');
    expect(a.status).toBe(101);
    a.socket.write('echo before-$((40+2))\r');
    expect(await until(() => a.data().toString().includes('before-42'))).toBe(true);
    a.socket.write(Buffer.from([0x10, 0x11]));
    expect(await closedWithin(a)).toBe(true);
    expect((await state('det')).Running).toBe(true);

    // Custom keys: ctrl-p alone no longer detaches, ctrl-x,y does.
    const b = await hijack(env.berthd.socket, '/v1.48/containers/det/attach?stream=1&stdin=1&stdout=1&stderr=1&detachKeys=ctrl-x,y');
    b.socket.write(Buffer.from([0x10, 0x11]));
    b.socket.write('echo still-$((40+2))\r');
    expect(await until(() => b.data().toString().includes('still-42'))).toBe(true);
    b.socket.write(Buffer.from([0x18, 0x79]));
    expect(await closedWithin(b)).toBe(true);
    expect((await state('det')).Running).toBe(true);
    expect((await api('POST', '/containers/det/attach?stream=1&stdin=1&detachKeys=ctrl-')).status).toBe(400);

    const made = JSON.parse((await api('POST', '/containers/det/exec', { Cmd: ['sh'], Tty: true, AttachStdin: true, AttachStdout: true, AttachStderr: true })).body) as { Id: string };
    const e = await hijack(env.berthd.socket, `/v1.48/exec/${made.Id}/start`, { Detach: false, Tty: true });
    e.socket.write('echo in-exec-$((40+2))\r');
    expect(await until(() => e.data().toString().includes('in-exec-42'))).toBe(true);
    e.socket.write(Buffer.from([0x10, 0x11]));
    expect(await closedWithin(e)).toBe(true);
    expect(JSON.parse((await api('GET', `/exec/${made.Id}/json`)).body)).toMatchObject({ Running: true });
    expect((await state('det')).Running).toBe(true);
    await env.d(['rm', '-f', 'det']);
  });

  it('ctrl-p ctrl-q in the docker CLI detaches attach, exec -it and run -it, leaving the container running', async () => {
    expect((await env.d(['run', '-dit', '--name', 'clidet', env.image, 'sh'])).code).toBe(0);
    for (const cmd of ['docker attach clidet', 'docker exec -it clidet sh', `docker run -it --name clirun ${env.image} sh`]) {
      const s = spawn('script', ['-qec', cmd, '/dev/null'], {
        env: { ...process.env, DOCKER_HOST: env.berthd.dockerHost, DOCKER_CONFIG: '/tmp/berth-test-docker-config', TERM: 'xterm' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      children.push(s);
      let out = '';
      s.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((r) => s.once('exit', (code) => r(code)));
      s.stdin.write('echo typed-$((40+2))\r');
      expect(await until(() => out.includes('typed-42')), cmd).toBe(true);
      s.stdin.write(Buffer.from([0x10, 0x11]));
      // The CLI ends its session (its exit status is its own business: 1 with "read escape sequence").
      const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 8000))]);
      expect(code, `${cmd}: ${out}`).not.toBe('hung');
      // attach and exec say so; run -it detaches silently (docker CLI).
      if (!cmd.includes('clirun')) expect(out).toContain('read escape sequence');
      expect((await state(cmd.includes('clirun') ? 'clirun' : 'clidet')).Running, cmd).toBe(true);
    }
    await env.d(['rm', '-f', 'clidet', 'clirun']);
  });

  it('attach?logs=1&stream=0 returns an exited container its output at once; logs=1&stream=1 replays then follows', async () => {
    expect((await env.d(['run', '--name', 'done', env.image, 'sh', '-c', 'echo one; echo two >&2'])).code).toBe(0);
    const t0 = Date.now();
    const r = await api('POST', '/containers/done/attach?logs=1&stream=0&stdout=1&stderr=1');
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(r.status).toBe(200);
    expect(demux(Buffer.from(r.body, 'latin1'))).toEqual([[1, 'one\n'], [2, 'two\n']]);
    const h = await hijack(env.berthd.socket, '/v1.48/containers/done/attach?logs=1&stream=0&stdout=1&stderr=0');
    await h.closed;
    expect(demux(h.data())).toEqual([[1, 'one\n']]);
    // stream=0 without logs: nothing, at once.
    expect((await api('POST', '/containers/done/attach?stream=0&stdout=1')).body).toBe('');

    // A long log comes through whole and in order (replayed at the reader's pace).
    expect((await env.d(['run', '--name', 'long', env.image, 'sh', '-c', 'i=0; while [ $i -lt 20000 ]; do echo line-$i; i=$((i+1)); done'])).code).toBe(0);
    const long = await hijack(env.berthd.socket, '/v1.48/containers/long/attach?logs=1&stream=0&stdout=1');
    expect(await closedWithin(long, 20_000)).toBe(true);
    const lines = demux(long.data()).map(([, t]) => t);
    expect(lines.length).toBe(20000);
    expect(lines[0]).toBe('line-0\n');
    expect(lines[19999]).toBe('line-19999\n');
    await env.d(['rm', 'long']);

    expect((await env.d(['run', '-d', '--name', 'follow', env.image, 'sh', '-c', 'echo early; sleep 1; echo late'])).code).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    const f = await hijack(env.berthd.socket, '/v1.48/containers/follow/attach?logs=1&stream=1&stdout=1&stderr=1');
    await f.closed;
    expect(demux(f.data())).toEqual([[1, 'early\n'], [1, 'late\n']]);
    await env.d(['rm', '-f', 'done', 'follow']);
  });

  it('a killed monitor is reported as a killed container (137) and leaves no process behind', async () => {
    expect((await env.d(['run', '-d', '--name', 'mon', env.image, 'sleep', '300'])).code).toBe(0);
    const id = (await env.d(['inspect', '-f', '{{.Id}}', 'mon'])).stdout.trim();
    const monitorPid = Number((await readFile(join(env.berthd.dataRoot, 'containers', id, 'runtime', 'pids'), 'utf8')).split(' ')[0]);
    expect(monitorPid).toBeGreaterThan(0);
    process.kill(monitorPid, 'SIGKILL');
    const wait = await env.d(['wait', 'mon']);
    expect(wait.stdout.trim()).toBe('137');
    expect(await state('mon')).toMatchObject({ Running: false, ExitCode: 137, Status: 'exited' });
    expect(await until(async () => (await hostProcessesOf(id)).length === 0)).toBe(true);
    await env.d(['rm', 'mon']);
  });
});
