import { useMemo, useState, type ReactNode } from 'react';
import { ConfirmDialog } from '../../../components/confirm-dialog';
import { PruneDialog } from '../../../components/prune-dialog';
import { EmptyState, InlineError, QueryView } from '../../../components/state-views';
import { useActiveHost } from '../../../lib/active-host';
import { navigate } from '../../../lib/navigation';
import { useNow } from '../../../lib/use-now';
import { useContainers } from '../api/get-containers';
import { usePruneContainers } from '../api/prune-containers';
import { useContainerActions } from '../hooks/use-container-actions';
import { useContainerEvents } from '../hooks/use-container-events';
import { useStatsSummary } from '../hooks/use-stats-summary';
import { countContainers, toContainerRowViews, type ContainerRowView } from '../model/container-mapper';
import { ContainerTable, type RowHandlers } from './container-table';
import { RunDialog } from './run-dialog';
import { StopDialog } from './stop-dialog';

export function ContainersView({ runImage, runInit }: { runImage?: string; runInit?: boolean }): ReactNode {
  const { hostId } = useActiveHost();
  const query = useContainers(hostId);
  useContainerEvents(hostId);
  const stats = useStatsSummary(hostId, query.isSuccess);
  const now = useNow(30_000);
  const [filter, setFilter] = useState('');
  const [running, setRunning] = useState(runImage !== undefined);
  const [stopping, setStopping] = useState<ContainerRowView | null>(null);
  const [removing, setRemoving] = useState<ContainerRowView | null>(null);
  const [pruning, setPruning] = useState(false);
  const actions = useContainerActions(hostId);
  const prune = usePruneContainers();

  const rows = useMemo(() => (query.data ? toContainerRowViews(query.data, stats, now) : []), [query.data, stats, now]);
  const shown = useMemo(() => {
    const f = filter.trim().toLowerCase();
    return f === '' ? rows : rows.filter((r) => r.name.toLowerCase().includes(f) || r.image.toLowerCase().includes(f) || r.shortId.startsWith(f));
  }, [rows, filter]);
  const counts = countContainers(rows);
  const { commands } = actions;
  const handlers = useMemo<RowHandlers>(
    () => ({
      onStart: commands.start,
      onStop: setStopping,
      onRestart: commands.restart,
      onKill: commands.kill,
      onRemove: (row) => (row.running ? setRemoving(row) : void commands.remove(row.id, false).catch(() => undefined)),
    }),
    [commands],
  );

  return (
    <section>
      <div className="view-header">
        <h1>Containers</h1>
        {query.data ? <span className="hint">{counts.label}</span> : null}
        <div className="spacer" />
        <input aria-label="Filter containers" placeholder="Filter by name or image" value={filter} onChange={(e) => setFilter(e.target.value)} />
        <button type="button" onClick={() => setPruning(true)}>
          Prune stopped
        </button>
        <button type="button" className="primary" onClick={() => setRunning(true)}>
          Run container
        </button>
      </div>
      <InlineError error={actions.error} />
      <QueryView
        query={query}
        loadingLabel="Loading containers…"
        isEmpty={(d) => d.length === 0}
        empty={
          <EmptyState title="No containers yet">
            Run one with <em>Run container</em>, or pull an image first in Images.
          </EmptyState>
        }
      >
        {() =>
          shown.length === 0 ? (
            <EmptyState title="No container matches the filter" />
          ) : (
            <ContainerTable rows={shown} pendingIds={actions.pendingIds} handlers={handlers} />
          )
        }
      </QueryView>
      {running ? (
        <RunDialog
          hostId={hostId}
          initialImage={runImage}
          initialInit={runInit}
          onClose={() => {
            setRunning(false);
            if (runImage !== undefined && window.location.hash.startsWith('#/containers/new')) navigate('containers');
          }}
        />
      ) : null}
      {stopping ? (
        <StopDialog
          name={stopping.name}
          onClose={() => setStopping(null)}
          onStop={(t) => {
            commands.stop(stopping.id, t);
            setStopping(null);
          }}
        />
      ) : null}
      {removing ? (
        <ConfirmDialog
          title={`Remove ${removing.name}?`}
          confirmLabel="Kill and remove"
          danger
          onClose={() => setRemoving(null)}
          onConfirm={() => {
            void commands.remove(removing.id, true).catch(() => undefined);
            setRemoving(null);
          }}
        >
          The container is running. It will be killed (SIGKILL) and removed with its read-write layer.
        </ConfirmDialog>
      ) : null}
      {pruning ? (
        <PruneDialog
          title="Remove all stopped containers?"
          removed={(n) => `Removed ${n} container${n === 1 ? '' : 's'}`}
          prune={prune}
          run={() => prune.mutate(hostId)}
          onClose={() => setPruning(false)}
        >
          <p>Every container that is not running is removed, with its read-write layer.</p>
        </PruneDialog>
      ) : null}
    </section>
  );
}
