/**
 * Finds or starts a dockerd to compare against. Order: a dockerd already answering on
 * /var/run/docker.sock; else Debian's `docker.io` (installed with apt-get when missing) started on a
 * private socket, data root and exec root under the bench's temp dir, with no bridge and no
 * iptables (the benches never need container networking). Loopback registries are implicitly
 * insecure for dockerd, so plain-HTTP pulls from 127.0.0.1 work without extra flags.
 *
 * `stop()` only stops what this module started.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ping } from '../test/harness/berthd';
import { processTable } from './framework';

const execFileP = promisify(execFile);

export interface DockerdHandle {
  dockerHost: string;
  /** Root pids whose trees make up "the daemon" (dockerd and containerd). */
  pids: () => number[];
  startedByUs: boolean;
  stop: () => Promise<void>;
}

const SYSTEM_SOCKET = '/var/run/docker.sock';

function findDockerdBinary(): string | undefined {
  return ['/usr/sbin/dockerd', '/usr/bin/dockerd', '/usr/local/bin/dockerd'].find((p) => existsSync(p));
}

/** dockerd plus containerd (managed or system) pids, by command name. */
function daemonPids(): number[] {
  return processTable()
    .filter((p) => p.comm === 'dockerd' || p.comm === 'containerd')
    .map((p) => p.pid);
}

export async function ensureDockerd(tmpDir: string, log: (msg: string) => void): Promise<DockerdHandle | undefined> {
  if (existsSync(SYSTEM_SOCKET) && (await ping(SYSTEM_SOCKET))) {
    log(`using the running dockerd on ${SYSTEM_SOCKET}`);
    return { dockerHost: `unix://${SYSTEM_SOCKET}`, pids: daemonPids, startedByUs: false, stop: async () => undefined };
  }
  let bin = findDockerdBinary();
  if (!bin) {
    log('no dockerd found; installing Debian docker.io with apt-get (one-time)');
    try {
      await execFileP('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'docker.io'], {
        env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
        maxBuffer: 64 * 1024 * 1024,
        timeout: 600_000,
      });
    } catch (e) {
      log(`apt-get install docker.io failed: ${(e as Error).message.split('\n')[0]}`);
      return undefined;
    }
    bin = findDockerdBinary();
    if (!bin) {
      log('docker.io installed but no dockerd binary found');
      return undefined;
    }
  }
  const dir = join(tmpDir, 'dockerd');
  await mkdir(dir, { recursive: true });
  const socket = join(dir, 'docker.sock');
  const args = [
    '--host', `unix://${socket}`,
    '--data-root', join(dir, 'data'),
    '--exec-root', join(dir, 'exec'),
    '--pidfile', join(dir, 'docker.pid'),
    '--bridge=none',
    '--iptables=false',
    '--ip6tables=false',
    '--log-level=warn',
  ];
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let logs = '';
  child.stdout?.on('data', (d: Buffer) => (logs += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (logs += d.toString()));
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  const deadline = Date.now() + 60_000;
  let up = false;
  while (Date.now() < deadline && child.exitCode === null) {
    if (existsSync(socket) && (await ping(socket))) {
      up = true;
      break;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  const pid = child.pid!;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(t);
    }
    // dockerd unmounts its overlays on clean shutdown; unmount leftovers before removing the dirs.
    await execFileP('sh', ['-c', `grep -o " ${dir}/[^ ]*" /proc/self/mounts | sort -r | xargs -r -n1 umount -l`]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true }).catch((e: Error) => log(`could not remove ${dir}: ${e.message}`));
  };
  if (!up) {
    log(`dockerd did not come up: ${logs.trim().split('\n').slice(-5).join(' | ')}`);
    await stop();
    return undefined;
  }
  log(`started dockerd (${bin}, pid ${pid}) on ${socket}`);
  // The managed containerd is dockerd's child, so dockerd's process tree covers both.
  return { dockerHost: `unix://${socket}`, pids: () => [pid], startedByUs: true, stop };
}
