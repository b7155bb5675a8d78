import { useMemo, useState, type ReactNode } from 'react';
import { Eraser, Plus, Trash2 } from 'lucide-react';
import { Badge } from '../../../components/badge';
import { Button, IconButton } from '../../../components/button';
import { useConfirm } from '../../../components/confirm';
import { DataTable, FilterInput, type ColumnDef } from '../../../components/data-table';
import { PruneDialog } from '../../../components/prune-dialog';
import { EmptyState, QueryView } from '../../../components/state-views';
import { useToast } from '../../../components/toast';
import { useActiveHost } from '../../../lib/active-host';
import { hrefFor } from '../../../lib/navigation';
import { useNow } from '../../../lib/use-now';
import { useNetworks } from '../../../lib/network-queries';
import { usePruneNetworks, useRemoveNetwork } from '../api/network-queries';
import { useNetworkEvents } from '../hooks/use-network-events';
import { toNetworkRowView, type NetworkRowView } from '../model/network-mapper';
import { CreateNetworkDialog } from './create-network-dialog';

/** The Networks view of the active host: subnets, gateways and attached containers; create, remove, prune. */
export function NetworksView(): ReactNode {
  const { hostId } = useActiveHost();
  const query = useNetworks(hostId);
  useNetworkEvents(hostId);
  const now = useNow(60_000);
  const rows = useMemo(() => (query.data ?? []).map((n) => toNetworkRowView(n, now)), [query.data, now]);
  const [filter, setFilter] = useState('');
  const [creating, setCreating] = useState(false);
  const [pruning, setPruning] = useState(false);
  const remove = useRemoveNetwork();
  const prune = usePruneNetworks();
  const confirm = useConfirm();
  const toast = useToast();

  const onRemove = async (row: NetworkRowView): Promise<void> => {
    const ok = await confirm({ title: `Remove network ${row.name}?`, body: 'Containers can no longer be attached to it.', confirmLabel: 'Remove', danger: true, kind: 'remove' });
    if (!ok) return;
    remove.mutate(
      { hostId, id: row.id },
      {
        onSuccess: () => toast.success('Network removed', row.name),
        onError: (err) => toast.error(`Cannot remove ${row.name}`, err),
      },
    );
  };

  const columns = useMemo<ColumnDef<NetworkRowView, unknown>[]>(
    () => [
      {
        id: 'name',
        header: 'Name',
        accessorFn: (r) => r.name,
        meta: { width: '20%' },
        cell: ({ row: { original: r } }) => (
          <>
            <a className="link-button mono" href={hrefFor('networks', r.name)}>
              {r.name}
            </a>{' '}
            {r.predefined ? <Badge tone="muted">predefined</Badge> : null}
            {r.internal ? <Badge tone="info">internal</Badge> : null}
          </>
        ),
      },
      { id: 'driver', header: 'Driver', accessorFn: (r) => r.driver, meta: { width: '80px' } },
      { id: 'subnet', header: 'Subnet', accessorFn: (r) => r.subnet, meta: { width: '150px' }, cell: ({ row }) => <span className="mono" data-testid="network-subnet">{row.original.subnet}</span> },
      { id: 'gateway', header: 'Gateway', accessorFn: (r) => r.gateway, meta: { width: '120px' }, cell: ({ row }) => <span className="mono">{row.original.gateway}</span> },
      { id: 'containers', header: 'Containers', accessorFn: (r) => r.containerCount, cell: ({ row }) => <span data-testid="network-containers">{row.original.containers || '—'}</span> },
      { id: 'created', header: 'Created', accessorFn: (r) => r.createdMs, meta: { width: '120px' }, cell: ({ row }) => row.original.created },
      {
        id: 'actions',
        header: '',
        enableSorting: false,
        meta: { width: '56px', align: 'right' },
        cell: ({ row: { original: r } }) =>
          r.predefined ? null : <IconButton size="sm" variant="ghost" icon={Trash2} label={`Remove ${r.name}`} title={r.removeBlocker ?? 'Remove'} onClick={() => void onRemove(r)} />,
      },
    ],
    // onRemove closes over hostId and the mutation, which are stable per host.
    [hostId],
  );

  return (
    <section>
      <div className="view-header">
        <h1>Networks</h1>
        {query.data ? <span className="hint">{`${rows.length} network${rows.length === 1 ? '' : 's'}`}</span> : null}
        <div className="spacer" />
        <FilterInput label="Filter networks" value={filter} onChange={setFilter} placeholder="Filter by name, subnet or container" />
        <Button icon={Eraser} onClick={() => setPruning(true)}>
          Prune
        </Button>
        <Button variant="primary" icon={Plus} onClick={() => setCreating(true)}>
          Create network
        </Button>
      </div>
      <QueryView query={query} loadingLabel="Loading networks…" isEmpty={(d) => d.length === 0} empty={<EmptyState title="No networks">The engine reports none, not even its predefined ones.</EmptyState>}>
        {() => (
          <DataTable
            label="Networks"
            data={rows}
            columns={columns}
            getRowId={(r) => r.id}
            filter={filter}
            matches={(r, f) => [r.name, r.subnet, r.containers].some((x) => x.toLowerCase().includes(f.toLowerCase()))}
            initialSort={[{ id: 'name', desc: false }]}
            rowProps={(r) => ({ 'data-network': r.name })}
            empty={<EmptyState title="No network matches the filter" />}
          />
        )}
      </QueryView>
      {creating ? <CreateNetworkDialog hostId={hostId} onClose={() => setCreating(false)} /> : null}
      {pruning ? (
        <PruneDialog title="Prune networks" removed={(n) => `Removed ${n} network${n === 1 ? '' : 's'}`} prune={prune} run={() => prune.mutate({ hostId })} onClose={() => setPruning(false)} reportsSpace={false}>
          <p>Removes user-defined networks that no container is attached to.</p>
        </PruneDialog>
      ) : null}
    </section>
  );
}
