import type { ChildProcess } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { dirname, isAbsolute } from 'node:path';
import { AppError } from '../lib/app-error';
import { LOCAL_HOST_ID } from '../../src-shared/ipc/models/hosts';
import type { ComposeUpArgs, ComposeUpProgressView } from '../../src-shared/ipc/models/compose';
import { findComposeClient, type ComposeClient, type SpawnFn } from './compose-client';
import { ComposeOutput } from './compose-output';

export interface ComposeServiceDeps {
  spawn: SpawnFn;
  /** The local engine's socket (DOCKER_HOST for the local host). */
  localSocket: string;
  /** `connected`, `connecting`, …; throws NotFound for an unknown host. */
  hostState: (hostId: string) => string;
  /** The local socket the app forwards to a remote host's engine (DockerSocketService.expose). */
  forwardSocket: (hostId: string) => Promise<string>;
}

const INSTALL_HINT =
  'No compose client is installed on this computer: install Docker Compose v2 (the `docker-compose-plugin` package, used as `docker compose`) or v1 (Debian/Ubuntu: `apt install docker-compose`), then try again.';
const EMIT_EVERY_MS = 100;
const KILL_AFTER_MS = 5_000;
// Variables that would point the client somewhere else than the host the person chose.
const DROPPED_ENV = ['DOCKER_HOST', 'DOCKER_CONTEXT', 'DOCKER_TLS_VERIFY', 'DOCKER_CERT_PATH', 'COMPOSE_FILE', 'COMPOSE_PROJECT_NAME', 'COMPOSE_PROFILES'];

/**
 * "Run a compose file" (#15). Decision: the app drives the compose client installed on the
 * desktop (`docker compose` v2 when `docker compose version` works, else `docker-compose` v1)
 * instead of re-implementing compose, because that client is the maintained implementation of
 * the file format (interpolation, extends, profiles, build, depends_on ordering). So the file,
 * its .env and its build contexts are read on the person's machine, for a remote host too: the
 * client reaches the local engine at `unix://<local socket>`, and an SSH or machine host through
 * the local forwarding socket the app already serves (DockerSocketService), so it needs no SSH
 * setup of its own. Without a client, `up` fails with NotImplemented naming what to install.
 *
 * `up` lists the services first (`config --services`, which also rejects a bad file before
 * anything is created), then runs `-f <file> -p <project> up -d [--build]` and turns its output
 * into per-service states (ComposeOutput). Closing the stream interrupts the client and its children
 * (SIGINT to its process group, as Ctrl-C, then SIGKILL): what it already created stays, as with
 * compose itself.
 */
export class ComposeService {
  private client: ComposeClient | undefined;

  constructor(private readonly deps: ComposeServiceDeps) {}

  async up(args: ComposeUpArgs, onProgress: (p: ComposeUpProgressView) => void, signal: AbortSignal): Promise<ComposeUpProgressView> {
    const started = Date.now();
    if (!isAbsolute(args.file)) throw new AppError('InvalidArgument', 'COMPOSE_FILE_RELATIVE', `the compose file must be an absolute path: ${args.file}`);
    const st = await stat(args.file).catch(() => undefined);
    if (!st?.isFile()) throw new AppError('NotFound', 'COMPOSE_FILE_NOT_FOUND', `no compose file at ${args.file}`);
    const state = this.deps.hostState(args.hostId);
    if (state !== 'connected') throw new AppError('Unavailable', 'HOST_NOT_CONNECTED', `host ${args.hostId} is not connected (${state})`);
    const client = await this.findClient();
    const env = { ...process.env };
    for (const k of DROPPED_ENV) delete env[k];
    // Compose v1 is Python: on a pipe its stdout is block-buffered, and progress would come at the end.
    env['PYTHONUNBUFFERED'] = '1';
    env['DOCKER_HOST'] = `unix://${args.hostId === LOCAL_HOST_ID ? this.deps.localSocket : await this.deps.forwardSocket(args.hostId)}`;
    const base = [...client.prefix, ...client.plain, '-f', args.file, '-p', args.project];
    const cwd = dirname(args.file);

    const listed = await this.exec(client, [...base, 'config', '--services'], env, cwd, signal);
    if (listed.code !== 0) {
      const out = new ComposeOutput(args.project, []);
      for (const l of listed.lines) out.line(l);
      throw new AppError('InvalidArgument', 'COMPOSE_FILE_INVALID', `${args.file}: ${out.failure()}`);
    }
    const output = new ComposeOutput(args.project, listed.stdout.split('\n').map((s) => s.trim()).filter((s) => s !== ''));
    let pending: string[] = [];
    let first = true;
    let timer: NodeJS.Timeout | undefined;
    const flush = (done?: ComposeUpProgressView['done']): ComposeUpProgressView => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      const ev: ComposeUpProgressView = { ...(first ? { client: client.label } : {}), lines: pending, services: output.services(), ...(done ? { done } : {}) };
      first = false;
      pending = [];
      onProgress(ev);
      return ev;
    };
    flush();
    const result = await this.exec(client, [...base, 'up', '-d', ...(args.build ? ['--build'] : [])], env, cwd, signal, (line) => {
      pending.push(line);
      // A state change is shown at once; plain output (build steps) is batched.
      if (output.line(line)) flush();
      else timer ??= setTimeout(() => flush(), EMIT_EVERY_MS);
    });
    if (signal.aborted) {
      // Nobody listens any more: drop the batched lines rather than emit after the stream closed.
      if (timer) clearTimeout(timer);
      throw new AppError('Conflict', 'COMPOSE_CANCELLED', 'cancelled');
    }
    if (result.code !== 0) {
      output.fail();
      flush();
      throw new AppError('InvalidArgument', 'COMPOSE_UP_FAILED', output.failure());
    }
    return flush({ project: args.project, durationMs: Date.now() - started });
  }

  private async findClient(): Promise<ComposeClient> {
    // Found once and kept; a missing client is looked for again next time (it may be installed meanwhile).
    this.client ??= await findComposeClient(this.deps.spawn);
    if (!this.client) throw new AppError('NotImplemented', 'COMPOSE_CLIENT_MISSING', INSTALL_HINT);
    return this.client;
  }

  /** Runs the client to its end; every output line (stdout and stderr) goes to onLine as it comes. */
  private exec(
    client: ComposeClient,
    args: string[],
    env: NodeJS.ProcessEnv,
    cwd: string,
    signal: AbortSignal,
    onLine?: (line: string) => void,
  ): Promise<{ code: number; stdout: string; lines: string[] }> {
    return new Promise((resolve, reject) => {
      // Its own process group: compose v1 builds through a `docker build` child that outlives an
      // interrupted compose and keeps the output pipes open; cancel signals the whole group.
      const child: ChildProcess = this.deps.spawn(client.command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      const signalGroup = (sig: NodeJS.Signals): void => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, sig);
        } catch {
          // The group is gone already.
        }
      };
      let stdout = '';
      const lines: string[] = [];
      const take = (line: string): void => {
        lines.push(line);
        onLine?.(line);
      };
      for (const stream of [child.stdout, child.stderr]) {
        let partial = '';
        stream?.on('data', (d: Buffer) => {
          const text = partial + d.toString();
          if (stream === child.stdout) stdout += d.toString();
          const parts = text.split(/\r?\n|\r/);
          partial = parts.pop() ?? '';
          parts.forEach(take);
        });
        stream?.on('end', () => {
          if (partial !== '') take(partial);
          partial = '';
        });
      }
      let killer: NodeJS.Timeout | undefined;
      const abort = (): void => {
        signalGroup('SIGINT');
        killer = setTimeout(() => signalGroup('SIGKILL'), KILL_AFTER_MS);
      };
      if (signal.aborted) abort();
      else signal.addEventListener('abort', abort, { once: true });
      child.on('error', (err) => {
        signal.removeEventListener('abort', abort);
        reject(new AppError('Unavailable', 'COMPOSE_CLIENT_FAILED', `${client.label} could not be started: ${err.message}`));
      });
      child.on('close', (code) => {
        signal.removeEventListener('abort', abort);
        if (killer) clearTimeout(killer);
        resolve({ code: code ?? 1, stdout, lines });
      });
    });
  }
}
