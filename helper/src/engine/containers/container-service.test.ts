import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import { pino } from 'pino';
import { ContainerStore } from '../../store/containers/container-store';
import { defaultHostConfig } from '../../store/containers/container-record';
import type {
  AttachOptions,
  AttachStream,
  ContainerProcess,
  ContainerRef,
  ContainerSpec,
  ExitStatus,
  RecoverResult,
  Runtime,
} from '../../runtime/runtime';
import { ContainerStartError } from '../../runtime/runtime-errors';
import { EventsService } from '../events/events-service';
import { ContainerService, type ContainerCreateInput } from './container-service';
import type { ContainerImageSource, ContainerLayerSource, RwLayer } from './container-ports';

/** A recording in-memory runtime: processes "run" until killed with a signal they do not ignore. */
class FakeAttach extends Duplex implements AttachStream {
  constructor() {
    super({ readableObjectMode: true });
  }
  stdin: Buffer[] = [];
  override _read(): void {}
  override _write(c: Buffer, _e: BufferEncoding, cb: () => void): void {
    this.stdin.push(c);
    cb();
  }
  detach(): void {
    this.push(null);
  }
}

class FakeProc implements ContainerProcess {
  status: 'created' | 'running' | 'exited' = 'created';
  pid = 4242;
  monitorPid = 4241;
  attaches: FakeAttach[] = [];
  signals: number[] = [];
  private done!: (e: ExitStatus) => void;
  private readonly exited = new Promise<ExitStatus>((r) => (this.done = r));
  constructor(
    readonly ref: ContainerRef,
    readonly spec: ContainerSpec,
    private readonly ignoreTerm: boolean,
  ) {}
  async attach(_o: AttachOptions): Promise<AttachStream> {
    const a = new FakeAttach();
    this.attaches.push(a);
    return a;
  }
  async start(): Promise<void> {
    this.status = 'running';
    const [cmd, ...rest] = this.spec.process.args;
    if (cmd === 'echo') {
      for (const a of this.attaches) a.push({ stream: 'stdout', data: Buffer.from(`${rest.join(' ')}\n`) });
      setTimeout(() => this.exit(0), 5);
    }
    if (cmd === 'exit') setTimeout(() => this.exit(Number(rest[0])), 5);
  }
  exit(code: number): void {
    if (this.status === 'exited') return;
    this.status = 'exited';
    for (const a of this.attaches) a.push(null);
    this.done({ exitCode: code, oomKilled: false, finishedAt: new Date() });
  }
  async resize(): Promise<void> {}
  async kill(signal: number): Promise<void> {
    this.signals.push(signal);
    if (signal === 9 || !this.ignoreTerm) setTimeout(() => this.exit(128 + signal), 5);
  }
  wait(): Promise<ExitStatus> {
    return this.exited;
  }
  async exec(): Promise<never> {
    throw new Error('not in this fake');
  }
  async processes(): Promise<never[]> {
    return [];
  }
  async stats(): Promise<never> {
    throw new Error('no stats');
  }
  close(): void {}
}

class FakeRuntime implements Runtime {
  procs: FakeProc[] = [];
  deleted: string[] = [];
  recoverResult: RecoverResult = { state: 'missing' };
  failWith?: Error;
  info() {
    return { cgroupVersion: 1 as const, cgroupDriver: 'cgroupfs' as const, memoryLimit: true, swapLimit: true, cpuCfsQuota: true, cpuCfsPeriod: true, cpuShares: true, pidsLimit: true, initPath: '/x' };
  }
  async create(spec: ContainerSpec): Promise<ContainerProcess> {
    if (this.failWith) throw this.failWith;
    const p = new FakeProc(spec.ref, spec, spec.process.args[0] === 'sleep');
    this.procs.push(p);
    return p;
  }
  async recover(): Promise<RecoverResult> {
    return this.recoverResult;
  }
  async delete(ref: ContainerRef): Promise<void> {
    this.deleted.push(ref.id);
  }
  async readExit(): Promise<undefined> {
    return undefined;
  }
  frozen: string[] = [];
  async freeze(ref: ContainerRef, frozen: boolean): Promise<void> {
    this.frozen.push(`${ref.id.slice(0, 4)}:${frozen}`);
  }
  updates: unknown[] = [];
  async updateResources(_ref: ContainerRef, r: unknown): Promise<void> {
    this.updates.push(r);
  }
}

describe('ContainerService', () => {
  let dir: string;
  let runtime: FakeRuntime;
  let events: EventsService;
  let svc: ContainerService;
  let store: ContainerStore;
  const removedLayers: string[] = [];

  const images: ContainerImageSource = {
    resolve: async (ref) => {
      if (ref !== 'busybox') throw Object.assign(new Error(`No such image: ${ref}:latest`), { kind: 'NotFound' });
      return { id: 'sha256:' + 'b'.repeat(64), topLayer: 'sha256:top', config: { cmd: ['sh'], entrypoint: null, env: ['PATH=/bin'], workingDir: '', user: '', labels: { from: 'image' } } };
    },
  };

  const makeService = (): ContainerService => {
    const layers: ContainerLayerSource = {
      createRw: async (id): Promise<RwLayer> => {
        const base = join(dir, 'overlay2', id);
        await mkdir(join(base, 'lower', 'etc'), { recursive: true });
        await writeFile(join(base, 'lower', 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\nwww:x:33:33::/var/www:/bin/sh\n');
        for (const d of ['diff', 'work', 'merged']) await mkdir(join(base, d), { recursive: true });
        return { mountId: `m-${id}`, lowerDirs: [join(base, 'lower')], upperDir: join(base, 'diff'), workDir: join(base, 'work'), mergedDir: join(base, 'merged'), mountOptions: ['index=off'] };
      },
      removeRw: async (id) => {
        removedLayers.push(id);
      },
      rwSize: async () => 0,
    };
    store = new ContainerStore(join(dir, 'containers'));
    return new ContainerService({ store, runtime, images, layers, events, log: pino({ level: 'silent' }) });
  };

  const input = (o: { Cmd?: string[]; User?: string; Env?: string[]; Labels?: Record<string, string>; AutoRemove?: boolean }, name?: string): ContainerCreateInput => ({
    name,
    config: {
      hostname: '', domainname: '', user: o.User ?? '', attachStdin: false, attachStdout: true, attachStderr: true, tty: false, openStdin: false, stdinOnce: false,
      env: o.Env ?? [], cmd: o.Cmd ?? null, entrypoint: null, image: 'busybox', workingDir: '', labels: o.Labels ?? {}, volumes: null, onBuild: null,
    },
    hostConfig: { ...defaultHostConfig(), networkMode: 'none', autoRemove: o.AutoRemove ?? false },
  });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-ctr-'));
    runtime = new FakeRuntime();
    events = new EventsService();
    svc = makeService();
    await svc.recover();
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('creates with merged command, default hostname, resolved user and a generated name', async () => {
    const { id } = await svc.create(input({ User: 'www', Env: ['A=1'] }));
    const v = await svc.inspect(id.slice(0, 10));
    expect(v.record.id).toMatch(/^[0-9a-f]{64}$/);
    expect(v.record.name).toMatch(/^[a-z]+_[a-z]+$/);
    expect(v.record.config.hostname).toBe(id.slice(0, 12));
    expect([v.record.path, ...v.record.args]).toEqual(['sh']);
    expect(v.record.config.env).toEqual(['A=1', 'PATH=/bin']);
    expect(v.record.user).toMatchObject({ uid: 33, gid: 33, home: '/var/www' });
    expect(v.record.state.status).toBe('created');
  });

  it('refuses a duplicate name with 409 and an unknown user with 400', async () => {
    await svc.create(input({}, 'web'));
    await expect(svc.create(input({}, 'web'))).rejects.toMatchObject({ kind: 'Conflict' });
    await expect(svc.create(input({ User: 'nobody' }, 'other'))).rejects.toMatchObject({ kind: 'InvalidArgument' });
    // The failed create released its name.
    await svc.create(input({}, 'other'));
  });

  it('delivers output to an attach made before start, then records the exit for waiters', async () => {
    const { id } = await svc.create(input({ Cmd: ['echo', 'hi'] }));
    const stream = await svc.attach(id, { stdin: false, stdout: true, stderr: true, closeStdinOnEnd: false });
    const out: string[] = [];
    stream.on('data', (c: { data: Buffer }) => out.push(c.data.toString()));
    const ended = new Promise((r) => stream.once('end', r));
    const waited = svc.wait(id, 'next-exit');
    await svc.start(id);
    expect((await waited).statusCode).toBe(0);
    await ended;
    expect(out.join('')).toBe('hi\n');
    const rec = (await svc.inspect(id)).record;
    expect(rec.state.status).toBe('exited');
    expect(runtime.deleted).toContain(id);
  });

  it('answers 304 to starting a running container and 304 to stopping a stopped one', async () => {
    const { id } = await svc.create(input({ Cmd: ['sleep', '100'] }));
    await svc.start(id);
    await expect(svc.start(id)).rejects.toMatchObject({ kind: 'NotModified' });
    await svc.kill(id, 'KILL');
    await expect(svc.stop(id, {})).rejects.toMatchObject({ kind: 'NotModified' });
    await expect(svc.kill(id)).rejects.toMatchObject({ kind: 'Conflict' });
  });

  it('stop sends the stop signal, then SIGKILL after the timeout (PID 1 without a handler)', async () => {
    const { id } = await svc.create(input({ Cmd: ['sleep', '100'] }));
    await svc.start(id);
    const seen: string[] = [];
    events.subscribe(new Map(), (e) => seen.push(e.action + (e.attributes.signal ? `:${e.attributes.signal}` : '')));
    const t0 = Date.now();
    await svc.stop(id, { timeoutSec: 1 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect(runtime.procs[0]?.signals).toEqual([15, 9]);
    expect((await svc.inspect(id)).record.state.exitCode).toBe(137);
    expect(seen).toEqual(['kill:15', 'kill:9', 'die', 'stop']);
  });

  it('a process that handles TERM stops at once with its code', async () => {
    const { id } = await svc.create(input({ Cmd: ['trap'] }));
    await svc.start(id);
    const t0 = Date.now();
    await svc.stop(id, { timeoutSec: 10 });
    expect(Date.now() - t0).toBeLessThan(1000);
    expect((await svc.inspect(id)).record.state.exitCode).toBe(143);
  });

  it('refuses to remove a running container without force; force kills and removes everything', async () => {
    const { id } = await svc.create(input({ Cmd: ['sleep', '100'] }));
    await svc.start(id);
    await expect(svc.remove(id, { force: false })).rejects.toMatchObject({ kind: 'Conflict', message: expect.stringContaining('container is running') });
    const removed = svc.wait(id, 'removed');
    await svc.remove(id, { force: true });
    expect((await removed).statusCode).toBe(137);
    expect(removedLayers).toContain(id);
    expect(() => svc.wait(id, 'removed')).toThrow(/No such container/);
  });

  it('auto-removes on exit and releases removed-waiters with the exit code', async () => {
    const { id } = await svc.create(input({ Cmd: ['exit', '3'], AutoRemove: true }));
    const removed = svc.wait(id, 'removed');
    await svc.start(id);
    expect((await removed).statusCode).toBe(3);
    expect(store.find(id)).toBeUndefined();
  });

  it('records a start failure with its exit code and keeps the container created', async () => {
    const { id } = await svc.create(input({ Cmd: ['nope'] }));
    runtime.failWith = new ContainerStartError('exec: "nope": executable file not found in $PATH');
    await expect(svc.start(id)).rejects.toBeInstanceOf(ContainerStartError);
    const rec = (await svc.inspect(id)).record;
    expect(rec.state).toMatchObject({ status: 'created', exitCode: 127 });
    expect(rec.state.error).toMatch(/executable file not found/);
  });

  it('lists running by default, all with all=1, and filters by status, name, label and exited code', async () => {
    const a = await svc.create(input({ Cmd: ['sleep', '1'], Labels: { team: 'a' } }, 'alpha'));
    const b = await svc.create(input({ Cmd: ['exit', '3'] }, 'beta'));
    await svc.start(a.id);
    const exited = svc.wait(b.id, 'next-exit');
    await svc.start(b.id);
    await exited;
    const names = async (o: Partial<Parameters<ContainerService['list']>[0]>): Promise<string[]> =>
      (await svc.list({ all: false, size: false, filters: new Map(), ...o })).map((v) => v.record.name);
    expect(await names({})).toEqual(['alpha']);
    expect((await names({ all: true })).sort()).toEqual(['alpha', 'beta']);
    expect(await names({ filters: new Map([['status', ['exited']]]) })).toEqual(['beta']);
    expect(await names({ all: true, filters: new Map([['name', ['alp']]]) })).toEqual(['alpha']);
    expect(await names({ all: true, filters: new Map([['label', ['team=a']]]) })).toEqual(['alpha']);
    expect(await names({ all: true, filters: new Map([['exited', ['3']]]) })).toEqual(['beta']);
    await svc.remove(a.id, { force: true });
  });

  it('after a restart, marks containers whose monitor finished as exited with the recorded status', async () => {
    const { id } = await svc.create(input({ Cmd: ['sleep', '100'] }));
    await svc.start(id);
    runtime.recoverResult = { state: 'exited', exit: { exitCode: 7, oomKilled: true, finishedAt: new Date() } };
    const svc2 = makeService();
    await svc2.recover();
    const rec = (await svc2.inspect(id)).record;
    expect(rec.state).toMatchObject({ status: 'exited', exitCode: 7, oomKilled: true });
    await svc.remove(id, { force: true });
  });

  it('after a restart, reattaches to live monitors', async () => {
    const { id } = await svc.create(input({ Cmd: ['sleep', '100'] }));
    await svc.start(id);
    const live = runtime.procs[0] as FakeProc;
    runtime.recoverResult = { state: 'running', container: live };
    const svc2 = makeService();
    await svc2.recover();
    expect(svc2.isRunning(id)).toBe(true);
    const waited = svc2.wait(id, 'not-running');
    await svc2.kill(id, 'KILL');
    expect((await waited).statusCode).toBe(137);
  });

  it('after a restart, clears runtime state left by a crash before start (no monitor outlives the record)', async () => {
    const { id } = await svc.create(input({ Cmd: ['sleep', '100'] }));
    await mkdir(join(dir, 'containers', id, 'runtime'), { recursive: true });
    const svc2 = makeService();
    await svc2.recover();
    expect(runtime.deleted).toContain(id);
    expect((await svc2.inspect(id)).record.state.status).toBe('created');
  });
});
