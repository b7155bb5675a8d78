import { useMemo, type ReactNode } from 'react';
import { KeyValueList } from '../../../components/key-value-list';
import { QueryView } from '../../../components/state-views';
import { useContainerProcesses } from '../api/get-container-processes';
import { toProcessesPanelView } from '../model/stats-mapper';

/** Each process with its host PID and its PID inside the container, beside the cgroup limits. */
export function ProcessesPanel({ hostId, containerId, running, active }: { hostId: string; containerId: string; running: boolean; active: boolean }): ReactNode {
  const query = useContainerProcesses(hostId, containerId, active && running ? 3000 : false);
  const view = useMemo(() => (query.data ? toProcessesPanelView(query.data) : null), [query.data]);
  if (!running) return <div className="empty">The container is not running: it has no processes.</div>;
  return (
    <QueryView query={query} loadingLabel="Reading processes…">
      {() =>
        view ? (
          <div data-testid="processes-panel">
            {view.note ? <div className="banner banner-info">{view.note}</div> : null}
            <table className="list" aria-label="Processes">
              <thead>
                <tr>
                  <th>Host PID</th>
                  <th>Container PID</th>
                  <th>PPID</th>
                  <th>User</th>
                  <th>Command</th>
                </tr>
              </thead>
              <tbody>
                {view.rows.map((p) => (
                  <tr key={p.key} className={p.isPid1 ? 'selected' : undefined}>
                    <td className="num">{p.hostPid}</td>
                    <td className="num">{p.containerPid}</td>
                    <td className="num">{p.ppid}</td>
                    <td>{p.user}</td>
                    <td className="mono">{p.command}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            {view.cgroup.length > 0 ? (
              <>
                <h3>Cgroup limits and usage</h3>
                <KeyValueList items={view.cgroup} label="Cgroup" />
              </>
            ) : null}
          </div>
        ) : null
      }
    </QueryView>
  );
}
