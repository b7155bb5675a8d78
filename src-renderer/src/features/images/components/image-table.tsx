import { useMemo, type ReactNode } from 'react';
import { Play, Tag, Trash2, Upload } from 'lucide-react';
import { Badge } from '../../../components/badge';
import { DataTable, type ColumnDef } from '../../../components/data-table';
import { ActionMenu } from '../../../components/menu';
import { useImage } from '../../../lib/image-queries';
import { hrefFor } from '../../../lib/navigation';
import { toShellFormFlag, type ImageRowView } from '../model/image-mapper';

export interface ImageRowHandlers {
  onTag: (row: ImageRowView) => void;
  onPush: (row: ImageRowView) => void;
  onRemove: (row: ImageRowView) => void;
}

/**
 * Flags an image whose CMD/ENTRYPOINT is in shell form. The list carries no config, so each image
 * is inspected once (by ID, whatever its tags; only rows on screen mount); the full warning is on
 * its details page.
 */
function ShellFormFlag({ hostId, imageId }: { hostId: string; imageId: string }): ReactNode {
  const flag = toShellFormFlag(useImage(hostId, imageId).data);
  if (!flag) return null;
  return (
    <span data-testid="shell-form-flag" aria-label={flag.title}>
      <Badge tone="warn" title={flag.title}>
        {flag.label}
      </Badge>
    </span>
  );
}

function columns(hostId: string, handlers: ImageRowHandlers): ColumnDef<ImageRowView, unknown>[] {
  const num = (id: string, header: string, value: (r: ImageRowView) => number, text: (r: ImageRowView) => string, width = '9%'): ColumnDef<ImageRowView, unknown> => ({
    id,
    header,
    accessorFn: value,
    meta: { width, align: 'right' },
    cell: ({ row: { original: r } }) => text(r),
  });
  return [
    {
      id: 'name',
      header: 'Repository:tag',
      accessorFn: (r) => r.repoTag,
      meta: { width: '32%' },
      cell: ({ row: { original: r } }) => (
        <>
          <a className="link-button mono truncate" href={hrefFor('images', r.ref)} title={r.repoTag}>
            {r.repoTag}
          </a>{' '}
          {r.dangling ? <Badge tone="muted">dangling</Badge> : null} <ShellFormFlag hostId={hostId} imageId={r.id} />
        </>
      ),
    },
    { id: 'id', header: 'ID', accessorFn: (r) => r.shortId, meta: { width: '12%', className: 'mono' }, cell: ({ row: { original: r } }) => r.shortId },
    num('size', 'Size', (r) => r.sizeBytes, (r) => r.size),
    num('shared', 'Shared', (r) => r.sizeBytes - r.uniqueBytes, (r) => r.sharedSize),
    num('unique', 'Unique', (r) => r.uniqueBytes, (r) => r.uniqueSize),
    { id: 'created', header: 'Created', accessorFn: (r) => r.createdAt, meta: { width: '13%' }, cell: ({ row: { original: r } }) => r.created },
    num('containers', 'Containers', (r) => r.containerCount, (r) => r.containers, '10%'),
    {
      id: 'actions',
      header: () => <span className="sr-only">Actions</span>,
      enableSorting: false,
      meta: { width: '96px', className: 'actions' },
      cell: ({ row: { original: r } }) => (
        <div className="row-actions">
          <a className="link-button small" href={hrefFor('containers', 'new', r.ref)} aria-label="Run">
            <Play size={13} aria-hidden="true" /> Run
          </a>
          <ActionMenu
            label={`More actions for ${r.repoTag}`}
            items={[
              { label: 'Tag', icon: Tag, onSelect: () => handlers.onTag(r) },
              ...(r.dangling ? [] : [{ label: 'Push', icon: Upload, onSelect: () => handlers.onPush(r) }]),
              { label: 'Remove', icon: Trash2, onSelect: () => handlers.onRemove(r), danger: true },
            ]}
          />
        </div>
      ),
    },
  ];
}

const matches = (r: ImageRowView, f: string): boolean => {
  const q = f.trim().toLowerCase();
  return q === '' || r.repoTag.toLowerCase().includes(q) || r.shortId.startsWith(q.replace(/^sha256:/, ''));
};
const rowProps = (r: ImageRowView) => ({ 'data-image-ref': r.ref, 'data-image-id': r.id });

/** The images list: sortable columns, a filter, virtualised rows (1,000 images scroll smoothly). */
export function ImageTable({ hostId, rows, handlers, filter }: { hostId: string; rows: readonly ImageRowView[]; handlers: ImageRowHandlers; filter: string }): ReactNode {
  const cols = useMemo(() => columns(hostId, handlers), [hostId, handlers]);
  return (
    <DataTable
      label="Images"
      data={rows}
      columns={cols}
      getRowId={(r) => r.key}
      filter={filter}
      matches={matches}
      initialSort={[{ id: 'created', desc: true }]}
      rowProps={rowProps}
      empty={<div className="empty">No image matches the filter.</div>}
    />
  );
}
