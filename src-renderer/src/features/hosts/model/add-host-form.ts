import type { AddSshHostArgs } from '../../../../../src-shared/ipc/models/hosts';

export interface AddHostForm {
  name: string;
  host: string;
  port: string;
  user: string;
  auth: 'key' | 'agent';
  keyPath: string;
  passphrase: string;
  savePassphrase: boolean;
  remoteSocket: string;
}

export type AddHostErrors = Partial<Record<keyof AddHostForm, string>>;

export function validateAddHostForm(form: AddHostForm): AddHostErrors {
  const errors: AddHostErrors = {};
  const host = form.host.trim();
  if (host === '') errors.host = 'Enter the SSH server’s name or address.';
  else if (/\s|\/|@/.test(host)) errors.host = 'Just the host name or IP, without user@ or a path.';
  const port = Number(form.port);
  if (!/^\d+$/.test(form.port.trim()) || port < 1 || port > 65535) errors.port = 'A port from 1 to 65535.';
  if (form.user.trim() === '') errors.user = 'Enter the user to log in as.';
  if (form.auth === 'key' && form.keyPath.trim() === '') errors.keyPath = 'Enter the private key file, or use the SSH agent.';
  if (form.remoteSocket.trim() !== '' && !form.remoteSocket.trim().startsWith('/')) errors.remoteSocket = 'An absolute path on the remote machine.';
  return errors;
}

export function toAddHostArgs(form: AddHostForm): AddSshHostArgs {
  const host = form.host.trim();
  const user = form.user.trim();
  const args: AddSshHostArgs = {
    name: form.name.trim() || `${user}@${host}`,
    host,
    port: Number(form.port),
    user,
    useAgent: form.auth === 'agent',
  };
  if (form.auth === 'key') {
    args.keyPath = form.keyPath.trim();
    if (form.passphrase !== '') {
      args.passphrase = form.passphrase;
      args.savePassphrase = form.savePassphrase;
    }
  }
  if (form.remoteSocket.trim() !== '') args.remoteSocket = form.remoteSocket.trim();
  return args;
}
