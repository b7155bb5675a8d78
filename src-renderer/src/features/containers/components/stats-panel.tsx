import { useMemo, type ReactNode } from 'react';
import { Sparkline } from '../../../components/sparkline';
import { ErrorState, Loading } from '../../../components/state-views';
import { useContainerStats } from '../hooks/use-container-stats';
import { toStatsPanelView } from '../model/stats-mapper';

export function StatsPanel({ hostId, containerId, running, active }: { hostId: string; containerId: string; running: boolean; active: boolean }): ReactNode {
  const { samples, ended } = useContainerStats(hostId, containerId, active && running);
  const view = useMemo(() => toStatsPanelView(samples), [samples]);
  if (!running) return <div className="empty">The container is not running: no live usage.</div>;
  if (ended) return <ErrorState error={ended} />;
  if (!view) return <Loading label="Waiting for the first sample…" />;
  return (
    <div data-testid="stats-panel">
      <dl className="kv">
        <dt>CPU</dt>
        <dd>
          {view.cpu} <Sparkline values={view.cpuSeries} label="CPU over the last minute" />
        </dd>
        <dt>Memory</dt>
        <dd>
          {view.memory} ({view.memoryPercent}) <Sparkline values={view.memorySeries} max={100} label="Memory over the last minute" />
        </dd>
        <dt>PIDs</dt>
        <dd>{view.pids}</dd>
        <dt>Network</dt>
        <dd>{view.network}</dd>
        <dt>Block I/O</dt>
        <dd>{view.block}</dd>
      </dl>
    </div>
  );
}
