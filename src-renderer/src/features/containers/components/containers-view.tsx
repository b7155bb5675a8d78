import { useMemo, useState, type ReactNode } from 'react';
import { FileCode, Play, Plus, Square, Trash2 } from 'lucide-react';
import { Button } from '../../../components/button';
import { useConfirm } from '../../../components/confirm';
import { BulkBar, FilterInput, selectedIds, type RowSelectionState } from '../../../components/data-table';
import { PruneDialog } from '../../../components/prune-dialog';
import { EmptyState, InlineError, QueryView } from '../../../components/state-views';
import { useToast } from '../../../components/toast';
import { LOCAL_HOST_ID } from '../../../../../src-shared/ipc/models/hosts';
import { useActiveHost } from '../../../lib/active-host';
import { navigate } from '../../../lib/navigation';
import { useMediaQuery } from '../../../lib/use-media-query';
import { useNow } from '../../../lib/use-now';
import { useContainers } from '../api/get-containers';
import { usePruneContainers } from '../api/prune-containers';
import { useContainerActions } from '../hooks/use-container-actions';
import { useContainerEvents } from '../hooks/use-container-events';
import { useStatsSummary } from '../hooks/use-stats-summary';
import { countContainers, toContainerRowViews, type ContainerRowView } from '../model/container-mapper';
import { groupByStack } from '../model/stack-model';
import { useStackCommands } from '../hooks/use-stack-commands';
import { ContainerTable, type RowHandlers } from './container-table';
import { StackList } from './stack-list';
import { ComposeDialog } from './compose-dialog';
import { RunDialog } from './run-dialog';
import { StopDialog } from './stop-dialog';

export function ContainersView({ runImage, runInit }: { runImage?: string; runInit?: boolean }): ReactNode {
  const { hostId } = useActiveHost();
  const query = useContainers(hostId);
  useContainerEvents(hostId);
  const stats = useStatsSummary(hostId, query.isSuccess);
  const actions = useContainerActions(hostId);
  const counting = Object.keys(actions.stopping).length > 0;
  const now = useNow(counting ? 1000 : 30_000);
  const [filter, setFilter] = useState('');
  const [selection, setSelection] = useState<RowSelectionState>({});
  const [running, setRunning] = useState(runImage !== undefined);
  const [stopping, setStopping] = useState<ContainerRowView | null>(null);
  const [pruning, setPruning] = useState(false);
  const [composing, setComposing] = useState(false);
  const compact = useMediaQuery('(max-width: 1100px)');
  const prune = usePruneContainers();
  const confirm = useConfirm();
  const toast = useToast();

  // While counting down, read the clock at render: the tick may be up to a second old.
  const rows = useMemo(
    // Published ports of the local engine open on this machine's loopback; a remote host's are shown only.
    () => (query.data ? toContainerRowViews(query.data, stats, counting ? Math.max(now, Date.now()) : now, actions.stopping, hostId === LOCAL_HOST_ID ? '127.0.0.1' : undefined) : []),
    [query.data, stats, now, counting, actions.stopping, hostId],
  );
  const counts = countContainers(rows);
  const grouped = useMemo(() => groupByStack(rows), [rows]);
  const stackCommands = useStackCommands(hostId);
  const { commands } = actions;
  const chosen = selectedIds(selection, rows);

  const removeRef = async (row: ContainerRowView): Promise<void> => {
    const ok = await confirm({
      kind: 'remove',
      title: `Remove ${row.name}?`,
      confirmLabel: row.running ? 'Kill and remove' : 'Remove',
      danger: true,
      body: row.running ? 'The container is running. It will be killed (SIGKILL) and removed with its read-write layer.' : 'The container and its read-write layer are deleted.',
    });
    if (!ok) return;
    try {
      await commands.remove(row.id, row.running);
      toast.success(`Removed ${row.name}`);
    } catch (err) {
      toast.error(`Could not remove ${row.name}`, err);
    }
  };
  const handlers = useMemo<RowHandlers>(
    () => ({ onStart: commands.start, onStop: setStopping, onRestart: commands.restart, onKill: commands.kill, onRemove: (row) => void removeRef(row) }),
    // `remove` uses confirm/toast, which are stable for the life of their providers.
    [commands, confirm, toast],
  );

  const byId = new Map(rows.map((r) => [r.id, r]));
  const bulkStart = (): void => chosen.forEach((id) => byId.get(id)?.canStart && commands.start(id));
  const bulkStop = (): void => chosen.forEach((id) => byId.get(id)?.canStop && commands.stop(id, 10));
  const bulkRemove = async (): Promise<void> => {
    const anyRunning = chosen.some((id) => byId.get(id)?.running);
    const ok = await confirm({
      kind: 'bulk',
      title: `Remove ${chosen.length} container${chosen.length === 1 ? '' : 's'}?`,
      confirmLabel: anyRunning ? 'Kill and remove' : 'Remove',
      danger: true,
      body: anyRunning ? 'Running containers among them are killed (SIGKILL) first. Each is removed with its read-write layer.' : 'Each is removed with its read-write layer.',
    });
    if (!ok) return;
    const results = await Promise.allSettled(chosen.map((id) => commands.remove(id, true)));
    const failed = results.filter((r) => r.status === 'rejected');
    if (failed.length === 0) toast.success(`Removed ${chosen.length} container${chosen.length === 1 ? '' : 's'}`);
    else toast.error(`${failed.length} of ${chosen.length} could not be removed`, (failed[0] as PromiseRejectedResult).reason);
    setSelection({});
  };

  return (
    <section className="list-view">
      <div className="view-header">
        <h1>Containers</h1>
        {query.data ? <span className="hint">{counts.label}</span> : null}
        <div className="spacer" />
        <FilterInput label="Filter containers" placeholder="Filter by name, image or state" value={filter} onChange={setFilter} />
        <Button icon={Trash2} onClick={() => setPruning(true)}>
          Prune stopped
        </Button>
        <Button icon={FileCode} onClick={() => setComposing(true)}>
          Run compose file
        </Button>
        <Button variant="primary" icon={Plus} onClick={() => setRunning(true)}>
          Run container
        </Button>
      </div>
      <BulkBar count={chosen.length} noun="containers" onClear={() => setSelection({})}>
        <Button size="sm" icon={Play} onClick={bulkStart}>
          Start
        </Button>
        <Button size="sm" icon={Square} onClick={bulkStop}>
          Stop
        </Button>
        <Button size="sm" variant="danger" icon={Trash2} onClick={() => void bulkRemove()}>
          Remove
        </Button>
      </BulkBar>
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
        {() => (
          <>
            <StackList
              stacks={grouped.stacks}
              filter={filter}
              pendingIds={actions.pendingIds}
              pendingStacks={stackCommands.pending}
              handlers={handlers}
              onStackAction={(p, a) => void stackCommands.run(p, a)}
              compact={compact}
            />
            {grouped.standalone.length > 0 || grouped.stacks.length === 0 ? (
              <ContainerTable rows={grouped.standalone} pendingIds={actions.pendingIds} handlers={handlers} filter={filter} selection={selection} onSelectionChange={setSelection} compact={compact} />
            ) : null}
          </>
        )}
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
      {composing ? <ComposeDialog hostId={hostId} onClose={() => setComposing(false)} /> : null}
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
