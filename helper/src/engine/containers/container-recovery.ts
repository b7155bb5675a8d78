import type { ContainerProcess, ExitStatus } from '../../runtime/runtime';
import { exists } from './container-helpers';
import { runtimeRefOf } from './container-spec';
import type { ContainerServiceDeps } from './container-types';

/** dockerd reports a container whose exit was never recorded with 255. */
const UNKNOWN_EXIT = 255;

/** What recovery asks of the container lifecycle (ContainerService). */
export interface RecoveryHooks {
  /** Makes a reconnected process the container's live one and handles its exit when it comes. */
  adopt(id: string, proc: ContainerProcess): void;
  /** Removes a container now (auto-remove of one that exited while berthd was down). */
  removeNow(id: string): Promise<void>;
}

/**
 * After a berthd restart: loads every record and reconnects to the monitors of containers that
 * were running. Those whose monitor is gone are marked exited with the recorded exit status (or
 * 255 when nothing was recorded), and auto-remove ones are removed.
 */
export async function recoverContainers(deps: Pick<ContainerServiceDeps, 'store' | 'runtime' | 'log'>, hooks: RecoveryHooks): Promise<void> {
  const { store, runtime, log } = deps;
  const recs = await store.load((id, err) => log.error({ err, id }, 'unreadable container record skipped'));
  await Promise.all(
    recs.map(async (rec) => {
      const ref = runtimeRefOf(store, rec.id);
      // Auto-remove containers that exited (or were being removed) before the restart go now.
      if ((rec.state.status === 'exited' || rec.state.status === 'dead') && rec.hostConfig.autoRemove) {
        await hooks.removeNow(rec.id).catch((err: unknown) => log.error({ err, id: rec.id }, 'auto-remove at start-up failed'));
        return;
      }
      if (rec.state.status !== 'running' && rec.state.status !== 'paused' && rec.state.status !== 'restarting' && rec.state.status !== 'removing') {
        // A crash between runtime create and start, or between exit and cleanup, leaves runtime
        // state (maybe a monitor held at its barrier): clear it so nothing outlives the record.
        if (await exists(ref.stateDir)) await runtime.delete(ref);
        return;
      }
      try {
        const found = await runtime.recover(ref);
        if (found.state === 'running') {
          // A paused container stays paused (its cgroup is still frozen).
          if (rec.state.status === 'restarting') await store.update(rec.id, (r) => (r.state.status = 'running'));
          hooks.adopt(rec.id, found.container);
          return;
        }
        if (found.state === 'created') {
          found.container.close();
          await runtime.delete(ref);
        }
        const exit: ExitStatus = found.state === 'exited' ? found.exit : { exitCode: UNKNOWN_EXIT, oomKilled: false, finishedAt: new Date() };
        await store.update(rec.id, (r) => {
          // A "restarting" one keeps the exit it restarts from.
          if (r.state.status === 'restarting') r.state = { ...r.state, status: 'exited', pid: 0 };
          else r.state = { ...r.state, status: 'exited', pid: 0, exitCode: exit.exitCode, oomKilled: exit.oomKilled, finishedAt: exit.finishedAt.toISOString() };
        });
        await runtime.delete(ref).catch(() => undefined);
        if (rec.hostConfig.autoRemove) await hooks.removeNow(rec.id);
      } catch (err) {
        log.error({ err, id: rec.id }, 'container recovery failed');
      }
    }),
  );
}
