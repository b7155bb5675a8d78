import type { Duplex } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { ContainerInspectResponse } from '../../src-shared/docker-api/containers';
import type { TerminalEvent, TerminalInput, TerminalOpenArgs, TerminalStatus } from '../../src-shared/ipc/models/terminal';
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

class TerminalSession {
  private readonly client: EngineClient;
  private stream: Duplex | null = null;
  private execId: string | null = null;
  private mode: 'attach' | 'exec' = 'exec';
  private cols: number;
  private rows: number;
  private connecting = false;
  private everConnected = false;
  private ended = false;
  private closed = false;
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
        if (e.Action === 'start' || e.Action === 'restart') void this.maybeReconnect();
        if (e.Action === 'destroy') this.finish(new AppError('NotFound', 'CONTAINER_REMOVED', 'the container was removed'));
      }),
      session.onStatus((s) => {
        if (s.state === 'connected' && this.ended) void this.maybeReconnect();
      }),
    );
    sink.signal.addEventListener('abort', () => this.close(), { once: true });
  }

  private status(status: TerminalStatus, extra: { message?: string; exitCode?: number } = {}): void {
    this.sink.emit({ t: 'status', status, mode: this.mode, ...extra });
  }

  async start(): Promise<void> {
    const info = await this.client.inspectContainer(this.args.containerId);
    this.mode = this.pickMode(info);
    this.status('connecting');
    if (!info.State.Running) {
      this.ended = true;
      this.status('ended', { message: 'the container is not running; waiting for it to start', exitCode: info.State.ExitCode });
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
        void this.onStreamEnd(command, sawOutput);
      };
      stream.once('end', onEnd);
      stream.once('close', onEnd);
      stream.once('error', onEnd);
      const wasEnded = this.ended;
      this.ended = false;
      this.status(this.everConnected && wasEnded ? 'reconnected' : 'attached');
      this.everConnected = true;
      await this.resizeRemote().catch(() => {});
    } finally {
      this.connecting = false;
    }
  }

  private async onStreamEnd(command: string[], sawOutput: boolean): Promise<void> {
    if (this.closed) return;
    let info: ContainerInspectResponse | null = null;
    try {
      info = await this.client.inspectContainer(this.args.containerId);
    } catch (err) {
      if ((err as { kind?: string }).kind === 'NotFound') {
        this.finish(new AppError('NotFound', 'CONTAINER_REMOVED', 'the container was removed'));
        return;
      }
      // Host unreachable: wait for it (host status listener) and for the container.
    }
    if (this.mode === 'exec' && info?.State.Running && this.execId) {
      const exec = await this.client.inspectExec(this.execId).catch(() => null);
      // `/bin/sh` missing (exit 126/127 without output): try `sh` from PATH once.
      if (!sawOutput && command === DEFAULT_SHELL && !this.args.command && (exec?.ExitCode === 127 || exec?.ExitCode === 126)) {
        await this.connect(info, FALLBACK_SHELL).catch((err: unknown) => this.finish(err));
        return;
      }
      // The shell exited and the container still runs: the session is over.
      this.status('ended', { message: 'the shell exited', ...(exec?.ExitCode != null ? { exitCode: exec.ExitCode } : {}) });
      this.finish();
      return;
    }
    this.ended = true;
    this.status('ended', {
      message: info ? `the container stopped (exit code ${info.State.ExitCode}); waiting for it to run again` : 'lost the connection to the host; waiting for it',
      ...(info ? { exitCode: info.State.ExitCode } : {}),
    });
    if (info?.State.Running) await this.maybeReconnect();
  }

  /** Called on `start` events, host reconnects and after an end: reconnect if the container runs. */
  private async maybeReconnect(): Promise<void> {
    if (this.closed || this.connecting || this.stream || !this.ended) return;
    this.connecting = true;
    let info: ContainerInspectResponse;
    try {
      info = await this.client.inspectContainer(this.args.containerId);
    } catch {
      this.connecting = false;
      return;
    }
    this.connecting = false;
    if (!info.State.Running || this.stream || this.closed) return;
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
    const s = this.stream;
    this.stream = null;
    if (s) {
      // Exec: EOF makes the shell exit. Attach: only detach (ending stdin would end a StdinOnce process).
      if (this.mode === 'exec') s.end();
      s.destroy();
    }
  }
}
