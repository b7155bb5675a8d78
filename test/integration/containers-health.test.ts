/**
 * Healthchecks as a docker user sees them: `--health-*` options and an image's HEALTHCHECK run as
 * execs in the container; State.Health (status, failing streak, last 5 results), `(healthy)` /
 * `(unhealthy)` / `(health: starting)` in `docker ps`, `--filter health=`, `health_status` events,
 * probe timeouts, `--no-healthcheck`, create-time validation, and probing again after berthd is
 * killed and restarted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineRequest, IS_ROOT } from '../harness/berthd';
import { startContainersEnv, type ContainersEnv } from './containers-env';

interface HealthDto {
  Status: string;
  FailingStreak: number;
  Log: { Start: string; End: string; ExitCode: number; Output: string }[];
}

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, ms: number): Promise<T> {
  const end = Date.now() + ms;
  let v = await probe();
  while (!ok(v) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 150));
    v = await probe();
  }
  return v;
}

describe.skipIf(!IS_ROOT)('healthchecks', () => {
  let env: ContainersEnv;
  const children: ChildProcess[] = [];
  const health = async (name: string): Promise<HealthDto | null> => JSON.parse((await env.d(['inspect', '-f', '{{json .State.Health}}', name])).stdout) as HealthDto | null;
  const psStatus = async (name: string): Promise<string> => (await env.d(['ps', '-a', '--filter', `name=^${name}$`, '--format', '{{.Status}}'])).stdout.trim();

  beforeAll(async () => {
    env = await startContainersEnv();
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    await env?.cleanup();
  });

  it('a failing check turns unhealthy after its retries: ps, inspect, filter and the event stream show it', async () => {
    const ev = spawn('docker', ['events', '--filter', 'type=container', '--format', '{{.Action}} {{.Actor.Attributes.name}}'], {
      env: { ...process.env, DOCKER_HOST: env.berthd.dockerHost, DOCKER_CONFIG: '/tmp/berth-test-docker-config' },
    });
    children.push(ev);
    let events = '';
    ev.stdout.on('data', (d: Buffer) => (events += d.toString()));
    await new Promise((r) => setTimeout(r, 300));

    const run = await env.d(['run', '-d', '--name', 'sick', '--health-cmd', 'echo probing; exit 1', '--health-interval', '200ms', '--health-retries', '2', env.image, 'sleep', '60']);
    expect(run.code, run.stderr).toBe(0);
    const h = await until(() => health('sick'), (v) => v?.Status === 'unhealthy', 10_000);
    expect(h?.Status).toBe('unhealthy');
    expect(h?.FailingStreak).toBeGreaterThanOrEqual(2);
    expect(h?.Log.at(-1)).toMatchObject({ ExitCode: 1, Output: 'probing\n' });
    expect(await psStatus('sick')).toMatch(/^Up .* \(unhealthy\)$/);

    // The log keeps the last 5 results only.
    const later = await until(() => health('sick'), (v) => (v?.FailingStreak ?? 0) >= 7, 10_000);
    expect(later?.Log.length).toBe(5);

    expect((await env.d(['ps', '--filter', 'health=unhealthy', '--format', '{{.Names}}'])).stdout.split('\n')).toContain('sick');
    expect((await env.d(['ps', '--filter', 'health=healthy', '--format', '{{.Names}}'])).stdout).not.toContain('sick');
    const bad = await env.d(['ps', '--filter', 'health=bogus']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('Unrecognised filter value for health: bogus');

    // Probes are execs, as dockerd's are.
    expect(events).toMatch(/^exec_create: \/bin\/sh -c echo probing; exit 1 sick$/m);
    expect(events).toMatch(/^health_status: unhealthy sick$/m);
    ev.kill('SIGTERM');

    // Stopped: the last health is kept, and no more probes run.
    expect((await env.d(['stop', '-t', '0', 'sick'])).code).toBe(0);
    const stopped = await health('sick');
    await new Promise((r) => setTimeout(r, 600));
    expect((await health('sick'))?.Log.at(-1)?.End).toBe(stopped?.Log.at(-1)?.End);
    expect(await psStatus('sick')).toMatch(/^Exited \(137\)/);
    await env.d(['rm', '-f', 'sick']);
  });

  it('a passing check turns healthy, shows in ps and filters; a timed-out probe counts as a failure with -1', async () => {
    expect((await env.d(['run', '-d', '--name', 'fine', '--health-cmd', 'cat /etc/hostname', '--health-interval', '200ms', env.image, 'sleep', '60'])).code).toBe(0);
    const h = await until(() => health('fine'), (v) => v?.Status === 'healthy', 10_000);
    expect(h).toMatchObject({ Status: 'healthy', FailingStreak: 0 });
    expect(h?.Log[0]?.ExitCode).toBe(0);
    expect(h?.Log[0]?.Output).toMatch(/^[0-9a-f]{12}\n$/);
    expect(Date.parse(h?.Log[0]?.End ?? '')).toBeGreaterThanOrEqual(Date.parse(h?.Log[0]?.Start ?? ''));
    expect(await psStatus('fine')).toMatch(/^Up .* \(healthy\)$/);
    expect((await env.d(['ps', '--filter', 'health=healthy', '--format', '{{.Names}}'])).stdout.trim()).toBe('fine');

    expect((await env.d(['run', '-d', '--name', 'slow', '--health-cmd', 'sleep 5', '--health-timeout', '300ms', '--health-interval', '200ms', '--health-retries', '1', env.image, 'sleep', '60'])).code).toBe(0);
    const s = await until(() => health('slow'), (v) => v?.Status === 'unhealthy', 10_000);
    expect(s?.Status).toBe('unhealthy');
    expect(s?.Log[0]).toMatchObject({ ExitCode: -1, Output: 'Health check exceeded timeout (300ms)' });
    // The probe was killed at its timeout (its result came well before the 5 s sleep ended).
    const took = Date.parse(s?.Log[0]?.End ?? '') - Date.parse(s?.Log[0]?.Start ?? '');
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(2500);

    // Before its first probe (one interval after the start) a container is starting.
    expect((await env.d(['run', '-d', '--name', 'young', '--health-cmd', 'true', '--health-interval', '30s', env.image, 'sleep', '60'])).code).toBe(0);
    expect(await psStatus('young')).toMatch(/^Up .* \(health: starting\)$/);
    expect(await health('young')).toEqual({ Status: 'starting', FailingStreak: 0, Log: [] });
    expect((await env.d(['ps', '--filter', 'health=starting', '--format', '{{.Names}}'])).stdout.trim()).toBe('young');
    await env.d(['rm', '-f', 'young']);

    // No healthcheck: no Health, no suffix, and `health=none` matches.
    expect((await env.d(['run', '-d', '--name', 'plain', env.image, 'sleep', '60'])).code).toBe(0);
    expect(await health('plain')).toBeNull();
    expect((await env.d(['ps', '--filter', 'health=none', '--format', '{{.Names}}'])).stdout.trim()).toBe('plain');
    await env.d(['rm', '-f', 'fine', 'slow', 'plain']);
  });

  it("an image's HEALTHCHECK runs unless --no-healthcheck; the request's fields override the image's", async () => {
    const built = await env.d(['build', '-t', 'hc-image', '-'], { input: `FROM ${env.image}\nHEALTHCHECK --interval=200ms --retries=1 CMD exit 1\n`, timeoutMs: 120_000 });
    expect(built.code, built.stderr).toBe(0);
    expect((await env.d(['run', '-d', '--name', 'from-image', 'hc-image', 'sleep', '60'])).code).toBe(0);
    expect(JSON.parse((await env.d(['inspect', '-f', '{{json .Config.Healthcheck}}', 'from-image'])).stdout)).toEqual({ Test: ['CMD-SHELL', 'exit 1'], Interval: 200_000_000, Retries: 1 });
    expect((await until(() => health('from-image'), (v) => v?.Status === 'unhealthy', 10_000))?.Status).toBe('unhealthy');

    expect((await env.d(['run', '-d', '--name', 'override', '--health-cmd', 'true', 'hc-image', 'sleep', '60'])).code).toBe(0);
    expect(JSON.parse((await env.d(['inspect', '-f', '{{json .Config.Healthcheck}}', 'override'])).stdout)).toEqual({ Test: ['CMD-SHELL', 'true'], Interval: 200_000_000, Retries: 1 });
    expect((await until(() => health('override'), (v) => v?.Status === 'healthy', 10_000))?.Status).toBe('healthy');
    // commit keeps the healthcheck in force, as dockerd's.
    expect((await env.d(['commit', 'override', 'hc-committed'])).code).toBe(0);
    expect(JSON.parse((await env.d(['image', 'inspect', '-f', '{{json .Config.Healthcheck}}', 'hc-committed'])).stdout)).toEqual({ Test: ['CMD-SHELL', 'true'], Interval: 200_000_000, Retries: 1 });

    expect((await env.d(['run', '-d', '--name', 'nohc', '--no-healthcheck', 'hc-image', 'sleep', '60'])).code).toBe(0);
    await new Promise((r) => setTimeout(r, 500));
    expect(await health('nohc')).toBeNull();
    expect(await psStatus('nohc')).toMatch(/^Up [^(]*$/);
    await env.d(['rm', '-f', 'from-image', 'override', 'nohc']);
  });

  it('failures inside the start period do not count; probes run at the start interval there', async () => {
    // moby: the start interval applies while more than one interval of the start period is left.
    const run = await env.d(['run', '-d', '--name', 'warm', '--health-cmd', 'exit 1', '--health-start-period', '2s', '--health-start-interval', '100ms', '--health-interval', '1s', '--health-retries', '1', env.image, 'sleep', '60']);
    expect(run.code, run.stderr).toBe(0);
    await new Promise((r) => setTimeout(r, 800));
    const early = await health('warm');
    // Several probes at the 100 ms start interval (not the 1 s interval), none counted.
    expect(early?.Status).toBe('starting');
    expect(early?.FailingStreak).toBe(0);
    expect(early?.Log.length).toBeGreaterThanOrEqual(3);
    // The first probe after the start period counts (one runs right when it ends).
    const h = await until(() => health('warm'), (v) => v?.Status === 'unhealthy', 5000);
    expect(h).toMatchObject({ Status: 'unhealthy', FailingStreak: 1 });
    await env.d(['rm', '-f', 'warm']);
  });

  it('refuses invalid healthcheck timings at create, creating nothing', async () => {
    const res = await engineRequest(env.berthd.socket, 'POST', '/containers/create?name=badhc', JSON.stringify({ Image: env.image, Healthcheck: { Test: ['CMD', 'true'], Interval: 500 } }));
    expect(res.status).toBe(400);
    expect(res.body).toContain('Interval in Healthcheck cannot be less than 1ms');
    const neg = await engineRequest(env.berthd.socket, 'POST', '/containers/create?name=badhc', JSON.stringify({ Image: env.image, Healthcheck: { Test: ['CMD', 'true'], Retries: -1 } }));
    expect(neg.status).toBe(400);
    expect(neg.body).toContain('Retries in Healthcheck cannot be negative');
    expect((await env.d(['ps', '-aq', '--filter', 'name=badhc'])).stdout).toBe('');
  });

  it('probing carries on after berthd is killed and started again', async () => {
    expect((await env.d(['run', '-d', '--name', 'survivor', '--health-cmd', 'test -f /tmp/ok', '--health-interval', '200ms', '--health-retries', '1', env.image, 'sleep', '120'])).code).toBe(0);
    expect((await until(() => health('survivor'), (v) => v?.Status === 'unhealthy', 10_000))?.Status).toBe('unhealthy');
    await env.berthd.kill();
    env.berthd = await env.berthd.restart();
    expect((await env.d(['exec', 'survivor', 'touch', '/tmp/ok'])).code).toBe(0);
    const h = await until(() => health('survivor'), (v) => v?.Status === 'healthy', 10_000);
    expect(h?.Status).toBe('healthy');
    expect(await psStatus('survivor')).toMatch(/\(healthy\)$/);
    await env.d(['rm', '-f', 'survivor']);
  });
});
