import { useMemo, useState, type ReactNode } from 'react';
import { Play, RotateCcw, Square, Trash2 } from 'lucide-react';
import { Badge } from '../../../components/badge';
import { Button } from '../../../components/button';
import { EmptyState, ErrorState, Loading } from '../../../components/state-views';
import { TabPanel, Tabs, type TabDef } from '../../../components/tabs';
import { LOCAL_HOST_ID } from '../../../../../src-shared/ipc/models/hosts';
import { useActiveHost } from '../../../lib/active-host';
import { hrefFor, navigate } from '../../../lib/navigation';
import { useContainers } from '../api/get-containers';
import type { StackAction } from '../api/stack-actions';
import { useContainerEvents } from '../hooks/use-container-events';
import { useStackCommands } from '../hooks/use-stack-commands';
import { toContainerRowViews } from '../model/container-mapper';
import { groupByStack } from '../model/stack-model';
import { StackLogsPanel } from './stack-logs-panel';
import { StackServicesPanel } from './stack-services-panel';

type StackTab = 'services' | 'logs';
const TABS: readonly TabDef<StackTab>[] = [
  { id: 'services', label: 'Services' },
  { id: 'logs', label: 'Logs' },
];

/**
 * One compose stack (`#/containers/stack/<project>[/logs]`): its services with state, health and
 * ports, its networks and volumes, and the combined log. Built from the containers list, so it
 * follows engine events like the list does; the stack is gone when its last container is.
 */
export function StackDetails({ project, initialTab }: { project: string; initialTab?: string }): ReactNode {
  const { hostId } = useActiveHost();
  const query = useContainers(hostId);
  useContainerEvents(hostId);
  const commands = useStackCommands(hostId);
  const [tab, setTab] = useState<StackTab>(initialTab === 'logs' ? 'logs' : 'services');
  const stack = useMemo(() => {
    if (!query.data) return undefined;
    const rows = toContainerRowViews(query.data, {}, Date.now(), {}, hostId === LOCAL_HOST_ID ? '127.0.0.1' : undefined);
    return groupByStack(rows).stacks.find((s) => s.project === project);
  }, [query.data, hostId, project]);
  const back = (
    <a href={hrefFor('containers')} className="link-button">
      ← Containers
    </a>
  );
  if (query.isPending) return <Loading label="Loading stack…" />;
  if (query.isError && !query.data) {
    return (
      <section>
        {back}
        <ErrorState error={query.error} onRetry={() => void query.refetch()} retrying={query.isFetching} />
      </section>
    );
  }
  if (!stack) {
    return (
      <section>
        {back}
        <EmptyState title={`No stack named ${project}`}>No container carries the label com.docker.compose.project={project}.</EmptyState>
      </section>
    );
  }
  const pending = commands.pending.has(project);
  const act = (a: StackAction) => () =>
    void commands.run(project, a).then((done) => {
      if (done && a === 'remove') navigate('containers');
    });
  const selectTab = (t: StackTab): void => {
    setTab(t);
    window.history.replaceState(null, '', hrefFor('containers', 'stack', project, ...(t === 'logs' ? ['logs'] : [])));
  };
  return (
    <section data-testid="stack-details" data-stack={project}>
      {back}
      <div className="view-header">
        <h1>{project}</h1>
        <Badge tone={pending ? 'warn' : stack.tone}>
          <span data-testid="stack-count">{stack.countLabel}</span>
        </Badge>
        <span className="hint">compose stack</span>
        <div className="spacer" />
        {stack.canStop ? (
          <Button icon={Square} busy={pending} onClick={act('stop')}>
            Stop
          </Button>
        ) : (
          <Button icon={Play} busy={pending} disabled={!stack.canStart} onClick={act('start')}>
            Start
          </Button>
        )}
        <Button icon={RotateCcw} disabled={pending} onClick={act('restart')}>
          Restart
        </Button>
        <Button variant="danger" icon={Trash2} disabled={pending} onClick={act('remove')}>
          Remove
        </Button>
      </div>
      <Tabs tabs={TABS} active={tab} onChange={selectTab} label="Stack details">
        <TabPanel id="services">
          <StackServicesPanel hostId={hostId} stack={stack} />
        </TabPanel>
        <TabPanel id="logs">
          <StackLogsPanel hostId={hostId} stack={stack} />
        </TabPanel>
      </Tabs>
    </section>
  );
}
