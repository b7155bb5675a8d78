/**
 * "Run a compose file" in main (#15): ComposeService drives the real docker-compose 1.29 on this
 * machine against a real berthd (no bridge: `network_mode: none` services). Per-service progress
 * from the client's own output (build, pull, create, started), a failing service named with the
 * engine's message, a bad file refused before anything is created, cancel interrupts the client,
 * and a desktop without a compose client gets an error naming what to install.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComposeUpProgressView } from '../../src-shared/ipc/models/compose';
import type { AppServices } from '../../src-main/services/app-services';
import { ComposeService } from '../../src-main/services/compose-service';
import type { SpawnFn } from '../../src-main/services/compose-client';
import { IS_ROOT, startBerthd, type BerthdHandle } from '../harness/berthd';
import { busyboxImage, pushImage } from '../harness/fixtures';
import { startRegistry, type RegistryHandle } from '../harness/registry';
import { startServices, waitForStatus } from './app-env';

const hasCompose = await new Promise<boolean>((res) => {
  const c = spawn('docker-compose', ['version', '--short'], { stdio: 'ignore' });
  c.on('error', () => res(false));
  c.on('close', (code) => res(code === 0));
});

describe.skipIf(!IS_ROOT || !hasCompose)('ComposeService with docker-compose against berthd', () => {
  let registry: RegistryHandle;
  let berthd: BerthdHandle;
  let services: AppServices;
  let cleanupServices: () => Promise<void>;
  let image: string;
  let dir: string;

  const up = async (file: string, project: string, signal = new AbortController().signal): Promise<{ events: ComposeUpProgressView[]; result?: ComposeUpProgressView; error?: unknown }> => {
    const events: ComposeUpProgressView[] = [];
    try {
      const result = await services.compose.up({ hostId: 'local', file, project }, (e) => events.push(e), signal);
      return { events, result };
    } catch (error) {
      return { events, error };
    }
  };
  const statesOf = (events: ComposeUpProgressView[], service: string): string[] =>
    events.map((e) => e.services.find((s) => s.service === service)?.state ?? '').filter((s, i, all) => s !== '' && s !== all[i - 1]);

  beforeAll(async () => {
    registry = await startRegistry();
    await pushImage(registry.url, 'busybox', 'latest', await busyboxImage());
    // A second name for db, so it is pulled by `up` rather than found from web's build.
    await pushImage(registry.url, 'busybox', 'db', await busyboxImage());
    berthd = await startBerthd();
    image = `${registry.host}/busybox:latest`;
    const s = await startServices({ localSocket: berthd.socket });
    services = s.services;
    cleanupServices = s.cleanup;
    await waitForStatus(services, 'local', (x) => x.state === 'connected');
    dir = await mkdtemp(join(tmpdir(), 'berth-compose-run-'));
  }, 120_000);

  afterAll(async () => {
    await cleanupServices?.();
    await berthd?.cleanup();
    await registry?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('brings a stack up with per-service progress: web built, db pulled, both started', async () => {
    const app = join(dir, 'shop');
    await mkdir(join(app, 'web'), { recursive: true });
    await writeFile(join(app, 'web/Dockerfile'), `FROM ${image}\nRUN echo built > /built\n`);
    await writeFile(
      join(app, 'compose.yaml'),
      `services:\n  web:\n    build: ./web\n    network_mode: none\n    command: ["sleep", "3600"]\n  db:\n    image: ${registry.host}/busybox:db\n    network_mode: none\n    command: ["sleep", "3600"]\n`,
    );
    const { events, result, error } = await up(join(app, 'compose.yaml'), 'shop');
    expect(error).toBeUndefined();
    expect(events[0]?.client).toMatch(/^docker-compose 1\.\d+\.\d+$/);
    expect(events[0]?.services).toEqual([
      { service: 'web', state: 'waiting' },
      { service: 'db', state: 'waiting' },
    ]);
    expect(statesOf(events, 'web')).toEqual(['waiting', 'building', 'creating', 'started']);
    expect(statesOf(events, 'db')).toEqual(['waiting', 'pulling', 'creating', 'started']);
    expect(result?.done?.project).toBe('shop');
    expect(result?.services).toEqual([
      { service: 'web', state: 'started', container: 'shop_web_1' },
      { service: 'db', state: 'started', container: 'shop_db_1' },
    ]);
    const output = events.flatMap((e) => e.lines).join('\n');
    expect(output).toContain('Step 2/2 : RUN echo built > /built');
    // What the engine has: both running, labelled as the stack the containers list groups.
    const list = await services.containers.list('local');
    const members = list.filter((c) => c.labels['com.docker.compose.project'] === 'shop');
    expect(members.map((c) => [c.labels['com.docker.compose.service'], c.state]).sort()).toEqual([
      ['db', 'running'],
      ['web', 'running'],
    ]);
  });

  it('a changed file recreates the changed service (docker-compose reads the image\'s ContainerConfig to do it)', async () => {
    const app = join(dir, 'shop');
    await writeFile(
      join(app, 'compose.yaml'),
      `services:\n  web:\n    build: ./web\n    network_mode: none\n    command: ["sleep", "3600"]\n  db:\n    image: ${registry.host}/busybox:db\n    network_mode: none\n    command: ["sleep", "3601"]\n`,
    );
    const { events, result, error } = await up(join(app, 'compose.yaml'), 'shop');
    expect(error, events.flatMap((e) => e.lines).join('\n')).toBeUndefined();
    expect(result?.services.find((x) => x.service === 'db')?.state).toBe('started');
    expect(events.flatMap((e) => e.lines).join('\n')).toMatch(/Recreating shop_db_1/);
    const db = (await services.containers.list('local')).find((c) => c.labels['com.docker.compose.project'] === 'shop' && c.labels['com.docker.compose.service'] === 'db');
    expect(db?.state).toBe('running');
    expect((await services.containers.inspect('local', db!.id)).config.cmd).toEqual(['sleep', '3601']);
  });

  it('a service that cannot start fails with the engine message; the other still starts', async () => {
    const file = join(dir, 'broken.yaml');
    await writeFile(file, `services:\n  ok:\n    image: ${image}\n    network_mode: none\n    command: ["sleep", "3600"]\n  bad:\n    image: ${image}\n    network_mode: none\n    command: ["/nonexistent"]\n`);
    const { events, error } = await up(file, 'broken');
    expect(error).toMatchObject({ kind: 'InvalidArgument', code: 'COMPOSE_UP_FAILED' });
    expect((error as Error).message).toMatch(/^bad: .*nonexistent/);
    const last = events.at(-1)?.services ?? [];
    expect(last.find((s) => s.service === 'ok')?.state).toBe('started');
    expect(last.find((s) => s.service === 'bad')).toMatchObject({ state: 'error', message: expect.stringMatching(/nonexistent/) });
  });

  it('refuses a file that does not parse before creating anything, and a path that is not there', async () => {
    const file = join(dir, 'syntax.yaml');
    await writeFile(file, 'services:\n  x: [\n');
    const { events, error } = await up(file, 'syntax');
    expect(error).toMatchObject({ kind: 'InvalidArgument', code: 'COMPOSE_FILE_INVALID' });
    expect((error as Error).message).toContain(file);
    expect(events).toEqual([]);
    expect((await up(join(dir, 'missing.yaml'), 'missing')).error).toMatchObject({ kind: 'NotFound', code: 'COMPOSE_FILE_NOT_FOUND' });
  });

  it('closing the stream interrupts the client mid-build', async () => {
    const app = join(dir, 'slow');
    await mkdir(app, { recursive: true });
    await writeFile(join(app, 'Dockerfile'), `FROM ${image}\nRUN sleep 60\n`);
    await writeFile(join(app, 'compose.yaml'), `services:\n  slow:\n    build: .\n    network_mode: none\n`);
    const abort = new AbortController();
    const events: ComposeUpProgressView[] = [];
    const t0 = Date.now();
    const p = services.compose.up({ hostId: 'local', file: join(app, 'compose.yaml'), project: 'slow' }, (e) => {
      events.push(e);
      if (e.lines.some((l) => l.includes('RUN sleep 60'))) abort.abort();
    }, abort.signal);
    await expect(p).rejects.toMatchObject({ code: 'COMPOSE_CANCELLED' });
    expect(abort.signal.aborted).toBe(true);
    expect(Date.now() - t0).toBeLessThan(15_000);
    expect((await services.containers.list('local')).some((c) => c.labels['com.docker.compose.project'] === 'slow')).toBe(false);
  });

  it('without a compose client on the desktop, says what to install', async () => {
    // The real spawn, on a PATH where neither `docker` nor `docker-compose` exists.
    const noClients = ((cmd: string, args: string[], opts: object) => spawn(cmd, args, { ...opts, env: { PATH: dir } })) as unknown as SpawnFn;
    const bare = new ComposeService({ spawn: noClients, localSocket: berthd.socket, hostState: () => 'connected', forwardSocket: () => Promise.reject(new Error('not used')) });
    const file = join(dir, 'broken.yaml');
    const err = await bare.up({ hostId: 'local', file, project: 'x' }, () => undefined, new AbortController().signal).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'NotImplemented', code: 'COMPOSE_CLIENT_MISSING' });
    expect((err as Error).message).toMatch(/docker compose.*apt install docker-compose/s);
  });
});
