import { memo, useEffect, useMemo, useRef, useState, type HTMLAttributes, type ReactNode } from 'react';
import {
  flexRender,
  getCoreRowModel,
  getFilteredRowModel,
  getSortedRowModel,
  useReactTable,
  type ColumnDef,
  type Row,
  type RowSelectionState,
  type SortingState,
} from '@tanstack/react-table';
import { observeElementRect, useVirtualizer, type Virtualizer } from '@tanstack/react-virtual';
import { ArrowDown, ArrowUp, ArrowUpDown, Search, X } from 'lucide-react';
import { Button } from './button';

/**
 * Per-column presentation: a fixed `width` (CSS length; the table uses fixed layout so virtualised
 * rows never make columns jump), right alignment for numbers, a cell class.
 */
declare module '@tanstack/react-table' {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface ColumnMeta<TData, TValue> {
    width?: string;
    align?: 'left' | 'right';
    className?: string;
  }
}

export type { ColumnDef, RowSelectionState, SortingState };

/**
 * An element without layout (inside a hidden panel, or a test DOM) measures 0x0 and would render
 * no row at all; it gets one screenful until it is laid out and the ResizeObserver reports.
 */
function observeRectWithFallback(instance: Virtualizer<HTMLDivElement, Element>, cb: (rect: { width: number; height: number }) => void): void | (() => void) {
  return observeElementRect(instance, (rect) => cb(rect.height === 0 && rect.width === 0 ? { width: 1024, height: 768 } : rect));
}

export interface DataTableProps<T> {
  /** The table's accessible name, e.g. "Containers". */
  label: string;
  data: readonly T[];
  columns: ColumnDef<T, never>[] | ColumnDef<T, unknown>[];
  getRowId: (row: T) => string;
  /** Free-text filter (render a <FilterInput> next to the table); matched by `matches`. */
  filter?: string;
  matches?: (row: T, filter: string) => boolean;
  initialSort?: SortingState;
  /** Multi-select with a checkbox column; the caller owns the selection (ids -> true). */
  selection?: RowSelectionState;
  onSelectionChange?: (s: RowSelectionState) => void;
  /** The checkbox's accessible name for a row, e.g. `Select ${name}`. */
  selectLabel?: (row: T) => string;
  /** Extra attributes on each <tr> (data-* for tests, className for state). */
  rowProps?: (row: T) => HTMLAttributes<HTMLTableRowElement> & Record<`data-${string}`, string | undefined>;
  /** Shown instead of the body when no row passes the filter. */
  empty?: ReactNode;
  /**
   * Row height in px. Rows are fixed-height (cells clip with an ellipsis): measuring each row as
   * it scrolls in forces a layout per frame, which a fixed height avoids.
   */
  rowHeight?: number;
  /** CSS max-height of the scrolling area; default fills the window below the view header. */
  maxHeight?: string;
}

/**
 * The list table every view uses: sortable headers (click or Enter; aria-sort says the order),
 * a filter, optional multi-select, and virtualised rows (only the visible ~30 rows are in the
 * DOM), so a list of thousands scrolls smoothly. Built on @tanstack/react-table for the model
 * and @tanstack/react-virtual for the windowing.
 */
export function DataTable<T>({
  label,
  data,
  columns,
  getRowId,
  filter = '',
  matches,
  initialSort = [],
  selection,
  onSelectionChange,
  selectLabel,
  rowProps,
  empty,
  rowHeight = 44,
  maxHeight = 'calc(100vh - 210px)',
}: DataTableProps<T>): ReactNode {
  const [sorting, setSorting] = useState<SortingState>(initialSort);
  const selectable = selection !== undefined && onSelectionChange !== undefined;
  const allColumns = useMemo<ColumnDef<T, unknown>[]>(() => {
    const cols = columns as ColumnDef<T, unknown>[];
    if (!selectable) return cols;
    const select: ColumnDef<T, unknown> = {
      id: '__select',
      enableSorting: false,
      meta: { width: '36px' },
      header: ({ table }) => (
        <input
          type="checkbox"
          aria-label={`Select all ${label.toLowerCase()}`}
          checked={table.getIsAllRowsSelected()}
          ref={(el) => {
            if (el) el.indeterminate = table.getIsSomeRowsSelected();
          }}
          onChange={table.getToggleAllRowsSelectedHandler()}
        />
      ),
      cell: ({ row }) => (
        <input type="checkbox" aria-label={selectLabel ? selectLabel(row.original) : `Select row ${row.index + 1}`} checked={row.getIsSelected()} onChange={row.getToggleSelectedHandler()} />
      ),
    };
    return [select, ...cols];
  }, [columns, selectable, selectLabel, label]);

  const table = useReactTable<T>({
    data: data as T[],
    columns: allColumns,
    getRowId: (row) => getRowId(row),
    state: { sorting, globalFilter: filter, ...(selectable ? { rowSelection: selection } : {}) },
    onSortingChange: setSorting,
    enableRowSelection: selectable,
    onRowSelectionChange: (updater) => {
      if (!selectable) return;
      onSelectionChange(typeof updater === 'function' ? updater(selection) : updater);
    },
    globalFilterFn: (row, _columnId, value: string) => (matches ? matches(row.original, value) : true),
    getColumnCanGlobalFilter: () => true,
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    getFilteredRowModel: getFilteredRowModel(),
    autoResetAll: false,
  });

  const rows = table.getRowModel().rows;
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 8,
    getItemKey: (i) => rows[i]?.id ?? i,
    observeElementRect: observeRectWithFallback,
  });
  // A new filter or sort starts from the top, as a person expects.
  useEffect(() => {
    if (scrollRef.current) scrollRef.current.scrollTop = 0;
  }, [filter, sorting]);

  const items = virtualizer.getVirtualItems();
  const padTop = items.length > 0 ? (items[0]?.start ?? 0) : 0;
  const padBottom = items.length > 0 ? virtualizer.getTotalSize() - (items[items.length - 1]?.end ?? 0) : 0;
  const colCount = allColumns.length;

  return (
    <div className="data-table-scroll" ref={scrollRef} style={{ maxHeight }} data-testid="data-table-scroll">
      <table className="list data-table" aria-label={label} aria-rowcount={rows.length + 1}>
        <colgroup>
          {table.getVisibleLeafColumns().map((c) => (
            <col key={c.id} style={c.columnDef.meta?.width ? { width: c.columnDef.meta.width } : undefined} />
          ))}
        </colgroup>
        <thead>
          {table.getHeaderGroups().map((hg) => (
            <tr key={hg.id}>
              {hg.headers.map((h) => {
                const sorted = h.column.getIsSorted();
                const canSort = h.column.getCanSort();
                const align = h.column.columnDef.meta?.align;
                return (
                  <th
                    key={h.id}
                    scope="col"
                    aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : canSort ? 'none' : undefined}
                    style={align === 'right' ? { textAlign: 'right' } : undefined}
                  >
                    {h.isPlaceholder ? null : canSort ? (
                      <button type="button" className="sort-button" onClick={h.column.getToggleSortingHandler()}>
                        {flexRender(h.column.columnDef.header, h.getContext())}
                        {sorted === 'asc' ? <ArrowUp size={12} aria-hidden="true" /> : sorted === 'desc' ? <ArrowDown size={12} aria-hidden="true" /> : <ArrowUpDown size={12} aria-hidden="true" className="sort-idle" />}
                      </button>
                    ) : (
                      flexRender(h.column.columnDef.header, h.getContext())
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {rows.length === 0 && empty ? (
            <tr>
              <td colSpan={colCount}>{empty}</td>
            </tr>
          ) : null}
          {padTop > 0 ? (
            <tr aria-hidden="true" className="pad-row">
              <td colSpan={colCount} style={{ height: padTop, padding: 0, border: 0 }} />
            </tr>
          ) : null}
          {items.map((vi) => {
            const row = rows[vi.index] as Row<T>;
            return (
              <DataRow
                key={row.id}
                row={row}
                index={vi.index}
                selected={selectable ? row.getIsSelected() : undefined}
                columns={allColumns}
                rowProps={rowProps}
                height={rowHeight}
              />
            );
          })}
          {padBottom > 0 ? (
            <tr aria-hidden="true" className="pad-row">
              <td colSpan={colCount} style={{ height: padBottom, padding: 0, border: 0 }} />
            </tr>
          ) : null}
        </tbody>
      </table>
    </div>
  );
}

interface DataRowProps<T> {
  row: Row<T>;
  index: number;
  selected: boolean | undefined;
  /** Only for memo comparison: new columns (new handlers) re-render the row. */
  columns: unknown;
  rowProps: DataTableProps<T>['rowProps'];
  height: number;
}

function DataRowImpl<T>({ row, index, selected, rowProps, height }: DataRowProps<T>): ReactNode {
  const extra = rowProps?.(row.original) ?? {};
  return (
    <tr
      data-index={index}
      style={{ height }}
      aria-rowindex={index + 2}
      aria-selected={selected}
      {...extra}
      className={[selected ? 'selected' : '', extra.className ?? ''].filter(Boolean).join(' ') || undefined}
    >
      {row.getVisibleCells().map((cell) => {
        const meta = cell.column.columnDef.meta;
        const cls = [meta?.className, meta?.align === 'right' ? 'num' : ''].filter(Boolean).join(' ');
        return (
          <td key={cell.id} className={cls || undefined}>
            {flexRender(cell.column.columnDef.cell, cell.getContext())}
          </td>
        );
      })}
    </tr>
  );
}

// Scrolling re-renders the table on every frame; a row re-renders only when its data, its
// selection, its position or the columns changed, so a frame renders just the rows coming into view.
const DataRow = memo(
  DataRowImpl,
  (a, b) => a.row.original === b.row.original && a.selected === b.selected && a.index === b.index && a.columns === b.columns && a.rowProps === b.rowProps && a.height === b.height,
) as typeof DataRowImpl;

/** The filter box that goes with a DataTable (Escape clears it). */
export function FilterInput({ label, value, onChange, placeholder }: { label: string; value: string; onChange: (v: string) => void; placeholder?: string }): ReactNode {
  return (
    <div className="filter-input">
      <Search size={14} aria-hidden="true" className="filter-icon" />
      <input
        type="search"
        aria-label={label}
        placeholder={placeholder ?? 'Filter'}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape' && value !== '') {
            e.stopPropagation();
            onChange('');
          }
        }}
      />
    </div>
  );
}

/** The bar that appears while rows are selected: "3 selected" + the bulk actions + Clear. */
export function BulkBar({ count, noun, onClear, children }: { count: number; noun: string; onClear: () => void; children: ReactNode }): ReactNode {
  if (count === 0) return null;
  return (
    <div className="bulk-bar" role="toolbar" aria-label={`Actions on selected ${noun}`} data-testid="bulk-bar">
      <strong>
        {count} {noun} selected
      </strong>
      {children}
      <Button size="sm" variant="ghost" icon={X} onClick={onClear}>
        Clear selection
      </Button>
    </div>
  );
}

/** Ids of the selected rows that still exist (a removed container drops out of the selection). */
export function selectedIds(selection: RowSelectionState, existing: readonly { id: string }[]): string[] {
  const ids = new Set(existing.map((r) => r.id));
  return Object.keys(selection).filter((id) => selection[id] && ids.has(id));
}
