/**
 * A network sandbox for tests that need real container networking (bridges, NAT, published ports,
 * embedded DNS) without touching the host's network namespace.
 *
 * Layout (two namespaces this module creates, with unique names, and deletes in `cleanup()`):
 *
 *   [host netns]  untouched. The docker CLI still reaches berthd over its unix socket (a path).
 *   [sandbox]     `berth-<hex>`: berthd, its default bridge, nft rules and containers' veths live
 *                 here; its 127.0.0.1 is "the host's loopback" for the tests. A loopback registry
 *                 runs here too. Link `sbx0` = SANDBOX_ADDR/24, default route via OUTSIDE_ADDR.
 *   [outside]     `berth-<hex>-out`: "the rest of the world". Link `out0` = OUTSIDE_ADDR/24. Servers
 *                 a container should reach through NAT listen here; clients that play "another
 *                 machine" connect to SANDBOX_ADDR from here. It does not forward, so nothing that
 *                 reaches it goes any further.
 *
 * Addresses are from TEST-NET-2 (RFC 5737), which no real network routes.
 *
 * Lifecycle: `startNetnsSandbox()` creates both namespaces, starts a registry (serving the storage
 * of `opts.registryStorage` if given) and berthd inside the sandbox; `cleanup()` removes every
 * container, stops berthd and the registry, kills the processes spawned with `spawnIn`, and deletes
 * both namespaces (which takes every interface and nft table inside them along).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { startBerthd, type BerthdHandle, type StartBerthdOptions } from './berthd';
import { docker, type DockerOptions, type DockerResult } from './docker-cli';
import { startRegistry, type RegistryHandle } from './registry';

export const SANDBOX_ADDR = '198.51.100.1';
export const OUTSIDE_ADDR = '198.51.100.2';

export type Where = 'sandbox' | 'outside';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface NetnsSandbox {
  /** `ip netns` name of berthd's namespace ("the host"). */
  netns: string;
  /** `ip netns` name of the outside namespace. */
  outsideNetns: string;
  berthd: BerthdHandle;
  /** Serves 127.0.0.1:PORT inside the sandbox (what berthd pulls from). */
  registry: RegistryHandle;
  /** Runs the stock docker CLI against the sandboxed berthd. */
  d: (args: string[], opts?: DockerOptions) => Promise<DockerResult>;
  /** Runs a command to completion in one of the namespaces (curl, wget, busybox nc, ip, nft...). */
  exec: (where: Where, cmd: string[], opts?: { timeoutMs?: number; input?: string }) => Promise<ExecResult>;
  /** Starts a long-lived process (a server) in one of the namespaces; killed by `cleanup()`. */
  spawnIn: (where: Where, cmd: string[]) => ChildProcess;
  /** Stops berthd with SIGKILL and starts it again in the sandbox (same data root). */
  killAndRestart: () => Promise<BerthdHandle>;
  /** Stops berthd with SIGTERM and starts it again in the sandbox (same data root). */
  restart: () => Promise<BerthdHandle>;
  cleanup: () => Promise<void>;
}

export interface NetnsSandboxOptions {
  /** Storage dir of a registry that already holds the images (pushed from the host netns). */
  registryStorage?: string;
  /** startBerthd options; the default bridge is on unless `bridge` says otherwise. */
  berthd?: Omit<StartBerthdOptions, 'netns'>;
}

function run(cmd: string, args: string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<ExecResult> {
  return new Promise((resolveRun) => {
    const child = execFile(cmd, args, { timeout: opts.timeoutMs ?? 30_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolveRun({ code, stdout, stderr });
    });
    child.stdin?.end(opts.input);
  });
}

async function must(cmd: string, args: string[]): Promise<string> {
  const r = await run(cmd, args);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

function nsArgs(netns: string, cmd: string[]): string[] {
  return [`--net=/run/netns/${netns}`, '--', ...cmd];
}

/** Creates the two namespaces and their link; returns a function that deletes them. */
async function createNamespaces(netns: string, outside: string): Promise<void> {
  await must('ip', ['netns', 'add', netns]);
  await must('ip', ['netns', 'add', outside]);
  await must('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
  await must('ip', ['-n', outside, 'link', 'set', 'lo', 'up']);
  await must('ip', ['-n', netns, 'link', 'add', 'sbx0', 'type', 'veth', 'peer', 'name', 'out0', 'netns', outside]);
  await must('ip', ['-n', netns, 'addr', 'add', `${SANDBOX_ADDR}/24`, 'dev', 'sbx0']);
  await must('ip', ['-n', outside, 'addr', 'add', `${OUTSIDE_ADDR}/24`, 'dev', 'out0']);
  await must('ip', ['-n', netns, 'link', 'set', 'sbx0', 'up']);
  await must('ip', ['-n', outside, 'link', 'set', 'out0', 'up']);
  await must('ip', ['-n', netns, 'route', 'add', 'default', 'via', OUTSIDE_ADDR]);
}

async function deleteNamespaces(...names: string[]): Promise<void> {
  for (const n of names) await run('ip', ['netns', 'del', n]);
}

export async function startNetnsSandbox(opts: NetnsSandboxOptions = {}): Promise<NetnsSandbox> {
  const id = randomBytes(4).toString('hex');
  const netns = `berth-${id}`;
  const outsideNetns = `berth-${id}-out`;
  const spawned: ChildProcess[] = [];
  let registry: RegistryHandle | undefined;
  let berthd: BerthdHandle | undefined;
  try {
    await createNamespaces(netns, outsideNetns);
    registry = await startRegistry({ netns, ...(opts.registryStorage !== undefined ? { storageDir: opts.registryStorage } : {}) });
    berthd = await startBerthd({ bridge: 'default', ...opts.berthd, netns });
  } catch (err) {
    await berthd?.cleanup();
    await registry?.stop();
    await deleteNamespaces(netns, outsideNetns);
    throw err;
  }
  const nsOf = (where: Where): string => (where === 'sandbox' ? netns : outsideNetns);
  const sandbox: NetnsSandbox = {
    netns,
    outsideNetns,
    berthd,
    registry,
    d: (args, o) => docker(sandbox.berthd.dockerHost, args, o),
    exec: (where, cmd, o) => run('nsenter', nsArgs(nsOf(where), cmd), o),
    spawnIn: (where, cmd) => {
      const child = spawn('nsenter', nsArgs(nsOf(where), cmd), { stdio: ['ignore', 'pipe', 'pipe'] });
      spawned.push(child);
      return child;
    },
    killAndRestart: async () => {
      await sandbox.berthd.kill();
      sandbox.berthd = await sandbox.berthd.restart();
      return sandbox.berthd;
    },
    restart: async () => {
      sandbox.berthd = await sandbox.berthd.restart();
      return sandbox.berthd;
    },
    cleanup: async () => {
      await sandbox.berthd.cleanup();
      for (const c of spawned) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      await sandbox.registry.stop();
      await deleteNamespaces(netns, outsideNetns);
    },
  };
  return sandbox;
}
