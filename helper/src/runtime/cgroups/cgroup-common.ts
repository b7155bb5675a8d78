import { setTimeout as sleep } from 'node:timers/promises';
import { invalidArgument } from '../../lib/errors';

/** Cgroup names are container IDs: refuse anything that could walk out of the parent. */
export function checkCgroupId(id: string): void {
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(id)) throw invalidArgument('INVALID_CGROUP_ID', `invalid cgroup name "${id}"`);
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
