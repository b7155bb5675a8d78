import type { Duplex } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { ContainerInspectResponse } from '../../src-shared/docker-api/containers';
import type { TerminalEndReason, TerminalEvent, TerminalInput, TerminalOpenArgs, TerminalStatus } from '../../src-shared/ipc/models/terminal';
import type { EngineClient } from '../engine-client/engine-client';
import { AppError } from '../lib/app-error';
import type { HostsService } from './hosts-service';

export interface TerminalSink {
  emit: (event: TerminalEvent) => void;
  end: (error?: unknown) => void;
  signal: AbortSignal;
}

const DEFAULT_SHELL = ['/bin/sh'];
const FALLBACK_SHELL = ['sh'];
/**
 * An exec'd shell killed by a signal is what a stopping container looks like from the exec side
 * (the kernel kills every process of the pid namespace when PID 1 dies, before the engine records
 * the container's exit): wait this long for the container's `die` before deciding that only the
 * shell was killed.
 */
const SIGNAL_EXIT_GRACE_MS = 2000;
/** Backstop for a `die` event that never comes (events stream reconnecting): re-inspect then. */
const DIE_WAIT_MS = 5000;

/**
 * One run of a container: StartedAt changes at every start, so two runs never compare equal.
 * Null when the engine says it is not running.
 */
function runOf(info: ContainerInspectResponse): string | null {
  return info.State.Running ? `${info.State.StartedAt}/${info.State.Pid}` : null;
}

/**
 * Interactive terminals in containers. See models/terminal.ts for the contract. A session is
 * bound to a container, not to one process: it follows the container through stop/start/restart
 * by watching the host's engine events, re-attaching (or re-exec'ing a shell) when the container
 * runs again.
 */
export class TerminalService {
  constructor(private readonly hosts: HostsService) {}

  async open(args: TerminalOpenArgs, sink: TerminalSink): Promise<{ input: (i: TerminalInput) => void }> {
    if (!Number.isInteger(args.cols) || !Number.isInteger(args.rows) || args.cols < 1 || args.rows < 1) {
      throw new AppError('InvalidArgument', 'INVALID_SIZE', 'terminal cols and rows must be positive integers');
    }
    const session = new TerminalSession(this.hosts, args, sink);
    await session.start();
    return { input: (i) => session.input(i) };
  }
}

/**
 * One terminal session. It is connected to one *run* of the container at a time (`attachedRun`).
 * The engine closes a run's attach/exec stream a moment before it records the exit (the output
 * ends when the process dies; reaping and the `die` event come after), so when a stream ends the
 * container may still be reported running: the session then waits for that run's `die` before it
 * says `ended`, and only ever reconnects to a run other than the one whose end it saw. Attaching to
 * a run that is dying or gone would be answered with an attach the engine holds until the next
 * start (dockerd and berthd both do), an open stream on a stopped container that never ends.
 */
class TerminalSession {
  private readonly client: EngineClient;
  private stream: Duplex | null = null;
  private execId: string | null = null;
  private mode: 'attach' | 'exec' = 'exec';
  private cols: number;
  private rows: number;
  private connecting = false;
  /** Between a stream's end and the verdict on it (container stopped, shell exited, link lost). */
  private settling = false;
  private everConnected = false;
  private ended = false;
  private closed = false;
  /** The run the current (or last) stream is connected to. */
  private attachedRun: string | null = null;
  /** The run whose end this session saw: never reattached to, even while still reported running. */
  private endedRun: string | null = null;
  /** `die` events seen for the container, and the exit code of the last one. */
  private dies = 0;
  private lastDieExitCode: number | null = null;
  private readonly dieWaiters = new Set<() => void>();
  private readonly offs: (() => void)[] = [];

  constructor(
    hosts: HostsService,
    private readonly args: TerminalOpenArgs,
    private readonly sink: TerminalSink,
  ) {
    this.client = hosts.client(args.hostId);
    this.cols = args.cols;
    this.rows = args.rows;
    const session = hosts.session(args.hostId);
    this.offs.push(
      session.onEvent((e) => {
        if (e.Type !== 'container') return;
        const id = e.Actor?.ID ?? e.id ?? '';
        if (id !== this.args.containerId && !id.startsWith(this.args.containerId)) return;
        if (e.Action === 'die') this.onDie(e.Actor?.Attributes?.exitCode);
        if (e.Action === 'start' || e.Action === 'restart') void this.maybeReconnect();
        if (e.Action === 'destroy') this.finish(new AppError('NotFound', 'CONTAINER_REMOVED', 'the container was removed'));
      }),
      session.onStatus((s) => {
        if (s.state === 'connected' && this.ended) void this.maybeReconnect();
      }),
    );
    sink.signal.addEventListener('abort', () => this.close(), { once: true });
  }

  private status(status: TerminalStatus, extra: { message?: string; exitCode?: number; reason?: TerminalEndReason } = {}): void {
    this.sink.emit({ t: 'status', status, mode: this.mode, ...extra });
  }

  async start(): Promise<void> {
    const info = await this.client.inspectContainer(this.args.containerId);
    this.mode = this.pickMode(info);
    this.status('connecting');
    if (!info.State.Running) {
      this.ended = true;
      this.status('ended', { message: 'the container is not running; waiting for it to start', exitCode: info.State.ExitCode, reason: 'stopped' });
      return;
    }
    await this.connect(info);
  }

  private pickMode(info: ContainerInspectResponse): 'attach' | 'exec' {
    if (this.args.mode === 'attach') return 'attach';
    if (this.args.mode === 'exec') return 'exec';
    // Attaching is only interactive when the container has a TTY and an open stdin (`-it`).
    return info.Config?.Tty && info.Config?.OpenStdin ? 'attach' : 'exec';
  }

  private async connect(info: ContainerInspectResponse, command = this.args.command ?? DEFAULT_SHELL): Promise<void> {
    this.connecting = true;
    try {
      const id = info.Id;
      const run = runOf(info);
      let stream: Duplex;
      if (this.mode === 'attach') {
        stream = await this.client.attach(id, { stdin: true });
        this.execId = null;
      } else {
        const exec = await this.client.createExec(id, {
          AttachStdin: true,
          AttachStdout: true,
          AttachStderr: true,
          Tty: true,
          Cmd: command,
          Env: ['TERM=xterm-256color'],
          ConsoleSize: [this.rows, this.cols],
        });
        this.execId = exec.Id;
        stream = await this.client.startExec(exec.Id, { tty: true, rows: this.rows, cols: this.cols });
      }
      if (this.closed) {
        stream.destroy();
        return;
      }
      this.stream = stream;
      this.attachedRun = run;
      const decoder = new StringDecoder('utf8');
      let sawOutput = false;
      stream.on('data', (chunk: Buffer) => {
        sawOutput = true;
        const text = decoder.write(chunk);
        if (text) this.sink.emit({ t: 'data', data: text });
      });
      let done = false;
      const onEnd = (): void => {
        if (done) return;
        done = true;
        const tail = decoder.end();
        if (tail) this.sink.emit({ t: 'data', data: tail });
        if (this.stream === stream) this.stream = null;
        void this.onStreamEnd(command, sawOutput, run, this.dies);
      };
      stream.once('end', onEnd);
      stream.once('close', onEnd);
      stream.once('error', onEnd);
      const wasEnded = this.ended;
      this.ended = false;
      this.status(this.everConnected && wasEnded ? 'reconnected' : 'attached');
      this.everConnected = true;
      await this.resizeRemote().catch(() => {});
      // The run may have ended between the inspect and the attach, its `die` already gone by.
      void this.checkAttachment();
    } finally {
      this.connecting = false;
    }
  }

  private onDie(exitCode: string | undefined): void {
    this.dies += 1;
    const code = Number(exitCode);
    this.lastDieExitCode = exitCode !== undefined && Number.isInteger(code) ? code : null;
    for (const w of [...this.dieWaiters]) w();
    void this.checkAttachment();
  }

  /** Resolves at the first `die` after `since` dies (at once if it already came), or after `ms`. */
  private waitForDie(since: number, ms: number): Promise<boolean> {
    if (this.dies > since) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (died: boolean): void => {
        clearTimeout(timer);
        this.dieWaiters.delete(onDie);
        resolve(died);
      };
      const onDie = (): void => done(true);
      const timer = setTimeout(() => done(false), ms);
      timer.unref?.();
      this.dieWaiters.add(onDie);
    });
  }

  /**
   * A stream still open on a run that is over is an attach the engine parked for the next start:
   * drop it so the end is reported (and the next run gets a fresh attach).
   */
  private async checkAttachment(): Promise<void> {
    const s = this.stream;
    if (!s || this.settling || this.closed) return;
    const info = await this.client.inspectContainer(this.args.containerId).catch(() => null);
    if (info && this.stream === s && runOf(info) !== this.attachedRun) s.destroy();
  }

  /** Inspects the container; a NotFound ends the session (`undefined`), other failures give null. */
  private async inspectOrNull(): Promise<ContainerInspectResponse | null | undefined> {
    try {
      return await this.client.inspectContainer(this.args.containerId);
    } catch (err) {
      if ((err as { kind?: string }).kind === 'NotFound') {
        this.finish(new AppError('NotFound', 'CONTAINER_REMOVED', 'the container was removed'));
        return undefined;
      }
      // Host unreachable: wait for it (host status listener) and for the container.
      return null;
    }
  }

  private async onStreamEnd(command: string[], sawOutput: boolean, run: string | null, diesAtEnd: number): Promise<void> {
    if (this.closed) return;
    this.settling = true;
    let info: ContainerInspectResponse | null | undefined;
    try {
      info = await this.inspectOrNull();
      if (info === undefined) return;
      if (info && run !== null && runOf(info) === run) {
        // The run this stream belonged to is still reported running.
        if (this.mode === 'exec' && this.execId) {
          const exec = await this.client.inspectExec(this.execId).catch(() => null);
          const code = exec?.ExitCode ?? null;
          if (code !== null && code <= 128) {
            await this.shellExited(info, command, sawOutput, code);
            return;
          }
          // Killed by a signal: the container going down, or only the shell; its `die` tells.
          await this.waitForDie(diesAtEnd, SIGNAL_EXIT_GRACE_MS);
        } else {
          await this.waitForDie(diesAtEnd, DIE_WAIT_MS);
        }
        info = await this.inspectOrNull();
        if (info === undefined) return;
        if (info && runOf(info) === run && this.mode === 'exec') {
          await this.shellExited(info, command, sawOutput, null);
          return;
        }
        // Attach mode and the same run still running: the process closed its output; there is
        // nothing to attach to until the container runs again.
      }
    } finally {
      this.settling = false;
    }
    if (this.closed) return;
    this.ended = true;
    // A lost link says nothing about the run: reattach to it when the host is back.
    this.endedRun = info ? run : null;
    const exitCode = info && !info.State.Running ? info.State.ExitCode : this.dies > diesAtEnd ? this.lastDieExitCode : null;
    this.status('ended', {
      message: !info
        ? 'lost the connection to the host; waiting for it'
        : runOf(info) === run
          ? 'the container closed its output; waiting for it to run again'
          : `the container stopped${exitCode !== null ? ` (exit code ${exitCode})` : ''}; waiting for it to run again`,
      reason: !info ? 'link-lost' : runOf(info) === run ? 'output-closed' : 'stopped',
      ...(exitCode !== null ? { exitCode } : {}),
    });
    await this.maybeReconnect();
  }

  /** Exec mode: the shell ended while its container runs on. */
  private async shellExited(info: ContainerInspectResponse, command: string[], sawOutput: boolean, exitCode: number | null): Promise<void> {
    this.settling = false;
    // `/bin/sh` missing (exit 126/127 without output): try `sh` from PATH once.
    if (!sawOutput && command === DEFAULT_SHELL && !this.args.command && (exitCode === 127 || exitCode === 126)) {
      await this.connect(info, FALLBACK_SHELL).catch((err: unknown) => this.finish(err));
      return;
    }
    // The shell exited and the container still runs: the session is over.
    this.status('ended', { message: 'the shell exited', reason: 'shell-exited', ...(exitCode !== null ? { exitCode } : {}) });
    this.finish();
  }

  /**
   * Called on `start` events, host reconnects and after an end: reconnect if the container runs a
   * run this session has not seen end.
   */
  private async maybeReconnect(): Promise<void> {
    if (this.closed || this.connecting || this.settling || this.stream || !this.ended) return;
    this.connecting = true;
    let info: ContainerInspectResponse;
    try {
      info = await this.client.inspectContainer(this.args.containerId);
    } catch {
      this.connecting = false;
      return;
    }
    this.connecting = false;
    const run = runOf(info);
    if (run === null || run === this.endedRun || this.stream || this.closed) return;
    this.status('reconnecting');
    try {
      await this.connect(info);
    } catch (err) {
      // It may have stopped again between inspect and attach; the next start event retries.
      this.status('ended', { message: `could not reconnect: ${(err as Error).message}` });
    }
  }

  input(i: TerminalInput): void {
    if (i.t === 'data') {
      if (typeof i.data === 'string' && this.stream && !this.stream.destroyed) this.stream.write(i.data);
      return;
    }
    if (i.t === 'resize' && Number.isInteger(i.cols) && Number.isInteger(i.rows) && i.cols > 0 && i.rows > 0) {
      this.cols = i.cols;
      this.rows = i.rows;
      void this.resizeRemote().catch(() => {});
    }
  }

  private async resizeRemote(): Promise<void> {
    if (!this.stream) return;
    if (this.mode === 'exec' && this.execId) await this.client.resizeExec(this.execId, this.rows, this.cols);
    else if (this.mode === 'attach') await this.client.resizeContainer(this.args.containerId, this.rows, this.cols);
  }

  private finish(error?: unknown): void {
    if (this.closed) return;
    this.close();
    this.sink.end(error);
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const off of this.offs) off();
    for (const w of [...this.dieWaiters]) w();
    const s = this.stream;
    this.stream = null;
    if (s) {
      // Exec: EOF makes the shell exit. Attach: only detach (ending stdin would end a StdinOnce process).
      if (this.mode === 'exec') s.end();
      s.destroy();
    }
  }
}
