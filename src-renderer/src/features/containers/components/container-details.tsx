import { useMemo, useState, type ReactNode } from 'react';
import { Badge } from '../../../components/badge';
import { ConfirmDialog } from '../../../components/confirm-dialog';
import { Pid1Warning } from '../../../components/pid1-warning';
import { EmptyState, ErrorState, InlineError, Loading } from '../../../components/state-views';
import { TabPanel, Tabs, type TabDef } from '../../../components/tabs';
import { LOCAL_HOST_ID } from '../../../../../src-shared/ipc/models/hosts';
import { useActiveHost } from '../../../lib/active-host';
import { describeError } from '../../../lib/describe-error';
import { useExtensions } from '../../../lib/extension-points';
import { hrefFor, navigate } from '../../../lib/navigation';
import { useContainerLifecycle } from '../api/container-lifecycle';
import { useContainer } from '../api/inspect-container';
import { useToast } from '../../../components/toast';
import { useContainerActions } from '../hooks/use-container-actions';
import { useContainerEvents } from '../hooks/use-container-events';
import { toContainerOverview } from '../model/container-detail-mapper';
import { stoppingLabel } from '../model/container-mapper';
import { useNow } from '../../../lib/use-now';
import { HealthBadge, HealthResults } from './health-summary';
import { InspectPanel } from './inspect-panel';
import { RenameDialog } from './rename-dialog';
import { UpdateDialog } from './update-dialog';
import { PortLink } from './port-link';
import { LogsPanel } from './logs-panel';
import { ProcessesPanel } from './processes-panel';
import { StatsPanel } from './stats-panel';
import { StopDialog } from './stop-dialog';
import { TerminalPanel } from './terminal-panel';

const BUILT_IN: readonly (TabDef<string> & { order: number })[] = [
  { id: 'logs', label: 'Logs', order: 10 },
  { id: 'inspect', label: 'Inspect', order: 20 },
  { id: 'stats', label: 'Stats', order: 30 },
  { id: 'processes', label: 'Processes', order: 40 },
  { id: 'terminal', label: 'Terminal', order: 50 },
];

/**
 * One container. The terminal tab, once opened, stays mounted (hidden) while the details are
 * open, so its xterm buffer and session survive switching to Logs and back.
 */
export function ContainerDetails({ containerId, initialTab }: { containerId: string; initialTab?: string }): ReactNode {
  const { hostId } = useActiveHost();
  const query = useContainer(hostId, containerId);
  useContainerEvents(hostId);
  const { containerTabs: extraTabs } = useExtensions();
  const tabs = useMemo(() => [...BUILT_IN, ...extraTabs.map((t) => ({ id: t.id, label: t.label, order: t.order }))].sort((a, b) => a.order - b.order), [extraTabs]);
  const [tab, setTab] = useState<string>(tabs.some((t) => t.id === initialTab) ? (initialTab as string) : 'logs');
  const [opened, setOpened] = useState<ReadonlySet<string>>(() => new Set([tab]));
  const terminalOpened = opened.has('terminal');
  const [stopping, setStopping] = useState(false);
  const [removing, setRemoving] = useState(false);
  const [renaming, setRenaming] = useState(false);
  const [updating, setUpdating] = useState(false);
  const lifecycle = useContainerLifecycle();
  const toast = useToast();
  const { commands, error, pendingIds, stopping: stoppingMap } = useContainerActions(hostId);
  const stopDeadline = stoppingMap[query.data?.id ?? containerId];
  const now = useNow(1000, stopDeadline !== undefined);
  const back = (
    <a href={hrefFor('containers')} className="link-button">
      ← Containers
    </a>
  );

  if (query.isPending) return <Loading label="Loading container…" />;
  if (query.isError && !query.data) {
    if (describeError(query.error).kind === 'NotFound') {
      return (
        <section>
          {back}
          <EmptyState title="This container no longer exists">It was removed.</EmptyState>
        </section>
      );
    }
    return (
      <section>
        {back}
        <ErrorState error={query.error} onRetry={() => void query.refetch()} retrying={query.isFetching} />
      </section>
    );
  }
  const detail = query.data;
  const o = toContainerOverview(detail, hostId === LOCAL_HOST_ID ? '127.0.0.1' : undefined);
  const pending = pendingIds.has(o.id);
  const selectTab = (id: string): void => {
    setTab(id);
    setOpened((s) => (s.has(id) ? s : new Set([...s, id])));
  };

  return (
    <section data-testid="container-details" data-container-id={o.id}>
      {back}
      <div className="view-header">
        <h1>{o.name}</h1>
        {o.running && stopDeadline !== undefined ? (
          <Badge tone="warn">
            <span data-testid="stopping-countdown">{stoppingLabel(stopDeadline, Math.max(now, Date.now()))}</span>
          </Badge>
        ) : (
          <Badge tone={o.tone}>{o.stateLabel}</Badge>
        )}
        {detail.health && detail.state.status !== 'exited' ? <HealthBadge health={detail.health} /> : null}
        <span className="hint mono">{o.shortId}</span>
        <div className="spacer" />
        {!o.running ? (
          <button type="button" disabled={pending} onClick={() => commands.start(o.id)}>
            Start
          </button>
        ) : (
          <button type="button" disabled={pending} onClick={() => setStopping(true)}>
            Stop
          </button>
        )}
        {o.paused ? (
          <button type="button" disabled={lifecycle.unpause.isPending} onClick={() => lifecycle.unpause.mutate({ hostId, id: o.id }, { onError: (e) => toast.error('Resume failed', e) })}>
            Resume
          </button>
        ) : o.running ? (
          <button type="button" disabled={pending || lifecycle.pause.isPending} onClick={() => lifecycle.pause.mutate({ hostId, id: o.id }, { onError: (e) => toast.error('Pause failed', e) })}>
            Pause
          </button>
        ) : null}
        <button type="button" disabled={pending} onClick={() => commands.restart(o.id)}>
          Restart
        </button>
        <button type="button" onClick={() => setRenaming(true)}>
          Rename
        </button>
        <button type="button" onClick={() => setUpdating(true)}>
          Edit limits
        </button>
        {o.running ? (
          <button type="button" disabled={pending} onClick={() => commands.kill(o.id)}>
            Kill
          </button>
        ) : null}
        <button type="button" className="danger" disabled={pending} onClick={() => setRemoving(true)}>
          Remove
        </button>
      </div>
      {o.addresses.length > 0 || o.ports.length > 0 ? (
        <div className="container-endpoints" data-testid="container-endpoints">
          {o.addresses.map((a) => (
            <span key={a.network} className="hint" data-network={a.network}>
              {a.network} <span className="mono">{a.text}</span>
            </span>
          ))}
          {o.ports.length > 0 ? (
            <span className="port-links">
              {o.ports.map((p) => (
                <PortLink key={p.key} port={p} />
              ))}
            </span>
          ) : null}
        </div>
      ) : null}
      {detail.health && detail.health.status === 'unhealthy' ? (
        <details className="problems" data-testid="health-details">
          <summary>
            Unhealthy: {detail.health.failingStreak} failing check{detail.health.failingStreak === 1 ? '' : 's'} in a row
          </summary>
          <HealthResults health={detail.health} />
        </details>
      ) : null}
      <InlineError error={error} />
      {o.pid1Warning ? <Pid1Warning warning={o.pid1Warning} /> : null}
      <Tabs tabs={tabs} active={tab} onChange={selectTab} label="Container details">
      <TabPanel id="logs">
        <LogsPanel hostId={hostId} containerId={o.id} running={o.running} />
      </TabPanel>
      <TabPanel id="inspect">
        <InspectPanel overview={o} raw={detail.raw} />
      </TabPanel>
      <TabPanel id="stats">
        <StatsPanel hostId={hostId} containerId={o.id} running={o.running} active={tab === 'stats'} />
      </TabPanel>
      <TabPanel id="processes">
        <ProcessesPanel hostId={hostId} containerId={o.id} running={o.running} active={tab === 'processes'} />
      </TabPanel>
      {terminalOpened ? (
        <TabPanel id="terminal" keepMounted>
          <TerminalPanel hostId={hostId} containerId={o.id} visible={tab === 'terminal'} running={o.running} />
        </TabPanel>
      ) : null}
      {extraTabs.map((t) =>
        opened.has(t.id) || tab === t.id ? (
          <TabPanel key={t.id} id={t.id} keepMounted={t.keepMounted}>
            <t.Component hostId={hostId} containerId={o.id} running={o.running} visible={tab === t.id} />
          </TabPanel>
        ) : null,
      )}
      </Tabs>
      {stopping ? (
        <StopDialog
          name={o.name}
          onClose={() => setStopping(false)}
          onStop={(t) => {
            commands.stop(o.id, t);
            setStopping(false);
          }}
        />
      ) : null}
      {renaming ? (
        <RenameDialog
          name={o.name}
          busy={lifecycle.rename.isPending}
          error={lifecycle.rename.error}
          onClose={() => {
            lifecycle.rename.reset();
            setRenaming(false);
          }}
          onRename={(name) =>
            lifecycle.rename.mutate(
              { hostId, id: o.id, name },
              {
                onSuccess: () => {
                  toast.success('Renamed', `${o.name} → ${name}`);
                  setRenaming(false);
                },
              },
            )
          }
        />
      ) : null}
      {updating ? (
        <UpdateDialog
          detail={detail}
          busy={lifecycle.update.isPending}
          error={lifecycle.update.error}
          onClose={() => {
            lifecycle.update.reset();
            setUpdating(false);
          }}
          onUpdate={(update) =>
            lifecycle.update.mutate(
              { hostId, id: o.id, update },
              {
                onSuccess: (r) => {
                  toast.success('Limits applied', r.warnings.join(' ') || undefined);
                  setUpdating(false);
                },
              },
            )
          }
        />
      ) : null}
      {removing ? (
        <ConfirmDialog
          title={`Remove ${o.name}?`}
          confirmLabel={o.running ? 'Kill and remove' : 'Remove'}
          danger
          onClose={() => setRemoving(false)}
          onConfirm={() => {
            setRemoving(false);
            void commands
              .remove(o.id, o.running)
              .then(() => navigate('containers'))
              .catch(() => undefined);
          }}
        >
          {o.running ? 'The container is running. It will be killed (SIGKILL) and removed with its read-write layer.' : 'The container and its read-write layer will be removed.'}
        </ConfirmDialog>
      ) : null}
    </section>
  );
}
