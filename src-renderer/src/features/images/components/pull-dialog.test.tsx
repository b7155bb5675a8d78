import { afterEach, describe, expect, it } from 'vitest';
import { act, cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { FakeBridge } from '../../../testing/fake-bridge';
import { renderWithApp } from '../../../testing/render';
import { PullDialog } from './pull-dialog';

afterEach(cleanup);

describe('PullDialog', () => {
  it('shows per-layer progress and the mirror that served the pull', async () => {
    const bridge = new FakeBridge();
    renderWithApp(<PullDialog hostId="local" onClose={() => undefined} />, bridge);
    fireEvent.change(screen.getByLabelText('Image reference'), { target: { value: 'busybox' } });
    fireEvent.click(screen.getByText('Pull'));
    await waitFor(() => expect(bridge.open_('images:pull')[0]?.args).toEqual({ hostId: 'local', ref: 'busybox' }));
    const snap = {
      ref: 'busybox',
      layers: [
        { id: 'a1b2c3', status: 'Downloading', phase: 'downloading' as const, current: 100, total: 400 },
        { id: 'd4e5f6', status: 'Waiting', phase: 'waiting' as const, current: 0, total: 0 },
      ],
      current: 100,
      total: 400,
      messages: [],
      mirror: 'http://127.0.0.1:5001',
      mirrorFailures: [{ mirror: 'http://127.0.0.1:1', message: 'connection refused' }],
      digest: null,
      error: null,
    };
    act(() => bridge.emit('images:pull', { ...snap, state: 'running' }));
    const bars = screen.getAllByRole('progressbar');
    expect(bars.map((b) => b.getAttribute('aria-valuenow'))).toEqual(['25', '25', null]);
    expect(screen.getByTestId('served-by').textContent).toBe('Served by http://127.0.0.1:5001');
    expect(screen.getByTestId('mirror-failure').textContent).toMatch(/127.0.0.1:1 failed: connection refused/);
    act(() => {
      bridge.emit('images:pull', { ...snap, state: 'done', layers: snap.layers.map((l) => ({ ...l, phase: 'done' as const, status: 'Pull complete' })) });
      bridge.end('images:pull');
    });
    expect(screen.getByTestId('transfer-state').textContent).toBe('Complete');
    expect(screen.getAllByRole('progressbar').every((b) => b.getAttribute('aria-valuenow') === '100')).toBe(true);
  });

  it('shows a failed pull with a retry', async () => {
    const bridge = new FakeBridge();
    renderWithApp(<PullDialog hostId="local" onClose={() => undefined} />, bridge);
    fireEvent.change(screen.getByLabelText('Image reference'), { target: { value: 'nope' } });
    fireEvent.click(screen.getByText('Pull'));
    await waitFor(() => expect(bridge.open_('images:pull')).toHaveLength(1));
    act(() => bridge.end('images:pull', { kind: 'NotFound', code: 'IMAGE_NOT_FOUND', message: 'manifest unknown' }));
    expect(screen.getByRole('alert').textContent).toMatch(/manifest unknown/);
    fireEvent.click(screen.getByText('Retry'));
    expect(bridge.open_('images:pull')).toHaveLength(1);
  });
});
