/**
 * What the docker-compose integration tests share: whether Debian's docker-compose (1.29) is
 * installed, running it against a daemon with a time limit, and the sandbox they drive it in — a
 * seed registry holding busybox, the netns sandbox's berthd pulling from it, and a scratch
 * directory for the compose files.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { busyboxImage, pushImage } from './fixtures';
import { startNetnsSandbox, type NetnsSandbox } from './netns-sandbox';
import { startRegistry, type RegistryHandle } from './registry';

/** True when `docker-compose version` answers (the tests skip themselves otherwise). */
export const hasDockerCompose = await new Promise<boolean>((res) => {
  const c = spawn('docker-compose', ['version', '--short'], { stdio: 'ignore' });
  c.on('error', () => res(false));
  c.on('close', (code) => res(code === 0));
});

export interface ComposeResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Wall time of the run, in milliseconds. */
  ms: number;
}

export interface ComposeRun {
  /** The directory holding docker-compose.yml. */
  cwd: string;
  /** DOCKER_HOST of the daemon compose drives. */
  dockerHost: string;
  /** `-p` project name. */
  project: string;
  /** Extra environment (on top of this process's and COMPOSE_INTERACTIVE_NO_CLI=1). */
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** Runs `docker-compose -p <project> <args>` to its end; rejects (after SIGKILL) when it outlives the limit. */
export function runCompose(run: ComposeRun, args: string[]): Promise<ComposeResult> {
  const timeoutMs = run.timeoutMs ?? 180_000;
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn('docker-compose', ['-p', run.project, ...args], {
      cwd: run.cwd,
      env: { ...process.env, DOCKER_HOST: run.dockerHost, COMPOSE_INTERACTIVE_NO_CLI: '1', ...run.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`docker-compose ${args.join(' ')} timed out\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({ code: code ?? 1, stdout, stderr, ms: Date.now() - t0 });
    });
  });
}

/** runCompose that must succeed: its stdout, or an error with both outputs. */
export async function composeOk(run: ComposeRun, args: string[]): Promise<string> {
  const r = await runCompose(run, args);
  if (r.code !== 0) throw new Error(`docker-compose ${args.join(' ')} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

export interface ComposeSandbox {
  /** The registry (host netns) busybox was pushed to; the sandbox's registry serves its storage. */
  seed: RegistryHandle;
  sb: NetnsSandbox;
  /** busybox:latest as the sandboxed berthd pulls it. */
  image: string;
  /** A fresh scratch directory for the compose files. */
  dir: string;
  /** Stops the sandbox and the registry and removes the directory. */
  cleanup: () => Promise<void>;
}

/**
 * busybox pushed to a seed registry under `tags` (latest first by default), a netns sandbox
 * serving that storage, and a scratch directory named from `dirPrefix`. What was made before a
 * failure is taken down again.
 */
export async function startComposeSandbox(opts: { dirPrefix: string; tags?: string[] }): Promise<ComposeSandbox> {
  let seed: RegistryHandle | undefined;
  let sb: NetnsSandbox | undefined;
  let dir: string | undefined;
  const cleanup = async (): Promise<void> => {
    await sb?.cleanup();
    await seed?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  };
  try {
    seed = await startRegistry();
    const bb = await busyboxImage();
    for (const tag of opts.tags ?? ['latest']) await pushImage(seed.url, 'busybox', tag, bb);
    sb = await startNetnsSandbox({ registryStorage: seed.storageDir });
    dir = await mkdtemp(join(tmpdir(), opts.dirPrefix));
    return { seed, sb, image: `${sb.registry.host}/busybox:latest`, dir, cleanup };
  } catch (err) {
    await cleanup().catch(() => undefined);
    throw err;
  }
}
