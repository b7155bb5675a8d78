import { memo, type ReactNode } from 'react';
import { Badge } from '../../../components/badge';
import { hrefFor } from '../../../lib/navigation';
import { sameRow, type ContainerRowView } from '../model/container-mapper';

export interface RowHandlers {
  onStart: (id: string) => void;
  onStop: (row: ContainerRowView) => void;
  onRestart: (id: string) => void;
  onKill: (id: string) => void;
  onRemove: (row: ContainerRowView) => void;
}

const ContainerRow = memo(
  function ContainerRow({ row, pending, handlers }: { row: ContainerRowView; pending: boolean; handlers: RowHandlers }): ReactNode {
    return (
      <tr data-container-id={row.id} data-container-name={row.name} data-state={row.state}>
        <td>
          <a href={hrefFor('containers', row.id)} className="link-button">
            {row.name}
          </a>
          <div className="hint mono">{row.shortId}</div>
        </td>
        <td className="mono">{row.image}</td>
        <td>
          <Badge tone={row.tone} title={row.status}>
            {row.stateLabel}
          </Badge>
          <div className="hint">{row.status}</div>
        </td>
        <td title={row.createdTitle}>{row.created}</td>
        <td className="num">{row.cpu}</td>
        <td className="num" title={row.memoryTitle}>
          {row.memory}
        </td>
        <td className="actions">
          {row.canStart ? (
            <button type="button" className="small" disabled={pending} onClick={() => handlers.onStart(row.id)}>
              Start
            </button>
          ) : null}
          {row.canStop ? (
            <button type="button" className="small" disabled={pending} onClick={() => handlers.onStop(row)}>
              Stop
            </button>
          ) : null}
          <button type="button" className="small" disabled={pending} onClick={() => handlers.onRestart(row.id)}>
            Restart
          </button>
          {row.canKill ? (
            <button type="button" className="small" disabled={pending} onClick={() => handlers.onKill(row.id)}>
              Kill
            </button>
          ) : null}
          <button type="button" className="small danger" disabled={pending} onClick={() => handlers.onRemove(row)}>
            Remove
          </button>
        </td>
      </tr>
    );
  },
  (a, b) => a.pending === b.pending && a.handlers === b.handlers && sameRow(a.row, b.row),
);

/**
 * The container table. Rows are memoised on their view model's fields, so a stats tick or an
 * event that changes one container re-renders one row, not 500.
 */
export function ContainerTable({ rows, pendingIds, handlers }: { rows: readonly ContainerRowView[]; pendingIds: ReadonlySet<string>; handlers: RowHandlers }): ReactNode {
  return (
    <table className="list" aria-label="Containers">
      <thead>
        <tr>
          <th>Name</th>
          <th>Image</th>
          <th>State</th>
          <th>Created</th>
          <th style={{ textAlign: 'right' }}>CPU</th>
          <th style={{ textAlign: 'right' }}>Memory</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <ContainerRow key={row.id} row={row} pending={pendingIds.has(row.id)} handlers={handlers} />
        ))}
      </tbody>
    </table>
  );
}
