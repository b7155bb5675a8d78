import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT, TEST_CGROUP_PARENT, collect, makeSpec, makeTestBed, runToExit, type TestBed } from './runtime-harness';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!IS_ROOT)('runtime: cgroup limits, stats, PID 1 signals and --init', () => {
  let bed: TestBed;
  beforeAll(async () => {
    bed = await makeTestBed();
  });
  afterAll(async () => {
    await bed?.cleanup();
  });

  it('OOM-kills a process over a 32m memory limit: exit 137 and oomKilled', async () => {
    const r = await runToExit(bed, await makeSpec(bed, ['tail', '/dev/zero'], { resources: { memory: 32 * 1024 * 1024 } }));
    expect(r.exit.exitCode).toBe(137);
    expect(r.exit.signal).toBe(9);
    expect(r.exit.oomKilled).toBe(true);
  });

  it('does not report OOM for a plain SIGKILL', async () => {
    const spec = await makeSpec(bed, ['sleep', '100'], { resources: { memory: 32 * 1024 * 1024 } });
    const c = await bed.runtime.create(spec);
    await c.start();
    await c.kill(9);
    const exit = await c.wait();
    expect(exit).toMatchObject({ exitCode: 137, oomKilled: false });
    c.close();
    await bed.runtime.delete(spec.ref);
  });

  it('stops a fork bomb at --pids-limit 8', async () => {
    // The bomb runs in a subshell that dies on the first failed fork; PID 1 then reports and stays.
    const spec = await makeSpec(bed, ['sh', '-c', '( i=0; while [ $i -lt 30 ]; do sleep 30 & i=$((i+1)); done ) 2>&1; echo after; sleep 30'], {
      resources: { pidsLimit: 8 },
    });
    const c = await bed.runtime.create(spec);
    const s = await c.attach({ stdin: false, stdout: true, stderr: true, closeStdinOnEnd: false });
    let text = '';
    const sawAfter = new Promise<void>((resolve) =>
      s.on('data', (chunk: { data: Buffer }) => {
        text += chunk.data.toString();
        if (text.includes('after')) resolve();
      }),
    );
    await c.start();
    await sawAfter;
    expect(text).toMatch(/can't fork|Resource temporarily unavailable/);
    const stats = await c.stats();
    expect(stats.pids.limit).toBe(8);
    expect(stats.pids.current).toBeLessThanOrEqual(8);
    expect((await c.processes()).length).toBe(stats.pids.current);
    c.close();
    await bed.runtime.delete(spec.ref);
  });

  it('writes cpu and memory limits the docker way and reports usage', async () => {
    const spec = await makeSpec(bed, ['sh', '-c', 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; sleep 30'], {
      resources: { memory: 64 * 1024 * 1024, nanoCpus: 500_000_000, cpuShares: 512 },
    });
    const c = await bed.runtime.create(spec);
    await c.start();
    const cg = (ctrl: string, f: string): Promise<string> =>
      readFile(`/sys/fs/cgroup/${ctrl}/${TEST_CGROUP_PARENT}/${spec.ref.id}/${f}`, 'utf8').then((t) => t.trim());
    expect(await cg('cpu', 'cpu.cfs_quota_us')).toBe('50000');
    expect(await cg('cpu', 'cpu.cfs_period_us')).toBe('100000');
    expect(await cg('cpu', 'cpu.shares')).toBe('512');
    expect(await cg('memory', 'memory.limit_in_bytes')).toBe(String(64 * 1024 * 1024));
    await sleep(300);
    const st = await c.stats();
    expect(st.memory.limit).toBe(64 * 1024 * 1024);
    expect(st.memory.usage).toBeGreaterThan(0);
    expect(st.cpu.totalNs).toBeGreaterThan(0);
    expect(st.systemCpuNs).toBeGreaterThan(0);
    expect(st.onlineCpus).toBeGreaterThan(0);
    expect(st.pids.current).toBe(1); // busybox sh execs its last command
    c.close();
    await bed.runtime.delete(spec.ref);
  });

  it('a PID 1 without a handler ignores SIGTERM; SIGKILL ends it with 137', async () => {
    const spec = await makeSpec(bed, ['sleep', '100']);
    const c = await bed.runtime.create(spec);
    await c.start();
    await c.kill(15);
    const early = await Promise.race([c.wait().then(() => 'exited'), sleep(1000).then(() => 'running')]);
    expect(early).toBe('running');
    await c.kill(9);
    expect((await c.wait()).exitCode).toBe(137);
    c.close();
    await bed.runtime.delete(spec.ref);
  });

  it('a TERM trap makes PID 1 exit at once with the trap status', async () => {
    const spec = await makeSpec(bed, ['sh', '-c', 'trap "exit 42" TERM; echo ready; while true; do sleep 0.1; done']);
    const c = await bed.runtime.create(spec);
    const s = await c.attach({ stdin: false, stdout: true, stderr: false, closeStdinOnEnd: false });
    await c.start();
    await new Promise<void>((resolve) => s.once('data', () => resolve()));
    const t0 = Date.now();
    await c.kill(15);
    expect((await c.wait()).exitCode).toBe(42);
    expect(Date.now() - t0).toBeLessThan(3000);
    c.close();
    await bed.runtime.delete(spec.ref);
  });

  it('--init forwards SIGTERM, reaps zombies and exits with the child status', async () => {
    const spec = await makeSpec(bed, ['sh', '-c', '(sleep 0.1 &) ; sleep 0.3; ps -o pid,stat,comm; exec sleep 100'], { init: true });
    const c = await bed.runtime.create(spec);
    const s = await c.attach({ stdin: false, stdout: true, stderr: true, closeStdinOnEnd: false });
    const out = collect(s);
    await c.start();
    await sleep(800);
    const t0 = Date.now();
    await c.kill(15);
    const exit = await c.wait();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(exit.exitCode).toBe(143);
    const o = await out;
    const rows = o.stdout.trim().split('\n').slice(1).map((l) => l.trim().split(/\s+/));
    expect(rows[0]).toEqual(['1', 'S', 'docker-init']);
    expect(rows.some((r) => r[1] === 'Z')).toBe(false);
    c.close();
    await bed.runtime.delete(spec.ref);
  });
});
