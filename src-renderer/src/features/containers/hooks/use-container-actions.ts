import { useMemo, useRef } from 'react';
import { useKillContainer } from '../api/kill-container';
import { useRemoveContainer } from '../api/remove-container';
import { useRestartContainer } from '../api/restart-container';
import { useStartContainer } from '../api/start-container';
import { useStopContainer } from '../api/stop-container';
import { useToast } from '../../../components/toast';
import { useStopping } from './use-stopping';

export interface ContainerCommands {
  start: (id: string) => void;
  stop: (id: string, timeoutSeconds: number) => void;
  restart: (id: string) => void;
  kill: (id: string) => void;
  remove: (id: string, force: boolean) => Promise<void>;
  reset: () => void;
}

export interface ContainerActions {
  /** Stable across renders, so memoised rows do not re-render because of them. */
  commands: ContainerCommands;
  /** The last failed action's error, for one place in the view to show it. */
  error: unknown;
  pendingIds: ReadonlySet<string>;
  /** Containers with a stop in flight: id -> when SIGKILL comes. */
  stopping: Readonly<Record<string, number>>;
}

/** The lifecycle mutations of one host bundled for a list or details view. */
export function useContainerActions(hostId: string): ContainerActions {
  const start = useStartContainer();
  const stop = useStopContainer();
  const restart = useRestartContainer();
  const kill = useKillContainer();
  const remove = useRemoveContainer();
  const stopping = useStopping(hostId);
  const toast = useToast();
  const latest = useRef({ hostId, start, stop, restart, kill, remove, stopping, toast });
  latest.current = { hostId, start, stop, restart, kill, remove, stopping, toast };
  const fail = (what: string) => (err: unknown) => latest.current.toast.error(what, err);

  const commands = useMemo<ContainerCommands>(
    () => ({
      start: (id) => latest.current.start.mutate({ hostId: latest.current.hostId, id }, { onError: fail('Start failed') }),
      stop: (id, timeoutSeconds) => {
        const l = latest.current;
        l.stopping.begin(id, timeoutSeconds);
        l.stop.mutate({ hostId: l.hostId, id, timeoutSeconds }, { onSettled: () => l.stopping.end(id), onError: fail('Stop failed') });
      },
      restart: (id) => latest.current.restart.mutate({ hostId: latest.current.hostId, id }, { onError: fail('Restart failed') }),
      kill: (id) => latest.current.kill.mutate({ hostId: latest.current.hostId, id }, { onError: fail('Kill failed') }),
      remove: (id, force) => latest.current.remove.mutateAsync({ hostId: latest.current.hostId, id, force }),
      reset: () => {
        const l = latest.current;
        [l.start, l.stop, l.restart, l.kill, l.remove].forEach((m) => m.reset());
      },
    }),
    [],
  );
  const all = [start, stop, restart, kill, remove];
  const pendingKey = all
    .filter((m) => m.isPending)
    .map((m) => m.variables?.id ?? '')
    .join(',');
  const pendingIds = useMemo(() => new Set(pendingKey.split(',').filter(Boolean)), [pendingKey]);
  const error = all.find((m) => m.isError)?.error ?? null;
  return { commands, error, pendingIds, stopping: stopping.stopping };
}
