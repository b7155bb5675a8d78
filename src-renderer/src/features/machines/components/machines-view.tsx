import { useMemo, useState, type ReactNode } from 'react';
import { Play, Plus, Square, Terminal, Trash2, Monitor } from 'lucide-react';
import { Badge } from '../../../components/badge';
import { Button, IconButton } from '../../../components/button';
import { useConfirm } from '../../../components/confirm';
import { DataTable, type ColumnDef } from '../../../components/data-table';
import { EmptyState, QueryView } from '../../../components/state-views';
import { useToast } from '../../../components/toast';
import { useQueryClient } from '@tanstack/react-query';
import { useActiveHost } from '../../../lib/active-host';
import { HOSTS_KEY } from '../../../lib/query-keys';
import { useDockerContext, useMachines, useRemoveMachine, useStopMachine } from '../api/machine-queries';
import { toMachineRowView, type MachineRowView } from '../model/machine-mapper';
import { CreateMachineDialog } from './create-machine-dialog';
import { MachineProgressDialog, type MachineJob } from './machine-progress-dialog';

/**
 * Berth machines (local VMs running berthd, like `podman machine`): create, start with progress,
 * stop, remove, switch the app to one, and serve a docker context for the desktop's docker CLI.
 */
export function MachinesView({ embedded = false }: { embedded?: boolean }): ReactNode {
  const query = useMachines();
  const rows = useMemo(() => (query.data ?? []).map(toMachineRowView), [query.data]);
  const [creating, setCreating] = useState(false);
  const [job, setJob] = useState<MachineJob | undefined>(undefined);
  const stop = useStopMachine();
  const remove = useRemoveMachine();
  const context = useDockerContext();
  const { setHostId } = useActiveHost();
  const qc = useQueryClient();
  // The host list must know the machine's host before it becomes active (an unknown active host falls back to local).
  const showContainers = async (hostId: string): Promise<void> => {
    await qc.refetchQueries({ queryKey: HOSTS_KEY });
    setHostId(hostId);
  };
  const confirm = useConfirm();
  const toast = useToast();

  const onRemove = async (r: MachineRowView): Promise<void> => {
    const ok = await confirm({ title: `Remove machine ${r.name}?`, body: 'Its disk, with every image, container and volume in it, is deleted for good.', confirmLabel: 'Remove', danger: true, kind: 'remove' });
    if (!ok) return;
    remove.mutate(r.name, { onSuccess: () => toast.success('Machine removed', r.name), onError: (e) => toast.error(`Cannot remove ${r.name}`, e) });
  };
  const onContext = (r: MachineRowView): void => {
    if (!r.hostId) return;
    context.mutate(
      { hostId: r.hostId, context: r.contextName },
      { onSuccess: (c) => toast.success('docker context ready', `docker --context ${c.context} ps`), onError: (e) => toast.error('Cannot serve a docker context', e) },
    );
  };

  const columns = useMemo<ColumnDef<MachineRowView, unknown>[]>(
    () => [
      { id: 'name', header: 'Name', accessorFn: (r) => r.name, cell: ({ row: { original: r } }) => <span className="mono">{r.name}</span> },
      {
        id: 'state',
        header: 'State',
        accessorFn: (r) => r.state,
        meta: { width: '110px' },
        cell: ({ row: { original: r } }) => <Badge tone={r.running ? 'ok' : 'muted'}>{r.state}</Badge>,
      },
      { id: 'resources', header: 'Resources', accessorFn: (r) => r.resources, cell: ({ row }) => row.original.resources },
      {
        id: 'accelerator',
        header: 'Virtualisation',
        accessorFn: (r) => r.accelerator,
        cell: ({ row: { original: r } }) => (r.slow ? <Badge tone="warn">{r.accelerator}</Badge> : r.accelerator),
      },
      { id: 'ports', header: 'Forwarded ports', accessorFn: (r) => r.ports, meta: { width: '160px' }, cell: ({ row }) => <span className="mono">{row.original.ports}</span> },
      {
        id: 'actions',
        header: '',
        enableSorting: false,
        meta: { width: '170px', align: 'right' },
        cell: ({ row: { original: r } }) => (
          <>
            {r.running ? (
              <>
                {r.hostId ? <IconButton size="sm" variant="ghost" icon={Monitor} label={`Show containers of ${r.name}`} onClick={() => void showContainers(r.hostId!)} /> : null}
                {r.hostId ? <IconButton size="sm" variant="ghost" icon={Terminal} label={`Docker context for ${r.name}`} onClick={() => onContext(r)} /> : null}
                <IconButton size="sm" variant="ghost" icon={Square} label={`Stop ${r.name}`} onClick={() => stop.mutate(r.name, { onError: (e) => toast.error(`Cannot stop ${r.name}`, e) })} />
              </>
            ) : (
              <IconButton size="sm" variant="ghost" icon={Play} label={`Start ${r.name}`} onClick={() => setJob({ kind: 'start', name: r.name })} />
            )}
            <IconButton size="sm" variant="ghost" icon={Trash2} label={`Remove ${r.name}`} onClick={() => void onRemove(r)} />
          </>
        ),
      },
    ],
    // The handlers close over stable mutations and setters.
    [],
  );

  return (
    <section aria-label="Machines" className={embedded ? 'view-section' : undefined}>
      <div className="view-header">
        {embedded ? <h2>Machines</h2> : <h1>Machines</h1>}
        <span className="hint">Local Linux VMs that run berthd</span>
        <div className="spacer" />
        <Button variant="primary" icon={Plus} onClick={() => setCreating(true)}>
          Create machine
        </Button>
      </div>
      <QueryView
        query={query}
        loadingLabel="Loading machines…"
        isEmpty={(d) => d.length === 0}
        empty={<EmptyState title="No machines yet">A machine is a small Linux VM with berthd in it: what Mac and Windows desktops, or a Linux desktop without root, use.</EmptyState>}
      >
        {() => <DataTable label="Machines" data={rows} columns={columns} getRowId={(r) => r.name} initialSort={[{ id: 'name', desc: false }]} rowProps={(r) => ({ 'data-machine': r.name })} />}
      </QueryView>
      {creating ? (
        <CreateMachineDialog
          onClose={() => setCreating(false)}
          onCreate={(args) => {
            setCreating(false);
            setJob({ kind: 'create', args });
          }}
        />
      ) : null}
      {job ? <MachineProgressDialog job={job} onClose={() => setJob(undefined)} onReady={() => toast.success('Machine running', job.kind === 'create' ? job.args.name : job.name)} /> : null}
    </section>
  );
}
