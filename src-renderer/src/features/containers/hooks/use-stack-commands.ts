import { useCallback, useRef, useState } from 'react';
import { useConfirm } from '../../../components/confirm';
import { useToast } from '../../../components/toast';
import { useStackAction, type StackAction } from '../api/stack-actions';

const DONE: Record<StackAction, string> = { start: 'Started', stop: 'Stopped', restart: 'Restarted', remove: 'Removed' };

export interface StackCommands {
  /** Runs `action` on every container of `project`; remove asks first. False when the person declined or it failed outright. */
  run: (project: string, action: StackAction) => Promise<boolean>;
  /** Projects with an action in flight. */
  pending: ReadonlySet<string>;
}

/** Stack-wide actions of one host with their confirmation and toasts; per-member failures are reported, not hidden. */
export function useStackCommands(hostId: string): StackCommands {
  const mutation = useStackAction();
  const confirm = useConfirm();
  const toast = useToast();
  const [pending, setPending] = useState<ReadonlySet<string>>(new Set());
  const latest = useRef({ hostId, mutation, confirm, toast });
  latest.current = { hostId, mutation, confirm, toast };

  const run = useCallback(async (project: string, action: StackAction): Promise<boolean> => {
    const l = latest.current;
    if (action === 'remove') {
      const ok = await l.confirm({
        kind: 'remove',
        title: `Remove stack ${project}?`,
        confirmLabel: 'Stop and remove',
        danger: true,
        body: `Every container of ${project} is stopped and removed, then its networks (${project}_*), like docker-compose down. Volumes are kept.`,
      });
      if (!ok) return false;
    }
    setPending((s) => new Set([...s, project]));
    try {
      const r = await l.mutation.mutateAsync({ hostId: l.hostId, project, action });
      if (r.failures.length > 0) {
        const first = r.failures[0]!;
        l.toast.show('error', `Could not ${action} all of ${project} (${r.failures.length} failed)`, `${first.name}: ${first.message}`);
      } else if (action === 'remove') {
        l.toast.success(`${DONE[action]} ${project}`, `${r.containers.length} container(s), ${r.networksRemoved.length} network(s)`);
      }
      return true;
    } catch (err) {
      l.toast.error(`Could not ${action} ${project}`, err);
      return false;
    } finally {
      setPending((s) => new Set([...s].filter((p) => p !== project)));
    }
  }, []);
  return { run, pending };
}
