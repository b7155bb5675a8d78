import { describe, expect, it } from 'vitest';
import type { HostStatusView, HostView } from '../../../../../src-shared/ipc/models/hosts';
import { mergeHostStatus, toHostBanner, toHostRowViews } from './host-mapper';

const NOW = 1_700_000_000_000;
const local: HostView = { id: 'local', name: 'This machine', kind: 'local', address: 'unix:///run/berth/berthd.sock' };
const ssh: HostView = { id: 'h1', name: 'build', kind: 'ssh', address: 'ssh://root@127.0.0.1:2222' };

describe('host rows', () => {
  it('joins hosts with their status', () => {
    const statuses: HostStatusView[] = [
      { hostId: 'local', state: 'connected', since: NOW, engine: { serverVersion: '0.1.0', apiVersion: '1.47', os: 'linux', kernelVersion: '6', isBerth: true } },
      { hostId: 'h1', state: 'reconnecting', since: NOW, attempt: 3, nextRetryAt: NOW + 4000, lastError: { kind: 'Unavailable', code: 'SSH_CONNECT_FAILED', message: 'connection refused' } },
    ];
    const [a, b] = toHostRowViews([local, ssh], statuses, 'h1', NOW);
    expect(a).toMatchObject({ stateLabel: 'Connected', tone: 'ok', detail: 'berthd 0.1.0 · API 1.47', isActive: false, canRemove: false, canConnect: false });
    expect(b).toMatchObject({ stateLabel: 'Reconnecting', tone: 'warn', detail: 'connection refused — retry #3 in 4 s', isActive: true, canRemove: true, canConnect: true });
  });

  it('surfaces a pending host key and a passphrase request', () => {
    const statuses: HostStatusView[] = [
      {
        hostId: 'h1',
        state: 'failed',
        since: NOW,
        lastError: { kind: 'Forbidden', code: 'HOST_KEY_UNKNOWN', message: 'unknown host key' },
        hostKey: { hostPattern: '[127.0.0.1]:2222', keyType: 'ssh-ed25519', fingerprint: 'SHA256:abc', reason: 'unknown' },
      },
    ];
    expect(toHostRowViews([ssh], statuses, 'local', NOW)[0]?.hostKey?.fingerprint).toBe('SHA256:abc');
    const pass: HostStatusView = { hostId: 'h1', state: 'failed', since: NOW, lastError: { kind: 'Unauthorized', code: 'PASSPHRASE_REQUIRED', message: 'needs passphrase' } };
    expect(toHostRowViews([ssh], [pass], 'local', NOW)[0]?.needsPassphrase).toBe(true);
  });

  it('merges a status into the cached list', () => {
    const merged = mergeHostStatus([{ hostId: 'local', state: 'connecting', since: 1 }], { hostId: 'local', state: 'connected', since: 2 });
    expect(merged).toEqual([{ hostId: 'local', state: 'connected', since: 2 }]);
  });

  it('says when the active host is down, and nothing when it is connected', () => {
    const down: HostStatusView = { hostId: 'local', state: 'reconnecting', since: NOW, attempt: 1, nextRetryAt: NOW + 1000, lastError: { kind: 'Unavailable', code: 'ENGINE_UNAVAILABLE', message: 'berthd is not running' } };
    expect(toHostBanner(local, down, NOW)).toMatchObject({ tone: 'warn' });
    expect(toHostBanner(local, down, NOW)?.text).toContain('berthd is not running');
    expect(toHostBanner(local, { hostId: 'local', state: 'connected', since: NOW }, NOW)).toBeNull();
    const key = { hostPattern: 'h', keyType: 'ssh-ed25519', fingerprint: 'SHA256:x' };
    expect(toHostBanner(ssh, { hostId: 'h1', state: 'failed', since: NOW, hostKey: { ...key, reason: 'unknown' } }, NOW)?.text).toMatch(/unknown host key/);
    expect(toHostBanner(ssh, { hostId: 'h1', state: 'failed', since: NOW, hostKey: { ...key, reason: 'changed' } }, NOW)).toMatchObject({ tone: 'danger' });
  });

  it('tells an SSH port that refuses from a berthd that is not running', () => {
    const refused: HostStatusView = {
      hostId: 'h1',
      state: 'reconnecting',
      since: NOW,
      attempt: 2,
      nextRetryAt: NOW + 3000,
      lastError: { kind: 'Unavailable', code: 'SSH_CONNECT_FAILED', message: 'cannot connect to SSH server 127.0.0.1:2222: connect ECONNREFUSED' },
    };
    const text = toHostBanner(ssh, refused, NOW)?.text ?? '';
    expect(text).toBe(
      'build: cannot connect to SSH server 127.0.0.1:2222: connect ECONNREFUSED — retry #2 in 3 s. The SSH server does not answer: check the host address and port, and that sshd runs there. Berth keeps retrying.',
    );
    expect(text).not.toMatch(/berthd is running/);
    const noEngine: HostStatusView = { ...refused, lastError: { kind: 'Unavailable', code: 'ENGINE_UNAVAILABLE', message: 'no socket' } };
    expect(toHostBanner(ssh, noEngine, NOW)?.text).toMatch(/SSH works, but no engine answers/);
  });
});
