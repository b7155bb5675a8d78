import { useMemo, type ReactNode } from 'react';
import { Play, RotateCcw, Square, Trash2, Zap } from 'lucide-react';
import { Badge } from '../../../components/badge';
import { Button } from '../../../components/button';
import { DataTable, type ColumnDef, type RowSelectionState } from '../../../components/data-table';
import { ActionMenu } from '../../../components/menu';
import { hrefFor } from '../../../lib/navigation';
import type { ContainerRowView } from '../model/container-mapper';
import { PortLinks } from './port-links';

export interface RowHandlers {
  onStart: (id: string) => void;
  onStop: (row: ContainerRowView) => void;
  onRestart: (id: string) => void;
  onKill: (id: string) => void;
  onRemove: (row: ContainerRowView) => void;
}

const STATE_ORDER: Record<string, number> = { running: 0, restarting: 1, paused: 2, created: 3, exited: 4, dead: 5, removing: 6 };

function columns(pendingIds: ReadonlySet<string>, handlers: RowHandlers, compact: boolean): ColumnDef<ContainerRowView, unknown>[] {
  const cols: (ColumnDef<ContainerRowView, unknown> | false)[] = [
    {
      id: 'name',
      header: 'Name',
      accessorFn: (r) => r.name,
      meta: { width: compact ? '34%' : '22%' },
      cell: ({ row: { original: r } }) => (
        <>
          <a href={hrefFor('containers', r.id)} className="link-button truncate" title={r.name}>
            {r.name}
          </a>
          <div className="hint mono">
            {r.service !== null ? <span data-testid="member-service">{`${r.service} #${r.replica ?? 1} · `}</span> : null}
            {r.shortId}
          </div>
        </>
      ),
    },
    { id: 'image', header: 'Image', accessorFn: (r) => r.image, meta: { width: compact ? '30%' : '22%', className: 'mono' }, cell: ({ row: { original: r } }) => <span title={r.image}>{r.image}</span> },
    {
      id: 'state',
      header: 'State',
      accessorFn: (r) => STATE_ORDER[r.state] ?? 9,
      meta: { width: '15%' },
      cell: ({ row: { original: r } }) => (
        <>
          <Badge tone={r.stoppingLabel ? 'warn' : r.tone} title={r.status}>
            {r.stoppingLabel ?? r.stateLabel}
          </Badge>{' '}
          {r.health !== null ? (
            <span data-testid="row-health" data-health={r.health}>
              <Badge tone={r.health === 'healthy' ? 'ok' : r.health === 'unhealthy' ? 'danger' : 'info'}>{r.health}</Badge>
            </span>
          ) : null}
          <div className="hint truncate" title={r.status}>
            {r.status}
          </div>
        </>
      ),
    },
    !compact && {
      id: 'ports',
      header: 'Ports',
      enableSorting: false,
      meta: { width: '12%' },
      cell: ({ row: { original: r } }) => <PortLinks ports={r.ports} />,
    },
    !compact && { id: 'created', header: 'Created', accessorFn: (r) => r.createdAt, meta: { width: '12%' }, cell: ({ row: { original: r } }) => <span title={r.createdTitle}>{r.created}</span> },
    !compact && { id: 'cpu', header: 'CPU', accessorFn: (r) => r.cpuValue, sortUndefined: 'last', meta: { width: '8%', align: 'right' }, cell: ({ row: { original: r } }) => r.cpu },
    {
      id: 'memory',
      header: 'Memory',
      accessorFn: (r) => r.memoryValue,
      sortUndefined: 'last',
      meta: { width: '10%', align: 'right' },
      cell: ({ row: { original: r } }) => <span title={r.memoryTitle}>{r.memory}</span>,
    },
    {
      id: 'actions',
      header: () => <span className="sr-only">Actions</span>,
      enableSorting: false,
      meta: { width: '104px', className: 'actions' },
      cell: ({ row: { original: r } }) => {
        const pending = pendingIds.has(r.id);
        return (
          <div className="row-actions">
            {r.canStop ? (
              <Button size="sm" icon={Square} disabled={pending} onClick={() => handlers.onStop(r)} aria-label={`Stop ${r.name}`}>
                Stop
              </Button>
            ) : (
              <Button size="sm" icon={Play} disabled={pending || !r.canStart} onClick={() => handlers.onStart(r.id)} aria-label={`Start ${r.name}`}>
                Start
              </Button>
            )}
            <ActionMenu
              label={`More actions for ${r.name}`}
              items={[
                { label: 'Restart', icon: RotateCcw, onSelect: () => handlers.onRestart(r.id), disabled: pending },
                { label: 'Kill', icon: Zap, onSelect: () => handlers.onKill(r.id), disabled: pending || !r.canKill },
                { label: 'Remove', icon: Trash2, onSelect: () => handlers.onRemove(r), danger: true, disabled: pending },
              ]}
            />
          </div>
        );
      },
    },
  ];
  return cols.filter((c): c is ColumnDef<ContainerRowView, unknown> => c !== false);
}

const matches = (r: ContainerRowView, f: string): boolean => {
  const q = f.trim().toLowerCase();
  return q === '' || r.name.toLowerCase().includes(q) || r.image.toLowerCase().includes(q) || r.shortId.startsWith(q) || r.state.startsWith(q);
};

const selectLabel = (r: ContainerRowView): string => `Select ${r.name}`;
const rowProps = (r: ContainerRowView) => ({ 'data-container-id': r.id, 'data-container-name': r.name, 'data-state': r.state, 'data-service': r.service ?? undefined, 'data-stopping': r.stoppingLabel ? 'true' : undefined });

/**
 * The container table: sortable columns, a filter, multi-select for bulk actions, and
 * virtualised rows (only what is on screen is in the DOM), so 1,000 containers scroll smoothly.
 * Each row shows its main action (Start or Stop) and the rest in a menu, so actions stay on
 * screen in a narrow window; `compact` drops the Created and CPU columns.
 */
export function ContainerTable({
  rows,
  pendingIds,
  handlers,
  filter = '',
  selection,
  onSelectionChange,
  compact = false,
  maxHeight,
}: {
  rows: readonly ContainerRowView[];
  pendingIds: ReadonlySet<string>;
  handlers: RowHandlers;
  filter?: string;
  selection?: RowSelectionState;
  onSelectionChange?: (s: RowSelectionState) => void;
  compact?: boolean;
  maxHeight?: string;
}): ReactNode {
  const cols = useMemo(() => columns(pendingIds, handlers, compact), [pendingIds, handlers, compact]);
  return (
    <DataTable
      label="Containers"
      data={rows}
      columns={cols}
      getRowId={(r) => r.id}
      filter={filter}
      matches={matches}
      selection={selection}
      onSelectionChange={onSelectionChange}
      selectLabel={selectLabel}
      rowProps={rowProps}
      empty={<div className="empty">No container matches the filter.</div>}
      rowHeight={49}
      {...(maxHeight ? { maxHeight } : {})}
    />
  );
}
