import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { request } from 'node:http';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const BERTHD_BIN = join(REPO_ROOT, 'helper/bin/berthd');

/** True when the integration tests can run (they need root for namespaces, mounts and cgroups). */
export const IS_ROOT = process.getuid?.() === 0;

export interface BerthdHandle {
  socket: string;
  dataRoot: string;
  configFile: string;
  /** `unix://…`, for DOCKER_HOST. */
  dockerHost: string;
  process: ChildProcess;
  /** Everything berthd wrote to stderr (its JSON log), for assertions and post-mortems. */
  logs: () => string;
  /** SIGTERM and wait; the temp dirs stay until `cleanup()`. */
  stop: () => Promise<void>;
  /** SIGKILL, as a crash would. */
  kill: () => Promise<void>;
  /** Start a new berthd on the same socket, data root and config (after stop or kill). */
  restart: () => Promise<BerthdHandle>;
  /** Remove every container, stop berthd, then remove the temp socket dir and data root. */
  cleanup: () => Promise<void>;
}

export interface StartBerthdOptions {
  /** daemon.json contents written to the config file before start. */
  config?: Record<string, unknown>;
  dir?: string;
  extraArgs?: string[];
  logLevel?: string;
  /**
   * The default bridge. Tests get dockerd's `--bridge=none` unless they opt in, so no test ever
   * builds a bridge or NAT rules in the host's network namespace; opting in (`'default'` or a device
   * name) is only allowed together with `netns` (see netns-sandbox.ts).
   */
  bridge?: 'none' | 'default' | string;
  /** Run berthd inside this named network namespace (`ip netns` name), via nsenter. */
  netns?: string;
}

/** Starts berthd on a temporary socket and data root and waits until `_ping` answers. */
export async function startBerthd(opts: StartBerthdOptions = {}): Promise<BerthdHandle> {
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'berth-test-')));
  const socket = join(dir, 'berthd.sock');
  const dataRoot = join(dir, 'data');
  const configFile = join(dir, 'daemon.json');
  if (opts.config !== undefined || opts.dir === undefined) {
    await writeFile(configFile, JSON.stringify(opts.config ?? {}, null, 2));
  }
  const bridge = opts.bridge ?? 'none';
  if (bridge !== 'none' && opts.netns === undefined) throw new Error('startBerthd: a bridge is only allowed inside a test network namespace (pass netns, see netns-sandbox.ts)');
  const bridgeArgs = bridge === 'default' ? [] : ['--bridge', bridge];
  const args = ['--socket', socket, '--data-root', dataRoot, '--config', configFile, '--log-level', opts.logLevel ?? 'debug', ...bridgeArgs, ...(opts.extraArgs ?? [])];
  // nsenter execs berthd in place, so the child's pid is berthd's (kill -9 reaches berthd itself).
  const child = opts.netns === undefined
    ? spawn(BERTHD_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn('nsenter', [`--net=/run/netns/${opts.netns}`, '--', BERTHD_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (d: Buffer) => {
    log += d.toString();
  });
  child.stdout?.on('data', (d: Buffer) => {
    log += d.toString();
  });
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  await waitForPing(socket, child, () => log);

  const handle: BerthdHandle = {
    socket,
    dataRoot,
    configFile,
    dockerHost: `unix://${socket}`,
    process: child,
    logs: () => log,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
    },
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
    restart: async () => {
      await handle.stop();
      return startBerthd({ ...opts, dir, config: undefined });
    },
    cleanup: async () => {
      // Containers live in their own monitors and outlive berthd by design, so a suite's
      // containers are removed first: no process, mount or cgroup may outlive the tests.
      if (child.exitCode === null && child.signalCode === null) await removeAllContainers(socket).catch(() => undefined);
      await handle.stop();
      await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    },
  };
  return handle;
}

async function removeAllContainers(socket: string): Promise<void> {
  const list = await engineRequest(socket, 'GET', '/containers/json?all=1');
  if (list.status !== 200) return;
  for (const c of JSON.parse(list.body) as { Id: string }[]) {
    await engineRequest(socket, 'DELETE', `/containers/${c.Id}?force=1`);
  }
}

async function waitForPing(socket: string, child: ChildProcess, logs: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`berthd exited with ${child.exitCode} before answering:\n${logs()}`);
    if (await ping(socket)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`berthd did not answer _ping within 30 s:\n${logs()}`);
}

export function ping(socket: string): Promise<boolean> {
  return new Promise((resolvePing) => {
    const req = request({ socketPath: socket, path: '/_ping', method: 'GET', timeout: 2000 }, (res) => {
      res.resume();
      resolvePing(res.statusCode === 200);
    });
    req.on('error', () => resolvePing(false));
    req.on('timeout', () => {
      req.destroy();
      resolvePing(false);
    });
    req.end();
  });
}

/** A raw Engine API request over the socket, for tests that check status codes and bodies. */
export function engineRequest(
  socket: string,
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolveReq, reject) => {
    const req = request({ socketPath: socket, path, method, headers: { ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolveReq({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
