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

  it('shows a failed pull with one way to try again (Pull again, no second Retry)', async () => {
    const bridge = new FakeBridge();
    renderWithApp(<PullDialog hostId="local" onClose={() => undefined} />, bridge);
    fireEvent.change(screen.getByLabelText('Image reference'), { target: { value: 'nope' } });
    fireEvent.click(screen.getByText('Pull'));
    await waitFor(() => expect(bridge.open_('images:pull')).toHaveLength(1));
    act(() => bridge.end('images:pull', { kind: 'NotFound', code: 'IMAGE_NOT_FOUND', message: 'manifest unknown' }));
    expect(screen.getByRole('alert').textContent).toMatch(/manifest unknown/);
    expect(screen.queryByText('Retry')).toBeNull();
    fireEvent.click(screen.getByText('Pull again'));
    expect(bridge.open_('images:pull')).toHaveLength(1);
  });

  const running = {
    ref: 'busybox',
    state: 'running' as const,
    layers: [
      { id: 'a1b2c3', status: 'Downloading', phase: 'downloading' as const, current: 100, total: 400 },
      { id: 'd4e5f6', status: 'Waiting', phase: 'waiting' as const, current: 0, total: 0 },
    ],
    current: 100,
    total: 400,
    messages: [],
    mirror: null,
    mirrorFailures: [],
    digest: null,
    error: null,
  };

  it('says Cancelled after a cancel: the stream is closed, no bar keeps animating, Pull again is offered', async () => {
    const bridge = new FakeBridge();
    renderWithApp(<PullDialog hostId="local" onClose={() => undefined} />, bridge);
    fireEvent.change(screen.getByLabelText('Image reference'), { target: { value: 'busybox' } });
    fireEvent.click(screen.getByText('Pull'));
    await waitFor(() => expect(bridge.open_('images:pull')).toHaveLength(1));
    act(() => bridge.emit('images:pull', running));
    expect(screen.getAllByRole('progressbar').some((b) => b.getAttribute('aria-valuenow') === null)).toBe(true);
    fireEvent.click(screen.getByText('Cancel pull'));
    expect(bridge.open_('images:pull')).toHaveLength(0);
    expect(screen.getByTestId('transfer-state').textContent).toBe('Cancelled');
    expect(screen.getAllByRole('progressbar').every((b) => b.getAttribute('aria-valuenow') !== null)).toBe(true);
    expect(screen.queryByText('Cancel pull')).toBeNull();
    expect(screen.getByText('Pull again')).toBeTruthy();
  });

  it('shows a failure once, with stopped bars', async () => {
    const bridge = new FakeBridge();
    renderWithApp(<PullDialog hostId="local" onClose={() => undefined} />, bridge);
    fireEvent.change(screen.getByLabelText('Image reference'), { target: { value: 'busybox' } });
    fireEvent.click(screen.getByText('Pull'));
    await waitFor(() => expect(bridge.open_('images:pull')).toHaveLength(1));
    act(() => {
      bridge.emit('images:pull', { ...running, state: 'error', error: 'unexpected EOF', messages: ['unexpected EOF'] });
      bridge.end('images:pull', { kind: 'Unavailable', code: 'PULL_FAILED', message: 'unexpected EOF' });
    });
    expect(screen.getByTestId('transfer-state').textContent).toBe('Failed');
    expect(screen.getAllByText(/unexpected EOF/)).toHaveLength(1);
    expect(screen.getAllByRole('progressbar').every((b) => b.getAttribute('aria-valuenow') !== null)).toBe(true);
  });
});
