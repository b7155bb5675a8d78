import { useMemo, useState, type ReactNode } from 'react';
import { FolderOpen, Plus, Trash2, Eraser } from 'lucide-react';
import { Badge } from '../../../components/badge';
import { Button, IconButton } from '../../../components/button';
import { useConfirm } from '../../../components/confirm';
import { DataTable, FilterInput, type ColumnDef } from '../../../components/data-table';
import { CheckboxField } from '../../../components/fields';
import { PruneDialog } from '../../../components/prune-dialog';
import { EmptyState, QueryView } from '../../../components/state-views';
import { useToast } from '../../../components/toast';
import { useActiveHost } from '../../../lib/active-host';
import { formatBytes } from '../../../lib/format';
import { hrefFor } from '../../../lib/navigation';
import { useNow } from '../../../lib/use-now';
import { usePruneVolumes, useRemoveVolume, useVolumes } from '../api/volume-queries';
import { useVolumeEvents } from '../hooks/use-volume-events';
import { toVolumeRowView, type VolumeRowView } from '../model/volume-mapper';
import { CreateVolumeDialog } from './create-volume-dialog';

/** The Volumes view of the active host: size and users of each volume, create, remove, prune, browse. */
export function VolumesView(): ReactNode {
  const { hostId } = useActiveHost();
  const query = useVolumes(hostId);
  useVolumeEvents(hostId);
  const now = useNow(60_000);
  const rows = useMemo(() => (query.data ?? []).map((v) => toVolumeRowView(v, now)), [query.data, now]);
  const [filter, setFilter] = useState('');
  const [creating, setCreating] = useState(false);
  const [pruning, setPruning] = useState(false);
  const [pruneAll, setPruneAll] = useState(false);
  const remove = useRemoveVolume();
  const prune = usePruneVolumes();
  const confirm = useConfirm();
  const toast = useToast();
  const total = rows.reduce((sum, r) => sum + Math.max(0, r.sizeBytes), 0);

  const onRemove = async (row: VolumeRowView): Promise<void> => {
    const ok = await confirm({
      title: `Remove volume ${row.displayName}?`,
      body: 'Its content is deleted for good.',
      confirmLabel: 'Remove',
      danger: true,
      kind: 'remove',
    });
    if (!ok) return;
    remove.mutate(
      { hostId, name: row.name },
      {
        onSuccess: () => toast.success('Volume removed', row.name),
        onError: (err) => toast.error(`Cannot remove ${row.displayName}`, err),
      },
    );
  };

  const columns = useMemo<ColumnDef<VolumeRowView, unknown>[]>(
    () => [
      {
        id: 'name',
        header: 'Name',
        accessorFn: (r) => r.name,
        meta: { width: '30%' },
        cell: ({ row: { original: r } }) => (
          <>
            <a className="link-button mono" href={hrefFor('volumes', r.name)} title={r.name}>
              {r.displayName}
            </a>{' '}
            {r.anonymous ? <Badge tone="muted">anonymous</Badge> : null}
            {r.options !== '' ? <div className="hint mono">{r.options}</div> : null}
          </>
        ),
      },
      { id: 'size', header: 'Size', accessorFn: (r) => r.sizeBytes, meta: { width: '110px', align: 'right' }, cell: ({ row }) => <span data-testid="volume-size">{row.original.size}</span> },
      { id: 'usedBy', header: 'Used by', accessorFn: (r) => r.usedBy, cell: ({ row }) => <span data-testid="volume-users">{row.original.usedBy}</span> },
      { id: 'created', header: 'Created', accessorFn: (r) => r.createdMs, meta: { width: '140px' }, cell: ({ row }) => row.original.created },
      {
        id: 'actions',
        header: '',
        enableSorting: false,
        meta: { width: '96px', align: 'right' },
        cell: ({ row: { original: r } }) => (
          <>
            <a className="btn ghost small icon-only" href={hrefFor('volumes', r.name)} aria-label={`Browse ${r.name}`} title="Browse files">
              <FolderOpen size={14} aria-hidden="true" />
            </a>
            <IconButton size="sm" variant="ghost" icon={Trash2} label={`Remove ${r.name}`} onClick={() => void onRemove(r)} />
          </>
        ),
      },
    ],
    // onRemove closes over hostId and the mutation, which are stable per host.
    [hostId],
  );

  return (
    <section>
      <div className="view-header">
        <h1>Volumes</h1>
        {query.data ? <span className="hint">{`${rows.length} volume${rows.length === 1 ? '' : 's'}, ${formatBytes(total)}`}</span> : null}
        <div className="spacer" />
        <FilterInput label="Filter volumes" value={filter} onChange={setFilter} placeholder="Filter by name or container" />
        <Button icon={Eraser} onClick={() => setPruning(true)}>
          Prune
        </Button>
        <Button variant="primary" icon={Plus} onClick={() => setCreating(true)}>
          Create volume
        </Button>
      </div>
      <QueryView
        query={query}
        loadingLabel="Loading volumes…"
        isEmpty={(d) => d.length === 0}
        empty={
          <EmptyState title="No volumes yet">
            Create one, or run a container with <code>-v name:/path</code>.
          </EmptyState>
        }
      >
        {() => (
          <DataTable
            label="Volumes"
            data={rows}
            columns={columns}
            getRowId={(r) => r.name}
            filter={filter}
            matches={(r, f) => r.name.toLowerCase().includes(f.toLowerCase()) || r.usedBy.toLowerCase().includes(f.toLowerCase())}
            initialSort={[{ id: 'name', desc: false }]}
            rowProps={(r) => ({ 'data-volume': r.name })}
            empty={<EmptyState title="No volume matches the filter" />}
          />
        )}
      </QueryView>
      {creating ? <CreateVolumeDialog hostId={hostId} onClose={() => setCreating(false)} /> : null}
      {pruning ? (
        <PruneDialog
          title="Prune volumes"
          removed={(n) => `Removed ${n} volume${n === 1 ? '' : 's'}`}
          prune={prune}
          run={() => prune.mutate({ hostId, all: pruneAll })}
          onClose={() => setPruning(false)}
        >
          <p>Removes anonymous volumes that no container uses.</p>
          <CheckboxField label="Also remove named volumes no container uses" checked={pruneAll} onCheckedChange={setPruneAll} />
        </PruneDialog>
      ) : null}
    </section>
  );
}
