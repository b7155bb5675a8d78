import { describe, expect, it } from 'vitest';
import { Duplex } from 'node:stream';
import { pino } from 'pino';
import type { AttachStream, ContainerProcess, ExecProcess, ExecSpec, ExitStatus, OutputChunk } from '../../runtime/runtime';
import { ContainerStartError } from '../../runtime/runtime-errors';
import type { ContainerRecord } from '../../store/containers/container-record';
import type { ContainerService } from '../containers/container-service';
import { EventsService } from '../events/events-service';
import { ExecService, type ExecCreateInput } from './exec-service';

/** An exec that prints its argv, then exits with the code in argv[1] a little after its output ends. */
class FakeExec implements ExecProcess {
  pid = 77;
  private out?: Duplex;
  private done!: (e: ExitStatus) => void;
  private readonly exited = new Promise<ExitStatus>((r) => (this.done = r));
  constructor(
    readonly execId: string,
    readonly spec: ExecSpec,
  ) {}
  async attach(): Promise<AttachStream> {
    this.out = Object.assign(new Duplex({ readableObjectMode: true, read() {}, write: (_c, _e, cb) => cb() }), { detach: () => undefined });
    return this.out as AttachStream;
  }
  async start(): Promise<void> {
    this.out?.push({ stream: 'stdout', data: Buffer.from(this.spec.process.args.join(' ')) } satisfies OutputChunk);
    this.out?.push(null);
    // The exit status arrives AFTER the output stream ended: the service must still wait for it.
    setTimeout(() => this.done({ exitCode: Number(this.spec.process.args[1] ?? 0), oomKilled: false, finishedAt: new Date() }), 30);
  }
  async resize(): Promise<void> {}
  async kill(): Promise<void> {}
  wait(): Promise<ExitStatus> {
    return this.exited;
  }
  close(): void {}
}

const record = { id: 'c'.repeat(64), name: 'ctr', config: { image: 'busybox', env: ['PATH=/bin'], hostname: 'h', workingDir: '/srv' }, hostConfig: { capAdd: [], capDrop: [], privileged: false }, user: { uid: 0, gid: 0, additionalGids: [], home: '/root' } } as unknown as ContainerRecord;

function setup(execImpl: (spec: ExecSpec) => Promise<ExecProcess>): { svc: ExecService; specs: ExecSpec[] } {
  const specs: ExecSpec[] = [];
  const proc = { pid: 1234, exec: (s: ExecSpec) => (specs.push(s), execImpl(s)) } as unknown as ContainerProcess;
  const containers = { runningProcess: () => ({ record, process: proc }), addExec: () => undefined, security: () => ({ noNewPrivileges: false }), removeExec: () => undefined } as unknown as ContainerService;
  return { svc: new ExecService(containers, new EventsService(), pino({ level: 'silent' })), specs };
}

const input = (cmd: string[], over: Partial<ExecCreateInput> = {}): ExecCreateInput => ({
  cmd, user: '', privileged: false, tty: false, attachStdin: false, attachStdout: true, attachStderr: true, detachKeys: '', env: [], workingDir: '', ...over,
});

describe('ExecService', () => {
  it('records the exit code before the attached stream ends', async () => {
    const { svc, specs } = setup(async (s) => new FakeExec(s.execId, s));
    const { id } = svc.create('ctr', input(['exit', '5'], { env: ['A=1'] }));
    expect(svc.inspect(id).exitCode).toBeNull();
    const stream = await svc.start(id, { detach: false });
    const chunks: string[] = [];
    stream?.on('data', (c: OutputChunk) => chunks.push(c.data.toString()));
    await new Promise<void>((r) => stream?.once('end', () => r()));
    // At the moment the stream ends, the code the CLI will read is already there.
    expect(svc.inspect(id)).toMatchObject({ exitCode: 5, running: false, pid: 77 });
    expect(chunks.join('')).toBe('exit 5');
    expect(specs[0]?.process).toMatchObject({ cwd: '/srv', env: expect.arrayContaining(['PATH=/bin', 'HOSTNAME=h', 'A=1', 'HOME=/root']) });
    await expect(svc.start(id, { detach: false })).rejects.toMatchObject({ kind: 'Conflict' });
  });

  it("a missing command gives 127 and runc's text on the stream", async () => {
    const { svc } = setup(async () => {
      throw new ContainerStartError('exec: "nope": executable file not found in $PATH');
    });
    const { id } = svc.create('ctr', input(['nope']));
    const stream = await svc.start(id, { detach: false });
    const chunks: string[] = [];
    stream?.on('data', (c: OutputChunk) => chunks.push(c.data.toString()));
    await new Promise<void>((r) => stream?.once('end', () => r()));
    expect(svc.inspect(id).exitCode).toBe(127);
    expect(chunks.join('')).toMatch(/^OCI runtime exec failed: exec failed: unable to start container process: exec: "nope": executable file not found in \$PATH: unknown\r\n$/);
  });

  it('refuses an empty command and unknown exec IDs', () => {
    const { svc } = setup(async (s) => new FakeExec(s.execId, s));
    expect(() => svc.create('ctr', input([]))).toThrow(/No exec command/);
    expect(() => svc.inspect('nope')).toThrow(/No such exec instance/);
  });
});
