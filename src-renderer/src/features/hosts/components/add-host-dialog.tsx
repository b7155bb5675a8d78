import { useState, type FormEvent, type ReactNode } from 'react';
import { Dialog } from '../../../components/dialog';
import { InlineError } from '../../../components/state-views';
import { useAddHost } from '../api/add-host';
import { useConnectHost } from '../api/connect-host';
import { toAddHostArgs, validateAddHostForm, type AddHostForm } from '../model/add-host-form';

const INITIAL: AddHostForm = { name: '', host: '', port: '22', user: '', auth: 'key', keyPath: '', passphrase: '', savePassphrase: false, remoteSocket: '' };

/** Adds an SSH host and makes a first connection attempt; the host key decision follows in the list. */
export function AddHostDialog({ onClose, onAdded }: { onClose: () => void; onAdded: (hostId: string) => void }): ReactNode {
  const [form, setForm] = useState<AddHostForm>(INITIAL);
  const [touched, setTouched] = useState(false);
  const add = useAddHost();
  const connect = useConnectHost();
  const errors = validateAddHostForm(form);
  const set = <K extends keyof AddHostForm>(key: K, value: AddHostForm[K]): void => setForm((f) => ({ ...f, [key]: value }));

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setTouched(true);
    if (Object.keys(errors).length > 0) return;
    const args = toAddHostArgs(form);
    const host = await add.mutateAsync(args).catch(() => undefined);
    if (!host) return;
    const status = await connect.mutateAsync({ hostId: host.id, passphrase: args.passphrase, savePassphrase: args.savePassphrase }).catch(() => undefined);
    // Switch only to a host that works: a failed first attempt (unknown key, wrong port...) keeps
    // the person on the host they were using; the Hosts list shows what went wrong.
    if (status?.state === 'connected') onAdded(host.id);
    onClose();
  };
  const err = (k: keyof AddHostForm): ReactNode => (touched && errors[k] ? <div className="field-error">{errors[k]}</div> : null);

  return (
    <Dialog
      title="Add SSH host"
      onClose={onClose}
      footer={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="add-host-form" className="primary" disabled={add.isPending || connect.isPending}>
            {add.isPending || connect.isPending ? 'Adding…' : 'Add and connect'}
          </button>
        </>
      }
    >
      <form id="add-host-form" onSubmit={(e) => void submit(e)} noValidate>
        <label className="field">
          <span>Name</span>
          <input value={form.name} onChange={(e) => set('name', e.target.value)} placeholder="build server" />
        </label>
        <div className="field-row">
          <label className="field">
            <span>Host</span>
            <input value={form.host} onChange={(e) => set('host', e.target.value)} placeholder="server.example.com" />
            {err('host')}
          </label>
          <label className="field" style={{ maxWidth: 110 }}>
            <span>Port</span>
            <input value={form.port} onChange={(e) => set('port', e.target.value)} inputMode="numeric" />
            {err('port')}
          </label>
        </div>
        <label className="field">
          <span>User</span>
          <input value={form.user} onChange={(e) => set('user', e.target.value)} placeholder="root" />
          {err('user')}
        </label>
        <fieldset className="field">
          <legend className="hint">Authentication</legend>
          <label className="check">
            <input type="radio" name="auth" checked={form.auth === 'key'} onChange={() => set('auth', 'key')} /> Private key file
          </label>
          <label className="check">
            <input type="radio" name="auth" checked={form.auth === 'agent'} onChange={() => set('auth', 'agent')} /> SSH agent
          </label>
        </fieldset>
        {form.auth === 'key' ? (
          <>
            <label className="field">
              <span>Key path</span>
              <input value={form.keyPath} onChange={(e) => set('keyPath', e.target.value)} placeholder="~/.ssh/id_ed25519" />
              {err('keyPath')}
            </label>
            <label className="field">
              <span>Passphrase (if the key has one)</span>
              <input type="password" value={form.passphrase} onChange={(e) => set('passphrase', e.target.value)} autoComplete="off" />
            </label>
            <label className="check">
              <input type="checkbox" checked={form.savePassphrase} onChange={(e) => set('savePassphrase', e.target.checked)} /> Remember the passphrase
            </label>
          </>
        ) : null}
        <label className="field">
          <span>Remote engine socket</span>
          <input value={form.remoteSocket} onChange={(e) => set('remoteSocket', e.target.value)} placeholder="/run/berth/berthd.sock" />
          {err('remoteSocket')}
        </label>
        <InlineError error={add.error ?? connect.error} />
      </form>
    </Dialog>
  );
}
