import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { conflict } from '../../lib/errors';
import type { AttachOptions, AttachStream, ConsoleSize, ExitStatus } from '../runtime';
import { ContainerStartError } from '../runtime-errors';
import { MonitorAttachStream } from './attach-stream';
import { MonitorConnection } from './monitor-connection';
import { ATTACH_FLAG, FRAME, encodeKill, encodeResize, parseExitRecord, type ExitRecord, type Frame } from './monitor-protocol';

export const EXIT_FILE = 'exit.json';

/**
 * A process under a berth-shim monitor (a container's init or an exec), seen through one control
 * connection. Shared by the container and exec handles.
 */
export class MonitoredProcess {
  private state: 'created' | 'running' | 'exited';
  /** Set by close(): our own hang-up is berthd letting go (shutdown), not the container exiting. */
  private released = false;
  private readonly exited: Promise<ExitStatus>;

  constructor(
    readonly stateDir: string,
    protected readonly control: MonitorConnection,
    /** OOM kills to report (the container's cgroup); undefined = use the monitor's count. */
    private readonly oomKills?: () => Promise<number>,
    /** Called once the exit status has been read (execs remove their state dir then). */
    private readonly onExited?: () => Promise<void>,
  ) {
    this.state = control.hello.state;
    this.exited = new Promise((resolve) => {
      let done = false;
      // `record`: the exit frame carries the same JSON as exit.json, so the file need not be read back.
      const finish = (record?: ExitRecord): void => {
        if (done) return;
        done = true;
        this.state = 'exited';
        resolve(
          this.readExitStatus(record).then(async (status) => {
            await this.onExited?.().catch(() => undefined);
            return status;
          }),
        );
      };
      control.on('frame', (f: Frame) => {
        if (f.type === FRAME.exit) finish(parseExitRecord(f.payload.toString()));
      });
      control.on('close', () => {
        if (!this.released) finish();
      });
      if (control.isClosed) finish();
    });
    this.exited.catch(() => undefined);
  }

  get pid(): number {
    return this.control.hello.pid;
  }

  get monitorPid(): number {
    return this.control.hello.monitorPid;
  }

  get status(): 'created' | 'running' | 'exited' {
    return this.state;
  }

  async attach(options: AttachOptions): Promise<AttachStream> {
    const conn = await MonitorConnection.open(this.stateDir);
    const flags =
      (options.stdin ? ATTACH_FLAG.stdin : 0) |
      (options.stdout ? ATTACH_FLAG.stdout : 0) |
      (options.stderr ? ATTACH_FLAG.stderr : 0) |
      (options.closeStdinOnEnd ? ATTACH_FLAG.closeStdinOnEnd : 0);
    const stream = new MonitorAttachStream(conn);
    // Resolve only once the monitor has registered the attachment (it answers before any output).
    await conn.request(FRAME.attach, Buffer.from([flags]));
    if (conn.hello.state === 'exited') stream.detach();
    return stream;
  }

  async start(): Promise<void> {
    if (this.state === 'exited') throw conflict('CONTAINER_EXITED', 'cannot start a process that has exited');
    const answer = await this.control.request(FRAME.start);
    if (answer === 'ok') {
      this.state = 'running';
      return;
    }
    throw new ContainerStartError(answer.replace(/^error /, ''));
  }

  async resize(size: ConsoleSize): Promise<void> {
    if (this.control.isClosed) return;
    this.control.send(encodeResize(size.rows, size.cols));
  }

  async kill(signal: number): Promise<void> {
    const answer = await this.control.requestRaw(FRAME.kill, encodeKill(signal));
    if (answer !== '0') throw conflict('PROCESS_NOT_RUNNING', `cannot kill: ${answer}`);
  }

  wait(): Promise<ExitStatus> {
    return this.exited;
  }

  close(): void {
    this.released = true;
    this.control.close();
  }

  private async readExitStatus(fromFrame?: ExitRecord): Promise<ExitStatus> {
    const record = fromFrame ?? (await readExitRecord(this.stateDir));
    // The monitor counted at exit; the cgroup (if still there) may know more (a late kill).
    const live = this.oomKills ? await this.oomKills().catch(() => 0) : 0;
    const oom = Math.max(live, record?.oomKills ?? 0);
    return toExitStatus(record, oom);
  }
}

export async function readExitRecord(stateDir: string): Promise<ExitRecord | undefined> {
  const text = await readFile(join(stateDir, EXIT_FILE), 'utf8').catch(() => undefined);
  return text === undefined ? undefined : parseExitRecord(text);
}

/**
 * A monitor that vanished without a record (it was killed) is reported as containerd reports a
 * task whose shim died: killed, 128+SIGKILL. The cleanup after the exit kills what is left in the
 * container's cgroup, so the report is true by the time anyone acts on it.
 */
export function toExitStatus(record: ExitRecord | undefined, oomKills: number): ExitStatus {
  if (!record) return { exitCode: 137, signal: 9, oomKilled: false, finishedAt: new Date() };
  return {
    exitCode: record.exitCode,
    signal: record.signal || undefined,
    oomKilled: oomKills > 0,
    startedAt: record.startedAt ? new Date(record.startedAt) : undefined,
    finishedAt: new Date(record.finishedAt),
  };
}
