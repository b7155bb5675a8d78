import { useMemo, type ReactNode } from 'react';
import { ErrorState, Loading } from '../../../components/state-views';
import { TimeSeriesChart } from '../../../components/time-series-chart';
import { formatBytes, formatMemory } from '../../../lib/format';
import { useContainerStats } from '../hooks/use-container-stats';
import { toStatsPanelView } from '../model/stats-mapper';
import { toStatsSeries } from '../model/stats-series';

const percent = (v: number): string => `${v.toFixed(v >= 10 ? 0 : 1)} %`;
const rate = (v: number): string => `${formatBytes(v)}/s`;
/** An idle container's rate axis still spans 0 to 1 kB/s rather than fractions of a byte. */
const RATE_MIN_TOP = 1000;

/** Live usage of a running container: the latest figures, and charts of the last few minutes. */
export function StatsPanel({ hostId, containerId, running, active }: { hostId: string; containerId: string; running: boolean; active: boolean }): ReactNode {
  const { samples, ended } = useContainerStats(hostId, containerId, active && running);
  const view = useMemo(() => toStatsPanelView(samples), [samples]);
  const series = useMemo(() => toStatsSeries(samples), [samples]);
  // The memory chart's top is the limit (or the host's memory when unlimited): usage reads against it.
  const memoryTop = Math.max(0, ...series.memoryLimit) * 1.05 || undefined;
  if (!running) return <div className="empty">The container is not running: no live usage.</div>;
  if (ended) return <ErrorState error={ended} />;
  if (!view) return <Loading label="Waiting for the first sample…" />;
  return (
    <div data-testid="stats-panel" data-sample-count={samples.length}>
      <dl className="kv">
        <dt>CPU</dt>
        <dd>{view.cpu}</dd>
        <dt>Memory</dt>
        <dd>
          {view.memory} ({view.memoryPercent})
        </dd>
        <dt>PIDs</dt>
        <dd>{view.pids}</dd>
        <dt>Network</dt>
        <dd>{view.network}</dd>
        <dt>Block I/O</dt>
        <dd>{view.block}</dd>
      </dl>
      <div className="stats-charts">
        <TimeSeriesChart title="CPU" t={series.t} formatValue={percent} series={[{ label: 'Usage', values: series.cpuPercent, colorVar: '--chart-1' }]} />
        <TimeSeriesChart
          title="Memory"
          t={series.t}
          formatValue={formatMemory}
          yMax={memoryTop}
          series={[
            { label: 'Used', values: series.memoryUsage, colorVar: '--chart-2' },
            { label: 'Limit', values: series.memoryLimit, colorVar: '--chart-3', dashed: true },
          ]}
        />
        <TimeSeriesChart
          title="Network"
          t={series.t}
          formatValue={rate}
          minTop={RATE_MIN_TOP}
          series={[
            { label: 'Received', values: series.netRxRate, colorVar: '--chart-1' },
            { label: 'Sent', values: series.netTxRate, colorVar: '--chart-4' },
          ]}
        />
        <TimeSeriesChart
          title="Block I/O"
          t={series.t}
          formatValue={rate}
          minTop={RATE_MIN_TOP}
          series={[
            { label: 'Read', values: series.blockReadRate, colorVar: '--chart-2' },
            { label: 'Written', values: series.blockWriteRate, colorVar: '--chart-3' },
          ]}
        />
      </div>
    </div>
  );
}
