import { setTimeout as sleep } from 'node:timers/promises';
import { invalidArgument } from '../../lib/errors';

const SEGMENT = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/**
 * A container's cgroup key: its ID (under the manager's parent), or `<parent>/<id>` for a
 * HostConfig.CgroupParent (relative to each hierarchy's root; `/<id>` for the root itself).
 * Refuses anything that could walk out of the hierarchy.
 */
export function checkCgroupId(key: string): void {
  const segments = (key.startsWith('/') ? key.slice(1) : key).split('/');
  if (!segments.every((s) => SEGMENT.test(s))) throw invalidArgument('INVALID_CGROUP_ID', `invalid cgroup name "${key}"`);
}

/** The parent part of a key (undefined: the manager's own parent) and the container's name. */
export function splitCgroupKey(key: string): { parent: string | undefined; name: string } {
  const slash = key.lastIndexOf('/');
  return slash < 0 ? { parent: undefined, name: key } : { parent: key.slice(0, slash).replace(/^\//, ''), name: key.slice(slash + 1) };
}

/** HostConfig.CgroupParent as runc's CleanPath leaves it, without the leading slash ('' = the root). */
export function cleanCgroupParent(parent: string): string {
  const out: string[] = [];
  for (const s of parent.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') out.pop();
    else out.push(s);
  }
  return out.join('/');
}

export interface KillDeps {
  kill(pid: number, signal: NodeJS.Signals | number): void;
}

export const processKiller: KillDeps = {
  kill: (pid, signal) => {
    try {
      process.kill(pid, signal);
    } catch {
      // ESRCH: it is gone already, which is what we want.
    }
  },
};

/** SIGKILL everything listed until the listing is empty (forks racing the kill are caught on the next round). */
export async function killUntilEmpty(listPids: () => Promise<number[]>, killer: KillDeps, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pids = await listPids();
    if (pids.length === 0) return true;
    for (const pid of pids) killer.kill(pid, 'SIGKILL');
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
}
