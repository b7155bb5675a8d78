/**
 * Finds or starts a dockerd to compare against. Order: a dockerd already answering on
 * /var/run/docker.sock; else Debian's `docker.io` (installed with apt-get when missing) started on a
 * private socket, data root and exec root under the bench's temp dir, with no bridge and no
 * iptables (the benches never need container networking). Loopback registries are implicitly
 * insecure for dockerd, so plain-HTTP pulls from 127.0.0.1 work without extra flags.
 *
 * `stop()` only stops what this module started.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { ping } from '../test/harness/berthd';
import { findDockerdBinary, startDockerd, type PrivateDockerd } from '../test/harness/dockerd';
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
  let d: PrivateDockerd;
  try {
    d = await startDockerd({ parentDir: tmpDir, binary: bin, timeoutMs: 60_000 });
  } catch (e) {
    log((e as Error).message);
    return undefined;
  }
  const pid = d.pid;
  log(`started dockerd (${bin}, pid ${pid}) on ${d.socket}`);
  // The managed containerd is dockerd's child, so dockerd's process tree covers both.
  return { dockerHost: d.dockerHost, pids: () => [pid], startedByUs: true, stop: d.stop };
}
