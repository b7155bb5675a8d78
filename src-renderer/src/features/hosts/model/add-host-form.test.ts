import { describe, expect, it } from 'vitest';
import { toAddHostArgs, validateAddHostForm, type AddHostForm } from './add-host-form';

const base: AddHostForm = { name: '', host: '127.0.0.1', port: '2222', user: 'root', auth: 'key', keyPath: '/tmp/id', passphrase: '', savePassphrase: false, remoteSocket: '' };

describe('add host form', () => {
  it('builds the args for a key file with passphrase', () => {
    expect(toAddHostArgs({ ...base, passphrase: 'pw' })).toEqual({ name: 'root@127.0.0.1', host: '127.0.0.1', port: 2222, user: 'root', useAgent: false, keyPath: '/tmp/id', passphrase: 'pw', savePassphrase: false });
  });

  it('builds the args for the agent', () => {
    expect(toAddHostArgs({ ...base, auth: 'agent', name: 'n', remoteSocket: '/var/run/docker.sock' })).toEqual({ name: 'n', host: '127.0.0.1', port: 2222, user: 'root', useAgent: true, remoteSocket: '/var/run/docker.sock' });
  });

  it('rejects bad input field by field', () => {
    expect(Object.keys(validateAddHostForm({ ...base, host: 'root@x', port: '70000', user: '', keyPath: '', remoteSocket: 'rel' })).sort()).toEqual(['host', 'keyPath', 'port', 'remoteSocket', 'user']);
    expect(validateAddHostForm(base)).toEqual({});
  });
});
