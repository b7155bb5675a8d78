import { memo, useState, type ReactNode } from 'react';
import { Badge } from '../../../components/badge';
import { EmptyState, InlineError, QueryView } from '../../../components/state-views';
import { useActiveHost } from '../../../lib/active-host';
import { useConfirm } from '../../../components/confirm';
import { useToast } from '../../../components/toast';
import { LOCAL_HOST_ID } from '../../../../../src-shared/ipc/models/hosts';
import { useConnectHost } from '../api/connect-host';
import { useDisconnectHost } from '../api/disconnect-host';
import { useRemoveHost } from '../api/remove-host';
import { useHostRows } from '../hooks/use-host-rows';
import type { HostRowView } from '../model/host-mapper';
import { AddHostDialog } from './add-host-dialog';
import { HostKeyPrompt } from './host-key-prompt';
import { ProvisionDialog } from './provision-dialog';

export function HostsView(): ReactNode {
  const { hosts, rows } = useHostRows();
  const [adding, setAdding] = useState(false);
  const { setHostId } = useActiveHost();
  return (
    <section>
      <div className="view-header">
        <h1>Hosts</h1>
        <div className="spacer" />
        <button type="button" className="primary" onClick={() => setAdding(true)}>
          Add SSH host
        </button>
      </div>
      <QueryView query={hosts} isEmpty={(h) => h.length === 0} empty={<EmptyState title="No hosts" />}>
        {() => (
          <table className="list" aria-label="Hosts">
            <thead>
              <tr>
                <th>Name</th>
                <th>Address</th>
                <th>Status</th>
                <th />
              </tr>
            </thead>
            <tbody>{rows?.map((row) => <HostRow key={row.id} row={row} />)}</tbody>
          </table>
        )}
      </QueryView>
      {adding ? <AddHostDialog onClose={() => setAdding(false)} onAdded={(id) => setHostId(id)} /> : null}
    </section>
  );
}

const HostRow = memo(function HostRow({ row }: { row: HostRowView }): ReactNode {
  const { setHostId } = useActiveHost();
  const connect = useConnectHost();
  const disconnect = useDisconnectHost();
  const remove = useRemoveHost();
  const confirm = useConfirm();
  const toast = useToast();
  const [passphrase, setPassphrase] = useState('');
  const [settingUp, setSettingUp] = useState(false);
  const removeHost = async (): Promise<void> => {
    const ok = await confirm({
      kind: 'remove',
      title: `Remove host ${row.name}?`,
      confirmLabel: 'Remove host',
      danger: true,
      body: `Berth disconnects from ${row.address} and forgets this host. Its containers keep running there.${row.isActive ? ' The app switches to this machine.' : ''}`,
    });
    if (!ok) return;
    // Leave the host before it disappears, so no view ever asks for a host that no longer exists.
    if (row.isActive) setHostId(LOCAL_HOST_ID);
    // mutateAsync: the row unmounts when the host is gone, and mutate's own callbacks would not run.
    await remove.mutateAsync(row.id).then(
      () => toast.success(`Removed host ${row.name}`),
      (e: unknown) => toast.error(`Could not remove ${row.name}`, e),
    );
  };
  return (
    <>
      <tr className={row.isActive ? 'selected' : undefined} data-host-id={row.id} data-state={row.state}>
        <td>
          {row.name} {row.isActive ? <Badge tone="info">active</Badge> : null}
        </td>
        <td className="mono">{row.address}</td>
        <td>
          <Badge tone={row.tone}>{row.stateLabel}</Badge>
          {row.detail ? <div className="hint">{row.detail}</div> : null}
        </td>
        <td className="actions">
          {!row.isActive ? (
            <button type="button" className="small" onClick={() => setHostId(row.id)}>
              Switch to
            </button>
          ) : null}
          {row.canConnect ? (
            <button type="button" className="small" disabled={connect.isPending} onClick={() => connect.mutate({ hostId: row.id })}>
              {row.state === 'reconnecting' || row.state === 'failed' ? 'Retry now' : 'Connect'}
            </button>
          ) : null}
          {row.setUp ? (
            <button type="button" className={`small${row.setUp === 'install' ? ' primary' : ''}`} onClick={() => setSettingUp(true)}>
              {row.setUp === 'install' ? 'Set up berthd' : 'Manage berthd'}
            </button>
          ) : null}
          {row.canDisconnect && row.kind === 'ssh' ? (
            <button type="button" className="small" onClick={() => disconnect.mutate(row.id)}>
              Disconnect
            </button>
          ) : null}
          {row.canRemove ? (
            <button type="button" className="small danger" onClick={() => void removeHost()}>
              Remove
            </button>
          ) : null}
          {settingUp ? <ProvisionDialog hostId={row.id} hostName={row.name} onClose={() => setSettingUp(false)} /> : null}
        </td>
      </tr>
      {row.hostKey || row.needsPassphrase || connect.error || remove.error ? (
        <tr>
          <td colSpan={4}>
            {row.hostKey ? <HostKeyPrompt hostId={row.id} prompt={row.hostKey} /> : null}
            {row.needsPassphrase ? (
              <form
                className="toolbar"
                onSubmit={(e) => {
                  e.preventDefault();
                  connect.mutate({ hostId: row.id, passphrase });
                }}
              >
                <label>
                  Key passphrase{' '}
                  <input type="password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} autoComplete="off" />
                </label>
                <button type="submit" className="primary">
                  Unlock and connect
                </button>
              </form>
            ) : null}
            <InlineError error={connect.error ?? remove.error} />
          </td>
        </tr>
      ) : null}
    </>
  );
});
