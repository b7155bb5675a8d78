import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContainerStartError } from '../../../helper/src/runtime/runtime-errors';
import { IS_ROOT, TEST_CGROUP_PARENT, collect, makeSpec, makeTestBed, mountsMentioning, runToExit, type TestBed } from './runtime-harness';

describe.skipIf(!IS_ROOT)('runtime: containers on the native shim', () => {
  let bed: TestBed;
  beforeAll(async () => {
    bed = await makeTestBed();
  });
  afterAll(async () => {
    await bed?.cleanup();
  });

  it('runs echo hi and keeps stdout and stderr apart in the stream and the json-file log', async () => {
    const spec = await makeSpec(bed, ['sh', '-c', 'echo hi; echo oops >&2']);
    const r = await runToExit(bed, spec);
    expect(r.exit.exitCode).toBe(0);
    expect(r.stdout).toBe('hi\n');
    expect(r.stderr).toBe('oops\n');
    const lines = (await readFile(spec.logPath, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { log: string; stream: string; time: string });
    expect(lines.map((l) => [l.stream, l.log])).toEqual([
      ['stdout', 'hi\n'],
      ['stderr', 'oops\n'],
    ]);
    expect(lines[0]!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
  });

  it('reports exit codes and death by signal', async () => {
    expect((await runToExit(bed, await makeSpec(bed, ['sh', '-c', 'exit 3']))).exit.exitCode).toBe(3);
    const killed = await runToExit(bed, await makeSpec(bed, ['sh', '-c', 'kill -9 $$']));
    // PID 1 cannot SIGKILL itself from inside; the shell exits normally or by signal. Either way the record is consistent.
    expect(killed.exit.exitCode === 137 || killed.exit.exitCode === 0).toBe(true);
  });

  it('maps a missing command to 127 and a non-executable one to 126, with runc wording', async () => {
    const missing = await bed.runtime.create(await makeSpec(bed, ['nope-not-here'])).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ContainerStartError);
    expect((missing as ContainerStartError).exitCode).toBe(127);
    expect((missing as Error).message).toContain('exec: "nope-not-here": executable file not found in $PATH');
    const denied = await bed.runtime.create(await makeSpec(bed, ['/etc/passwd'])).catch((e: unknown) => e);
    expect((denied as ContainerStartError).exitCode).toBe(126);
    expect((denied as Error).message).toContain('permission denied');
  });

  it('makes the command PID 1 and shows only the container processes', async () => {
    const r = await runToExit(bed, await makeSpec(bed, ['ps', '-o', 'pid,comm']));
    const rows = r.stdout.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));
    expect(rows).toEqual([['1', 'ps']]);
  });

  it('has its own hostname, only lo (up) with network none, and the etc files bound', async () => {
    const spec = await makeSpec(bed, ['sh', '-c', 'hostname; ls /sys/class/net; cat /sys/class/net/lo/operstate /etc/hostname; cat /proc/1/status | grep -E "^Cap(Inh|Bnd)"']);
    const r = await runToExit(bed, spec);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe(spec.hostname);
    expect(lines[1]).toBe('lo');
    expect(lines[2]).toMatch(/unknown|up/);
    expect(lines[3]).toBe(spec.hostname);
    expect(lines[4]).toBe('CapInh:\t0000000000000000');
    expect(lines[5]).toBe('CapBnd:\t00000000a80425fb');
  });

  it('masks /proc/timer_list and /proc/acpi and makes /proc/sys and /sys read-only', async () => {
    const r = await runToExit(
      bed,
      await makeSpec(bed, ['sh', '-c', 'wc -c < /proc/timer_list; ls /proc/acpi | wc -l; touch /proc/acpi/x 2>/dev/null || echo acpi-ro; echo 1 > /proc/sys/kernel/ns_last_pid 2>/dev/null && echo rw || echo ro; touch /sys/x 2>/dev/null && echo rw || echo ro; ls -l /dev/null /dev/ptmx | cut -c1-10']),
    );
    expect(r.stdout.trim().split('\n')).toEqual(['0', '0', 'acpi-ro', 'ro', 'ro', 'crw-rw-rw-', 'lrwxrwxrwx']);
  });

  it('passes stdin with half-close (echo x | docker run -i … cat)', async () => {
    const r = await runToExit(bed, await makeSpec(bed, ['cat'], { proc: { openStdin: true } }), { stdin: 'x\ny\n' });
    expect(r.stdout).toBe('x\ny\n');
    expect(r.exit.exitCode).toBe(0);
  });

  it('gives a tty /dev/pts/0 with the console size, resizable, merged into stdout', async () => {
    const spec = await makeSpec(bed, ['sh', '-c', 'tty; stty size; read x; stty size; echo err >&2'], {
      proc: { tty: true, openStdin: true, consoleSize: { rows: 33, cols: 99 } },
    });
    const c = await bed.runtime.create(spec);
    const s = await c.attach({ stdin: true, stdout: true, stderr: true, closeStdinOnEnd: true });
    const out = collect(s);
    await c.start();
    await new Promise((r) => setTimeout(r, 300));
    await c.resize({ rows: 40, cols: 120 });
    s.write('go\n');
    const exit = await c.wait();
    const o = await out;
    expect(exit.exitCode).toBe(0);
    const text = o.stdout.replace(/\r/g, '');
    expect(text).toContain('/dev/pts/0\n33 99\n');
    expect(text).toContain('40 120\n');
    expect(text).toContain('err');
    expect(o.stderr).toBe('');
    c.close();
    await bed.runtime.delete(spec.ref);
  });

  it('bind-mounts host paths read-write and read-only', async () => {
    const spec = await makeSpec(bed, ['sh', '-c', 'echo w > /rw/f && cat /ro/f && (echo no > /ro/g 2>/dev/null && echo ro-writable || echo ro-ok)'], {
      binds: [
        { source: bed.base, destination: '/rw', readonly: false },
        { source: bed.base, destination: '/ro', readonly: true },
      ],
    });
    const r = await runToExit(bed, spec);
    expect(r.stdout).toBe('w\nro-ok\n');
    expect(await readFile(`${bed.base}/f`, 'utf8')).toBe('w\n');
  });

  it('writes into the overlay upper dir only, and leaves no mount, cgroup or process behind', async () => {
    const spec = await makeSpec(bed, ['sh', '-c', 'echo data > /made-here']);
    await runToExit(bed, spec);
    const upper = spec.rootfs.mount!.options.find((o) => o.startsWith('upperdir='))!.slice('upperdir='.length);
    expect(await readFile(`${upper}/made-here`, 'utf8')).toBe('data\n');
    expect(existsSync(`${bed.lower}/made-here`)).toBe(false);
    expect(await mountsMentioning(bed.base)).toEqual([]);
    expect(existsSync(`/sys/fs/cgroup/memory/${TEST_CGROUP_PARENT}/${spec.ref.id}`)).toBe(false);
    expect(existsSync(spec.ref.stateDir)).toBe(false);
  });

  it('rm -f of a running container kills it and cleans up', async () => {
    const spec = await makeSpec(bed, ['sh', '-c', 'sleep 1000 & sleep 1000; echo done']);
    const c = await bed.runtime.create(spec);
    await c.start();
    let procs = await c.processes();
    for (let i = 0; i < 50 && procs.length < 3; i++) {
      await new Promise((r) => setTimeout(r, 20));
      procs = await c.processes();
    }
    expect(procs.map((p) => [p.containerPid, p.args.join(' ')]).sort()).toEqual([
      [1, 'sh -c sleep 1000 & sleep 1000; echo done'],
      [expect.any(Number), 'sleep 1000'],
      [expect.any(Number), 'sleep 1000'],
    ]);
    const pids = procs.map((p) => p.hostPid);
    expect(pids).toContain(c.pid);
    c.close();
    await bed.runtime.delete(spec.ref);
    for (const p of pids) expect(existsSync(`/proc/${p}`)).toBe(false);
    expect(existsSync(`/sys/fs/cgroup/pids/${TEST_CGROUP_PARENT}/${spec.ref.id}`)).toBe(false);
    expect(await mountsMentioning(bed.base)).toEqual([]);
  });
});
