import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { FakeBridge } from '../../../testing/fake-bridge';
import { renderWithApp } from '../../../testing/render';
import { HostKeyPrompt } from './host-key-prompt';

afterEach(cleanup);

describe('HostKeyPrompt', () => {
  it('shows an unknown key’s fingerprint and accepts exactly that key', async () => {
    const bridge = new FakeBridge().on('hosts:acceptHostKey', ({ hostId }) => ({ hostId, state: 'connected', since: 1 }));
    renderWithApp(<HostKeyPrompt hostId="h1" prompt={{ hostPattern: '[127.0.0.1]:2222', keyType: 'ssh-ed25519', fingerprint: 'SHA256:Abc123', reason: 'unknown' }} />, bridge);
    expect(screen.getByTestId('host-key-fingerprint').textContent).toBe('SHA256:Abc123');
    fireEvent.click(screen.getByText('Accept and connect'));
    await waitFor(() => expect(bridge.calls[0]).toEqual({ channel: 'hosts:acceptHostKey', args: { hostId: 'h1', fingerprint: 'SHA256:Abc123' } }));
  });

  it('rejecting disconnects', async () => {
    const bridge = new FakeBridge().on('hosts:disconnect', ({ hostId }) => ({ hostId, state: 'disconnected', since: 1 }));
    renderWithApp(<HostKeyPrompt hostId="h1" prompt={{ hostPattern: 'h', keyType: 'ssh-rsa', fingerprint: 'SHA256:x', reason: 'unknown' }} />, bridge);
    fireEvent.click(screen.getByText('Reject'));
    await waitFor(() => expect(bridge.calls[0]?.channel).toBe('hosts:disconnect'));
  });

  it('refuses a changed key with a warning and no way to accept it', () => {
    renderWithApp(
      <HostKeyPrompt hostId="h1" prompt={{ hostPattern: '[127.0.0.1]:2222', keyType: 'ssh-ed25519', fingerprint: 'SHA256:new', knownFingerprint: 'SHA256:old', reason: 'changed' }} />,
    );
    const box = screen.getByTestId('host-key-changed');
    expect(box.textContent).toMatch(/Host key changed — connection refused/);
    expect(box.textContent).toMatch(/SHA256:new/);
    expect(box.textContent).toMatch(/SHA256:old/);
    expect(screen.queryByText('Accept and connect')).toBeNull();
  });
});
