/**
 * A private comparison dockerd (Debian's `docker.io`) for tests and the bench: its own socket,
 * data root, exec root and pidfile under a temp dir, no bridge and no iptables, so it never touches
 * /var/run/docker.sock or the host network. Loopback registries are implicitly insecure for
 * dockerd, so plain-HTTP pulls from 127.0.0.1 work without extra flags.
 *
 * `stop()` stops only the dockerd this module started (and its managed containerd, its child),
 * unmounts what it left mounted under its dir and removes the dir.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ping } from './berthd';

const execFileP = promisify(execFile);

export interface PrivateDockerd {
  /** `unix://…`, for DOCKER_HOST. */
  dockerHost: string;
  socket: string;
  pid: number;
  dir: string;
  logs: () => string;
  stop: () => Promise<void>;
}

export function findDockerdBinary(): string | undefined {
  return ['/usr/sbin/dockerd', '/usr/bin/dockerd', '/usr/local/bin/dockerd'].find((p) => existsSync(p));
}

export interface StartDockerdOptions {
  /** Parent for the daemon's dir (default: a fresh mkdtemp under the OS temp dir). */
  parentDir?: string;
  binary?: string;
  /** How long to wait for `_ping` (default 90 s: the machine is shared). */
  timeoutMs?: number;
  /**
   * Run inside this named network namespace (`ip netns` name) with dockerd's default bridge and
   * its iptables rules, which then live in that namespace only (the networking bench's reference).
   */
  netns?: string;
}

/** Starts a private dockerd; throws with its last log lines when it does not come up. */
export async function startDockerd(opts: StartDockerdOptions = {}): Promise<PrivateDockerd> {
  const bin = opts.binary ?? findDockerdBinary();
  if (!bin) throw new Error('no dockerd binary (install Debian docker.io; see scripts/apt-packages.txt)');
  const dir = opts.parentDir ? join(opts.parentDir, 'dockerd') : await mkdtemp(join(tmpdir(), 'berth-dockerd-'));
  await mkdir(dir, { recursive: true });
  const socket = join(dir, 'docker.sock');
  const args = [
    '--host', `unix://${socket}`,
    '--data-root', join(dir, 'data'),
    '--exec-root', join(dir, 'exec'),
    '--pidfile', join(dir, 'docker.pid'),
    ...(opts.netns === undefined ? ['--bridge=none', '--iptables=false'] : []),
    '--ip6tables=false',
    '--log-level=warn',
  ];
  const child = opts.netns === undefined ? spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] }) : spawn('nsenter', [`--net=/run/netns/${opts.netns}`, '--', bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let logs = '';
  child.stdout?.on('data', (d: Buffer) => (logs += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (logs += d.toString()));
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(t);
    }
    // dockerd unmounts its overlays on clean shutdown; unmount leftovers before removing the dirs.
    await execFileP('sh', ['-c', `grep -o " ${dir}/[^ ]*" /proc/self/mounts | sort -r | xargs -r -n1 umount -l`]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 90_000);
  while (Date.now() < deadline && child.exitCode === null) {
    if (existsSync(socket) && (await ping(socket))) {
      return { dockerHost: `unix://${socket}`, socket, pid: child.pid as number, dir, logs: () => logs, stop };
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`dockerd did not come up: ${logs.trim().split('\n').slice(-5).join(' | ')}`);
}
