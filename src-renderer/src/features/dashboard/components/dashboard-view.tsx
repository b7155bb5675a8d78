import { useMemo, type ReactNode } from 'react';
import { KeyValueList } from '../../../components/key-value-list';
import { QueryView } from '../../../components/state-views';
import { useActiveHost } from '../../../lib/active-host';
import { useDiskUsage } from '../../../lib/disk-usage-queries';
import { hrefFor } from '../../../lib/navigation';
import { useEngineInfo } from '../api/get-engine-info';
import { useDashboardEvents } from '../hooks/use-dashboard-events';
import { toContainerCounts, toDiskRows, toResourceFacts } from '../model/dashboard-mapper';
import { DiskUsageTable } from './disk-usage-table';

/** The active host at a glance: its containers by state, its disk use with a prune each, its resources. */
export function DashboardView(): ReactNode {
  const { hostId } = useActiveHost();
  const info = useEngineInfo(hostId);
  const df = useDiskUsage(hostId);
  useDashboardEvents(hostId);
  const diskRows = useMemo(() => (df.data ? toDiskRows(df.data) : []), [df.data]);

  return (
    <section>
      <div className="view-header">
        <h1>Dashboard</h1>
      </div>
      <QueryView query={info} loadingLabel="Loading engine info…">
        {(d) => (
          <>
            <div className="cards" aria-label="Containers by state" role="group">
              {toContainerCounts(d).map((c) => (
                <a key={c.state} className="card" href={hrefFor('containers')} data-container-state={c.state} data-count={c.count}>
                  <h2>{c.label}</h2>
                  <div className="big">{c.count}</div>
                </a>
              ))}
            </div>
            <h2>Disk use</h2>
            <QueryView query={df} loadingLabel="Measuring disk use…">
              {() => <DiskUsageTable hostId={hostId} rows={diskRows} />}
            </QueryView>
            <h2 className="view-section">Engine resources</h2>
            <KeyValueList label="Engine resources" items={toResourceFacts(d).map((f) => ({ key: f.key, value: f.value }))} />
          </>
        )}
      </QueryView>
    </section>
  );
}
