/**
 * The app's main-process side (connections, engine-client, services) against a real berthd on a
 * unix socket: host status, pull with per-layer progress from a loopback registry, run with a TTY,
 * a terminal round trip (echo, resize, stop/start reconnect), logs, processes, mirrors, and the
 * daemon-down path (Unavailable with a clear message, then recovery without restarting the app).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TransferProgressView } from '../../src-shared/ipc/models/images';
import type { LogLineView } from '../../src-shared/ipc/models/containers';
import { IS_ROOT, startBerthd, type BerthdHandle } from '../harness/berthd';
import { busyboxImage, pushImage, shellFormImage } from '../harness/fixtures';
import { deadPort, startRegistry, type RegistryHandle } from '../harness/registry';
import type { AppServices } from '../../src-main/services/app-services';
import { openTerminal, startServices, waitFor, waitForStatus } from './app-env';

describe.skipIf(!IS_ROOT)('app services against berthd (unix socket)', () => {
  let registry: RegistryHandle;
  let berthd: BerthdHandle;
  let services: AppServices;
  let cleanupServices: () => Promise<void>;
  let image: string;
  let containerId: string;

  beforeAll(async () => {
    registry = await startRegistry();
    await pushImage(registry.url, 'busybox', 'latest', await busyboxImage());
    await pushImage(registry.url, 'shellform', 'latest', await shellFormImage());
    berthd = await startBerthd();
    image = `${registry.host}/busybox:latest`;
    const s = await startServices({ localSocket: berthd.socket });
    services = s.services;
    cleanupServices = s.cleanup;
  }, 120_000);

  afterAll(async () => {
    if (services) {
      const list = await services.containers.list('local').catch(() => []);
      for (const c of list) await services.containers.remove('local', c.id, true).catch(() => {});
    }
    await cleanupServices?.();
    await berthd?.cleanup();
    await registry?.stop();
  });

  it('connects to the local host and identifies berthd', async () => {
    const s = await waitForStatus(services, 'local', (x) => x.state === 'connected');
    expect(s.engine?.isBerth).toBe(true);
    expect(s.engine?.apiVersion).toMatch(/^1\.\d+$/);
    const info = await services.system.info('local');
    expect(info.isBerth).toBe(true);
  });

  it('pulls from the test registry with per-layer progress', async () => {
    const snapshots: TransferProgressView[] = [];
    const final = await services.images.pull('local', image, undefined, (p) => snapshots.push(p), new AbortController().signal);
    expect(final.state).toBe('done');
    expect(final.layers.length).toBeGreaterThan(0);
    expect(final.layers.every((l) => l.phase === 'done' || l.phase === 'exists')).toBe(true);
    expect(final.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(snapshots.at(-1)?.state).toBe('done');
    const list = await services.images.list('local');
    const row = list.find((i) => i.repoTags.includes(image));
    expect(row?.shortId).toHaveLength(12);
    const detail = await services.images.inspect('local', image);
    expect(detail.layers.length).toBeGreaterThan(0);
    expect(detail.pid1Warning).toBeNull();
    const history = await services.images.history('local', image);
    expect(history.length).toBeGreaterThan(0);
    const layers = await services.images.layers('local', image);
    expect(layers.layers.length).toBe(detail.layers.length);
  }, 120_000);

  it('a missing image fails the pull with NotFound', async () => {
    const p = services.images.pull('local', `${registry.host}/nope:latest`, undefined, () => {}, new AbortController().signal);
    await expect(p).rejects.toMatchObject({ kind: 'NotFound' });
  }, 60_000);

  it('flags a shell-form image', async () => {
    const ref = `${registry.host}/shellform:latest`;
    await services.images.pull('local', ref, undefined, () => {}, new AbortController().signal);
    const detail = await services.images.inspect('local', ref);
    expect(detail.pid1Warning?.reason).toMatch(/SIGTERM/);
    expect(detail.pid1Warning?.fix).toMatch(/--init/);
  }, 60_000);

  it('runs a container with a tty and lists it', async () => {
    const r = await services.containers.run('local', { image, name: 'app-tty', tty: true, cmd: ['/bin/sh'] });
    containerId = r.id;
    expect(r.started).toBe(true);
    const list = await services.containers.list('local');
    const row = list.find((c) => c.id === containerId);
    expect(row?.name).toBe('app-tty');
    expect(row?.state).toBe('running');
    const detail = await services.containers.inspect('local', containerId);
    expect(detail.config.tty).toBe(true);
    expect(detail.overlay.upperDir).toBeTruthy();
  }, 60_000);

  it('opens a terminal: echo hi, resize changes stty size', async () => {
    const t = await openTerminal(services, { hostId: 'local', containerId, cols: 80, rows: 24 });
    try {
      await t.waitStatus('attached');
      expect(t.statuses()[0]).toBe('connecting');
      t.write('echo h""i\r');
      await t.waitOutput(/\bhi\r?\n/);
      t.resize(101, 33);
      // The resize request runs beside the keystrokes: ask until the TTY has it (a marker per answer).
      let size = '';
      for (let n = 1; size !== '33 101' && n <= 50; n++) {
        const answer = new RegExp(`size-${n}\\r?\\n(\\d+ \\d+)`);
        t.write(`echo size-$((${n}*1)); stty size\r`);
        size = answer.exec(await t.waitOutput(answer))?.[1] ?? '';
      }
      expect(size).toBe('33 101');
    } finally {
      t.close();
    }
  }, 60_000);

  it('the terminal says when the container stops and reconnects when it runs again, cycle after cycle', async () => {
    const t = await openTerminal(services, { hostId: 'local', containerId });
    try {
      await t.waitStatus('attached');
      for (const cycle of [1, 2]) {
        const from = t.statuses().length;
        // `/bin/sh` as PID 1 ignores SIGTERM: the stop ends with SIGKILL after the timeout.
        await services.containers.stop('local', containerId, 1);
        await t.waitStatusAfter(from, 'ended');
        await services.containers.start('local', containerId);
        await t.waitStatusAfter(from, 'reconnected');
        expect(t.statuses().slice(from)).toEqual(['ended', 'reconnecting', 'reconnected']);
        t.write(`echo ba""ck${cycle}\r`);
        await t.waitOutput(new RegExp(`\\bback${cycle}\\r?\\n`));
      }
      expect(t.ended()).toBeNull();
    } finally {
      t.close();
    }
  }, 60_000);

  it('exec terminal in a non-tty container; Ctrl-C reaches the process', async () => {
    const r = await services.containers.run('local', { image, name: 'app-exec', cmd: ['sleep', '300'] });
    const t = await openTerminal(services, { hostId: 'local', containerId: r.id });
    try {
      await t.waitStatus('attached');
      t.write('sleep 100; echo after-sl""eep\r');
      // Ctrl-C must find `sleep` running, not the shell still reading the line.
      await waitFor('sleep 100 running', async () => (await services.containers.processes('local', r.id)).processes.some((p) => p.command.includes('sleep 100')) || undefined);
      t.write('\u0003');
      t.write('echo interru""pted\r');
      await t.waitOutput(/interrupted\r?\n/, 10_000);
      const procs = await services.containers.processes('local', r.id);
      expect(procs.processes.length).toBeGreaterThan(0);
      expect(procs.processes.some((p) => p.hostPid > 0)).toBe(true);
    } finally {
      t.close();
    }
    await services.containers.remove('local', r.id, true);
  }, 60_000);

  it('streams logs with stdout and stderr told apart, following new lines', async () => {
    const r = await services.containers.run('local', {
      image,
      cmd: ['sh', '-c', 'echo out1; echo err1 >&2; sleep 1; echo out2; sleep 300'],
    });
    const lines: LogLineView[] = [];
    const abort = new AbortController();
    const done = services.logs.stream({ hostId: 'local', id: r.id, follow: true }, (b) => lines.push(...b.lines), abort.signal);
    await waitFor('out2 line', () => lines.some((l) => l.text === 'out2') || undefined, 15_000);
    expect(lines.find((l) => l.text === 'out1')?.stream).toBe('stdout');
    expect(lines.find((l) => l.text === 'err1')?.stream).toBe('stderr');
    abort.abort();
    await done;
    await services.containers.remove('local', r.id, true);
  }, 60_000);

  it('stop with timeout, remove, prune', async () => {
    await services.containers.stop('local', containerId, 1);
    const d = await services.containers.inspect('local', containerId);
    expect(d.state.running).toBe(false);
    await services.containers.remove('local', containerId);
    await expect(services.containers.inspect('local', containerId)).rejects.toMatchObject({ kind: 'NotFound', code: 'CONTAINER_NOT_FOUND' });
    const pruned = await services.containers.prune('local');
    expect(Array.isArray(pruned.deleted)).toBe(true);
  }, 60_000);

  it('mirrors: invalid config is refused with a message, valid applies', async () => {
    const before = await services.mirrors.get('local');
    expect(before.supported).toBe(true);
    const bad = await services.mirrors.validate('local', { registryMirrors: ['http://127.0.0.1:5000/path'] });
    expect(bad.valid).toBe(false);
    expect(bad.entryErrors[0]?.index).toBe(0);
    await expect(services.mirrors.apply('local', { raw: '{"registry-mirrors": [' })).rejects.toMatchObject({ kind: 'InvalidArgument' });
    const after = await services.mirrors.apply('local', { registryMirrors: [registry.url] });
    expect(after.registryMirrors).toEqual([registry.url]);
    const health = await services.mirrors.health('local');
    expect(health.mirrors[0]?.reachable).toBe(true);
  }, 60_000);

  it('pull of a Docker Hub image through mirrors: dead one skipped, live one shown as the source', async () => {
    await pushImage(registry.url, 'library/busybox', 'latest', await busyboxImage());
    const proxy = await startRegistry({ proxyRemoteUrl: registry.url });
    try {
      const dead = `http://127.0.0.1:${await deadPort()}`;
      const applied = await services.mirrors.apply('local', { registryMirrors: [dead, proxy.url] });
      expect(applied.registryMirrors).toEqual([dead, proxy.url]);
      const final = await services.images.pull('local', 'busybox:latest', undefined, () => {}, new AbortController().signal);
      expect(final.state).toBe('done');
      expect(final.mirror).toBe(proxy.url);
      expect(final.mirrorFailures.map((f) => f.mirror)).toEqual([dead]);
      const health = await services.mirrors.health('local');
      expect(health.mirrors.map((m) => [m.url, m.reachable])).toEqual([[dead, false], [proxy.url, true]]);
    } finally {
      await services.mirrors.apply('local', { registryMirrors: [] });
      await proxy.stop();
    }
  }, 120_000);

  it('daemon down: calls fail Unavailable with a clear message; status recovers when it is back', async () => {
    const events: string[] = [];
    const off = services.hosts.onStatus((s) => events.push(s.state));
    await berthd.kill();
    const err = await services.containers.list('local').catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'Unavailable', code: 'ENGINE_UNAVAILABLE' });
    expect((err as Error).message).toContain(`berthd is not running on unix://${berthd.socket}`);
    const down = await waitForStatus(services, 'local', (s) => s.state === 'reconnecting');
    expect(down.lastError?.code).toBe('ENGINE_UNAVAILABLE');
    berthd = await berthd.restart();
    await waitForStatus(services, 'local', (s) => s.state === 'connected', 30_000);
    off();
    expect(events).toContain('reconnecting');
    expect((await services.containers.list('local')).length).toBeGreaterThanOrEqual(0);
  }, 60_000);
});
