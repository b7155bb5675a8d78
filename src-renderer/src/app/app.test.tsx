import { afterEach, describe, expect, it } from 'vitest';
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import type { HostStatusView } from '../../../src-shared/ipc/models/hosts';
import { FakeBridge, unavailable } from '../testing/fake-bridge';
import { fakeContainer } from '../testing/fixtures';
import { App } from './app';

afterEach(cleanup);

const status = (state: HostStatusView['state']): HostStatusView => ({
  hostId: 'local',
  state,
  since: Date.now(),
  ...(state === 'connected' ? {} : { attempt: 2, nextRetryAt: Date.now() + 2000, lastError: { kind: 'Unavailable' as const, code: 'ENGINE_UNAVAILABLE', message: 'berthd is not running' } }),
});

describe('App', () => {
  it('shows the daemon-down state, then recovers by itself when the host is connected again', async () => {
    window.location.hash = '#/containers';
    let daemonUp = false;
    const bridge = new FakeBridge()
      .on('hosts:list', () => [{ id: 'local', name: 'This machine', kind: 'local', address: 'unix:///run/berth/berthd.sock' }])
      .on('hosts:statuses', () => [status(daemonUp ? 'connected' : 'reconnecting')])
      .on('containers:list', () => {
        if (!daemonUp) throw unavailable();
        return [fakeContainer(3)];
      });
    render(<App bridge={bridge} />);
    // The query retries once (about a second) before showing the error.
    const alert = await screen.findByRole('alert', {}, { timeout: 4000 });
    expect(alert.textContent).toContain('The Berth daemon is not reachable');
    expect(screen.getByRole('button', { name: 'Retry' })).toBeTruthy();
    await waitFor(() => expect(bridge.open_('host:status')).toHaveLength(1));
    act(() => bridge.emit('host:status', status('reconnecting')));
    expect((await screen.findByTestId('host-banner')).textContent).toMatch(/berthd is not running/);

    daemonUp = true;
    act(() => bridge.emit('host:status', status('connected')));
    expect(await screen.findByText('app-3')).toBeTruthy();
    expect(screen.queryByTestId('host-banner')).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
