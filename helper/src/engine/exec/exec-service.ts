import { randomBytes } from 'node:crypto';
import { conflict, notFound } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import type { ConsoleSize, ExecProcess, OutputChunk } from '../../runtime/runtime';
import { goDurationMs } from '../containers/health-config';
import { SIGKILL } from '../containers/signals';
import { ContainerStartError } from '../../runtime/runtime-errors';
import { AttachProxy } from '../containers/attach-proxy';
import { envKey, processEnv } from '../containers/command-merge';
import type { ContainerService } from '../containers/container-service';
import { resolveContainerUser } from '../containers/container-helpers';
import { processLimitsOf } from '../containers/container-spec';
import type { EventsService } from '../events/events-service';

export interface ExecCreateInput {
  cmd: string[];
  user: string;
  privileged: boolean;
  tty: boolean;
  consoleSize?: ConsoleSize;
  attachStdin: boolean;
  attachStdout: boolean;
  attachStderr: boolean;
  detachKeys: string;
  env: string[];
  workingDir: string;
}

/** An exec instance as `exec/{id}/json` reports it. */
export interface ExecRecord {
  id: string;
  containerId: string;
  input: ExecCreateInput;
  running: boolean;
  /** null until the process has exited (or failed to start). */
  exitCode: number | null;
  pid: number;
  started: boolean;
}

/** moby health.go maxOutputLen. */
const PROBE_OUTPUT_MAX = 4096;

/** Execs kept after they end so the CLI can read their exit code; oldest dropped beyond this. */
const MAX_FINISHED = 512;

/**
 * `docker exec`: create an exec instance, start it (attached through an `AttachProxy`, or
 * detached), resize its pty and report it. The exit code is recorded BEFORE the attached stream
 * ends, because the CLI reads `exec/{id}/json` as soon as its stream closes and exits with it.
 * Start failures give dockerd's 126/127 with runc's text written to the output stream.
 */
export class ExecService {
  private readonly execs = new Map<string, ExecRecord>();
  private readonly procs = new Map<string, ExecProcess>();

  constructor(
    private readonly containers: ContainerService,
    private readonly events: EventsService,
    private readonly log: Logger,
  ) {}

  create(containerRef: string, input: ExecCreateInput): { id: string } {
    const { record } = this.containers.runningProcess(containerRef);
    if (input.cmd.length === 0) throw conflict('EXEC_NO_COMMAND', 'No exec command specified');
    const id = randomBytes(32).toString('hex');
    this.execs.set(id, { id, containerId: record.id, input, running: false, exitCode: null, pid: 0, started: false });
    this.containers.addExec(record.id, id);
    this.events.publish('container', `exec_create: ${input.cmd.join(' ')}`, record.id, { image: record.config.image, name: record.name, execID: id });
    this.trim();
    return { id };
  }

  inspect(id: string): ExecRecord {
    const ex = this.execs.get(id);
    if (!ex) throw notFound('EXEC_NOT_FOUND', `No such exec instance: ${id}`);
    return ex;
  }

  /** Throws before anything is written when the exec cannot be started at all (404/409). */
  checkStartable(id: string): ExecRecord {
    const ex = this.inspect(id);
    if (ex.started) throw conflict('EXEC_ALREADY_STARTED', `Error: Exec command ${id} is already running`);
    this.containers.runningProcess(ex.containerId);
    return ex;
  }

  /**
   * Starts the exec. Attached (`detach` false): returns the output stream, which ends after the
   * process's output is drained AND its exit code is recorded. Detached: resolves once started.
   */
  async start(id: string, opts: { detach: boolean; consoleSize?: ConsoleSize }): Promise<AttachProxy | undefined> {
    const ex = this.checkStartable(id);
    ex.started = true;
    ex.running = true;
    const { record, process: container } = this.containers.runningProcess(ex.containerId);
    this.events.publish('container', `exec_start: ${ex.input.cmd.join(' ')}`, record.id, { image: record.config.image, name: record.name, execID: id });
    const proxy = opts.detach ? undefined : new AttachProxy();
    let proc: ExecProcess;
    try {
      const user = ex.input.user === '' ? record.user : await resolveContainerUser(ex.input.user, `/proc/${container.pid}/root`, record.hostConfig.groupAdd);
      const baseEnv = processEnv(record.config.env, { hostname: record.config.hostname, tty: ex.input.tty, home: user.home });
      const env = [...baseEnv.filter((kv) => !ex.input.env.some((e) => envKey(e) === envKey(kv))), ...ex.input.env];
      proc = await container.exec({
        execId: id,
        process: {
          args: ex.input.cmd,
          env,
          cwd: ex.input.workingDir !== '' ? ex.input.workingDir : record.config.workingDir !== '' ? record.config.workingDir : '/',
          uid: user.uid,
          gid: user.gid,
          additionalGids: user.additionalGids,
          home: user.home,
          tty: ex.input.tty,
          openStdin: ex.input.attachStdin,
          consoleSize: opts.consoleSize ?? ex.input.consoleSize,
          capAdd: record.hostConfig.capAdd,
          capDrop: record.hostConfig.capDrop,
          privileged: ex.input.privileged || record.hostConfig.privileged,
          // runc semantics: an exec runs under its container's seccomp filter and no_new_privs.
          ...this.containers.security(record),
          ...processLimitsOf(record.hostConfig),
        },
      });
    } catch (err) {
      ex.running = false;
      ex.exitCode = err instanceof ContainerStartError ? err.exitCode : 126;
      this.events.publish('container', 'exec_die', record.id, { execID: id, exitCode: String(ex.exitCode) });
      if (!proxy) throw err;
      // dockerd writes the start error into the attached stdout, then closes.
      proxy.pushMessage(`${ociExecMessage(err)}\r\n`);
      proxy.finishWithoutProcess();
      return proxy;
    }
    this.procs.set(id, proc);
    const finished = proc.wait().then((exit) => {
      ex.exitCode = exit.exitCode;
      ex.running = false;
      this.procs.delete(id);
      this.containers.removeExec(ex.containerId, id);
      proc.close();
      this.events.publish('container', 'exec_die', record.id, { execID: id, exitCode: String(exit.exitCode) });
    });
    if (proxy) {
      proxy.beforeEnd = () => finished;
      proxy.connect(await proc.attach({ stdin: ex.input.attachStdin, stdout: ex.input.attachStdout, stderr: ex.input.attachStderr, closeStdinOnEnd: true }));
    }
    await proc.start();
    ex.pid = proc.pid;
    void finished.catch((err: unknown) => this.log.warn({ err, id }, 'exec wait failed'));
    return proxy;
  }

  /**
   * A healthcheck probe (moby cmdProbe): an exec as the container's user in its working
   * directory, stdout and stderr kept up to 4096 bytes ("..." after a cut). Past `timeoutMs` the
   * probe is killed and reported with exit code -1; a probe that cannot start is -1 with the error.
   */
  async probe(containerId: string, cmd: string[], timeoutMs: number): Promise<{ exitCode: number; output: string }> {
    const { id } = this.create(containerId, {
      cmd, user: '', privileged: false, tty: false, attachStdin: false, attachStdout: true, attachStderr: true, detachKeys: '', env: [], workingDir: '',
    });
    const stream = await this.start(id, { detach: false });
    const ex = this.inspect(id);
    let output = Buffer.alloc(0);
    let truncated = false;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      void this.procs.get(id)?.kill(SIGKILL).catch(() => undefined);
    }, timeoutMs);
    try {
      for await (const chunk of stream ?? []) {
        const data = (chunk as OutputChunk).data;
        const room = PROBE_OUTPUT_MAX - output.length;
        if (data.length > room) truncated = true;
        if (room > 0) output = Buffer.concat([output, data.subarray(0, room)]);
      }
    } finally {
      clearTimeout(timer);
    }
    const text = output.toString('utf8') + (truncated ? '...' : '');
    if (timedOut) {
      const limit = goDurationMs(timeoutMs);
      return { exitCode: -1, output: text !== '' ? `Health check exceeded timeout (${limit}): ${text}` : `Health check exceeded timeout (${limit})` };
    }
    if (ex.pid === 0) return { exitCode: -1, output: text.trimEnd() };
    return { exitCode: ex.exitCode ?? -1, output: text };
  }

  async resize(id: string, size: ConsoleSize): Promise<void> {
    const ex = this.inspect(id);
    const proc = this.procs.get(id);
    if (!proc) throw conflict('EXEC_NOT_RUNNING', `Exec ${ex.id} is not running`);
    await proc.resize(size);
  }

  private trim(): void {
    if (this.execs.size <= MAX_FINISHED) return;
    for (const [id, ex] of this.execs) {
      if (this.execs.size <= MAX_FINISHED) break;
      if (!ex.running && ex.started) this.execs.delete(id);
    }
  }
}

/** runc's exec failure as dockerd relays it (`OCI runtime exec failed: …`). */
function ociExecMessage(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  const detail = /unable to start container process: (.*?)(?:: unknown)?$/.exec(msg)?.[1];
  return detail !== undefined ? `OCI runtime exec failed: exec failed: unable to start container process: ${detail}: unknown` : msg;
}
