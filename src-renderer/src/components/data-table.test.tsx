import { afterEach, describe, expect, it } from 'vitest';
import { useState, type ReactNode } from 'react';
import { cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { DataTable, type ColumnDef, type RowSelectionState } from './data-table';

afterEach(cleanup);

interface Item {
  id: string;
  name: string;
  size: number;
}
const ITEMS: Item[] = [
  { id: 'a', name: 'alpha', size: 30 },
  { id: 'b', name: 'bravo', size: 10 },
  { id: 'c', name: 'charlie', size: 20 },
];
const COLUMNS: ColumnDef<Item, unknown>[] = [
  { id: 'name', header: 'Name', accessorFn: (r) => r.name, cell: (c) => c.row.original.name },
  { id: 'size', header: 'Size', accessorFn: (r) => r.size, meta: { align: 'right' } },
];

function Harness({ filter = '' }: { filter?: string }): ReactNode {
  const [selection, setSelection] = useState<RowSelectionState>({});
  return (
    <>
      <DataTable
        label="Items"
        data={ITEMS}
        columns={COLUMNS}
        getRowId={(r) => r.id}
        filter={filter}
        matches={(r, f) => r.name.includes(f)}
        selection={selection}
        onSelectionChange={setSelection}
        selectLabel={(r) => `Select ${r.name}`}
        rowProps={(r) => ({ 'data-item': r.id })}
      />
      <output data-testid="selected">{Object.keys(selection).filter((k) => selection[k]).sort().join(',')}</output>
    </>
  );
}

const names = (): string[] => Array.from(document.querySelectorAll('tr[data-item]')).map((tr) => tr.getAttribute('data-item') ?? '');

describe('DataTable', () => {
  it('sorts by a column header, ascending then descending, and says so with aria-sort', () => {
    render(<Harness />);
    expect(names()).toEqual(['a', 'b', 'c']);
    const sizeHeader = screen.getByRole('columnheader', { name: /Size/ });
    fireEvent.click(within(sizeHeader).getByRole('button'));
    // tanstack sorts numbers descending first
    expect(sizeHeader.getAttribute('aria-sort')).toBe('descending');
    expect(names()).toEqual(['a', 'c', 'b']);
    fireEvent.click(within(sizeHeader).getByRole('button'));
    expect(sizeHeader.getAttribute('aria-sort')).toBe('ascending');
    expect(names()).toEqual(['b', 'c', 'a']);
  });

  it('filters rows with the caller’s matcher', () => {
    render(<Harness filter="ar" />);
    expect(names()).toEqual(['c']);
  });

  it('selects rows one by one and all at once', () => {
    render(<Harness />);
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select bravo' }));
    expect(screen.getByTestId('selected').textContent).toBe('b');
    fireEvent.click(screen.getByRole('checkbox', { name: 'Select all items' }));
    expect(screen.getByTestId('selected').textContent).toBe('a,b,c');
  });
});
