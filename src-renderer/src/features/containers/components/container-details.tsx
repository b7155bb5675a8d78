import { useState, type ReactNode } from 'react';
import { Badge } from '../../../components/badge';
import { ConfirmDialog } from '../../../components/confirm-dialog';
import { Pid1Warning } from '../../../components/pid1-warning';
import { EmptyState, ErrorState, InlineError, Loading } from '../../../components/state-views';
import { TabPanel, Tabs, type TabDef } from '../../../components/tabs';
import { useActiveHost } from '../../../lib/active-host';
import { describeError } from '../../../lib/describe-error';
import { hrefFor, navigate } from '../../../lib/navigation';
import { useContainer } from '../api/inspect-container';
import { useContainerActions } from '../hooks/use-container-actions';
import { useContainerEvents } from '../hooks/use-container-events';
import { toContainerOverview } from '../model/container-detail-mapper';
import { InspectPanel } from './inspect-panel';
import { LogsPanel } from './logs-panel';
import { ProcessesPanel } from './processes-panel';
import { StatsPanel } from './stats-panel';
import { StopDialog } from './stop-dialog';
import { TerminalPanel } from './terminal-panel';

type TabId = 'logs' | 'inspect' | 'stats' | 'processes' | 'terminal';
const TABS: readonly TabDef<TabId>[] = [
  { id: 'logs', label: 'Logs' },
  { id: 'inspect', label: 'Inspect' },
  { id: 'stats', label: 'Stats' },
  { id: 'processes', label: 'Processes' },
  { id: 'terminal', label: 'Terminal' },
];

/**
 * One container. The terminal tab, once opened, stays mounted (hidden) while the details are
 * open, so its xterm buffer and session survive switching to Logs and back.
 */
export function ContainerDetails({ containerId, initialTab }: { containerId: string; initialTab?: string }): ReactNode {
  const { hostId } = useActiveHost();
  const query = useContainer(hostId, containerId);
  useContainerEvents(hostId);
  const [tab, setTab] = useState<TabId>(TABS.some((t) => t.id === initialTab) ? (initialTab as TabId) : 'logs');
  const [terminalOpened, setTerminalOpened] = useState(tab === 'terminal');
  const [stopping, setStopping] = useState(false);
  const [removing, setRemoving] = useState(false);
  const { commands, error, pendingIds } = useContainerActions(hostId);
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
  const o = toContainerOverview(detail);
  const pending = pendingIds.has(o.id);
  const selectTab = (id: TabId): void => {
    setTab(id);
    if (id === 'terminal') setTerminalOpened(true);
  };

  return (
    <section data-testid="container-details" data-container-id={o.id}>
      {back}
      <div className="view-header">
        <h1>{o.name}</h1>
        <Badge tone={o.tone}>{o.stateLabel}</Badge>
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
        <button type="button" disabled={pending} onClick={() => commands.restart(o.id)}>
          Restart
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
      <InlineError error={error} />
      {o.pid1Warning ? <Pid1Warning warning={o.pid1Warning} /> : null}
      <Tabs tabs={TABS} active={tab} onChange={selectTab} label="Container details" />
      <TabPanel id="logs" active={tab === 'logs'}>
        <LogsPanel hostId={hostId} containerId={o.id} running={o.running} />
      </TabPanel>
      <TabPanel id="inspect" active={tab === 'inspect'}>
        <InspectPanel overview={o} raw={detail.raw} />
      </TabPanel>
      <TabPanel id="stats" active={tab === 'stats'}>
        <StatsPanel hostId={hostId} containerId={o.id} running={o.running} active={tab === 'stats'} />
      </TabPanel>
      <TabPanel id="processes" active={tab === 'processes'}>
        <ProcessesPanel hostId={hostId} containerId={o.id} running={o.running} active={tab === 'processes'} />
      </TabPanel>
      {terminalOpened ? (
        <TabPanel id="terminal" active={tab === 'terminal'} keepMounted>
          <TerminalPanel hostId={hostId} containerId={o.id} visible={tab === 'terminal'} running={o.running} />
        </TabPanel>
      ) : null}
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
