import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AttachStream, ContainerProcess, ExecSpec, OutputChunk } from '../../../helper/src/runtime/runtime';
import { ContainerStartError } from '../../../helper/src/runtime/runtime-errors';
import { locateNativeBinaries } from '../../../helper/src/runtime/shim/native-paths';
import { IS_ROOT, REPO_ROOT, TEST_CGROUP_PARENT, collect, makeSpec, makeTestBed, type TestBed } from './runtime-harness';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
let execCounter = 0;
const execSpec = (args: string[], over: Partial<ExecSpec['process']> = {}): ExecSpec => ({
  execId: `e${process.pid}x${++execCounter}`,
  process: { args, env: ['PATH=/bin'], uid: 0, gid: 0, tty: false, openStdin: false, ...over },
});

/** Resolves with everything read until `text` appears. */
function waitFor(s: AttachStream, text: string): Promise<string> {
  let acc = '';
  return new Promise((resolve) => {
    const on = (c: OutputChunk): void => {
      acc += c.data.toString();
      if (acc.includes(text)) {
        s.off('data', on);
        resolve(acc);
      }
    };
    s.on('data', on);
  });
}

describe.skipIf(!IS_ROOT)('runtime: exec and surviving a berthd restart', () => {
  let bed: TestBed;
  beforeAll(async () => {
    bed = await makeTestBed();
  });
  afterAll(async () => {
    await bed?.cleanup();
  });

  describe('exec', () => {
    let c: ContainerProcess;
    let hostname: string;
    let ref: ContainerProcess['ref'];
    beforeAll(async () => {
      const spec = await makeSpec(bed, ['sleep', '1000']);
      hostname = spec.hostname;
      ref = spec.ref;
      c = await bed.runtime.create(spec);
      await c.start();
    });
    afterAll(async () => {
      c?.close();
      if (ref) await bed.runtime.delete(ref);
    });

    it('runs in the container pid namespace, hostname, root and cgroup, with its exit code', async () => {
      const e = await c.exec(execSpec(['sh', '-c', 'hostname; ps -o pid,comm; cat /proc/self/cgroup | grep memory; exit 5']));
      const s = await e.attach({ stdin: false, stdout: true, stderr: true, closeStdinOnEnd: true });
      const out = collect(s);
      await e.start();
      const exit = await e.wait();
      const o = await out;
      expect(exit.exitCode).toBe(5);
      const lines = o.stdout.trim().split('\n');
      expect(lines[0]).toBe(hostname);
      expect(lines[2]!.trim().split(/\s+/)).toEqual(['1', 'sleep']);
      expect(o.stdout).toContain(`memory:/${TEST_CGROUP_PARENT}/${c.ref.id}`);
    });

    it('refuses a missing command with 127 and runc wording', async () => {
      const err = await c.exec(execSpec(['no-such-cmd'])).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ContainerStartError);
      expect((err as ContainerStartError).exitCode).toBe(127);
      expect((err as Error).message).toContain('exec: "no-such-cmd": executable file not found in $PATH');
    });

    it('gets its own pty in the container devpts, and stdin', async () => {
      const e = await c.exec(execSpec(['sh', '-c', 'tty; stty size; read line; echo "got $line"'], { tty: true, openStdin: true, consoleSize: { rows: 20, cols: 70 } }));
      const s = await e.attach({ stdin: true, stdout: true, stderr: true, closeStdinOnEnd: true });
      const seen = waitFor(s, '20 70');
      const out = collect(s);
      await e.start();
      await seen; // the pty echoes input: type only after the size line is out
      s.write('hello\n');
      const exit = await e.wait();
      const text = (await out).stdout.replace(/\r/g, '');
      expect(exit.exitCode).toBe(0);
      expect(text).toMatch(/^\/dev\/pts\/\d+\n20 70\n/);
      expect(text).toContain('hello\n'); // echoed by the tty
      expect(text).toContain('got hello');
    });

    it('runs as another user with no capabilities', async () => {
      const e = await c.exec(execSpec(['sh', '-c', 'id -u; id -g; grep CapEff /proc/self/status'], { uid: 65534, gid: 65534 }));
      const s = await e.attach({ stdin: false, stdout: true, stderr: true, closeStdinOnEnd: true });
      const out = collect(s);
      await e.start();
      await e.wait();
      expect((await out).stdout).toBe('65534\n65534\nCapEff:\t0000000000000000\n');
    });
  });

  it('a restarted client recovers a running container and reattaches', async () => {
    const spec = await makeSpec(bed, ['sh', '-c', 'while true; do echo tick; sleep 0.1; done']);
    const c = await bed.runtime.create(spec);
    await c.start();
    c.close();
    const fresh = await bed.newRuntime();
    const found = await fresh.recover(spec.ref);
    expect(found.state).toBe('running');
    if (found.state !== 'running') return;
    expect(found.container.pid).toBe(c.pid);
    const s = await found.container.attach({ stdin: false, stdout: true, stderr: true, closeStdinOnEnd: false });
    await waitFor(s, 'tick');
    await found.container.kill(9);
    expect((await found.container.wait()).exitCode).toBe(137);
    found.container.close();
    expect(await fresh.recover(spec.ref)).toMatchObject({ state: 'exited', exit: { exitCode: 137 } });
    await fresh.delete(spec.ref);
    expect(await fresh.recover(spec.ref)).toEqual({ state: 'missing' });
  });

  it('a container outlives a kill -9 of the process that started it', async () => {
    const spec = await makeSpec(bed, ['sh', '-c', 'while true; do echo tick; sleep 0.1; done']);
    const bins = locateNativeBinaries(join(REPO_ROOT, 'helper/src/runtime/shim'));
    // One node process (tsx as a loader, not its CLI wrapper) so the SIGKILL hits the real "berthd".
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'spawn-container.ts'), bins.shim, bins.init, TEST_CGROUP_PARENT, JSON.stringify(spec)], {
      stdio: ['ignore', 'pipe', 'inherit'],
      cwd: REPO_ROOT,
    });
    const pid = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /started (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', (code) => reject(new Error(`spawner exited ${code}`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    await sleep(300);
    expect(existsSync(`/proc/${pid}`)).toBe(true);
    const found = await bed.runtime.recover(spec.ref);
    expect(found.state).toBe('running');
    if (found.state !== 'running') return;
    expect(found.container.pid).toBe(pid);
    const s = await found.container.attach({ stdin: false, stdout: true, stderr: true, closeStdinOnEnd: false });
    await waitFor(s, 'tick');
    const e = await found.container.exec(execSpec(['sh', '-c', 'exit 7']));
    await e.start();
    expect((await e.wait()).exitCode).toBe(7);
    found.container.close();
    await bed.runtime.delete(spec.ref);
    expect(existsSync(`/proc/${pid}`)).toBe(false);
  });
});
