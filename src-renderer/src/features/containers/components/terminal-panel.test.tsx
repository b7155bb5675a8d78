import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import { FakeBridge } from '../../../testing/fake-bridge';
import { renderWithApp } from '../../../testing/render';
import { TerminalPanel } from './terminal-panel';

/** A stand-in for xterm.js (jsdom has no canvas/layout): records writes, lets the test type and resize. */
const fake = vi.hoisted(() => {
  const state = {
    created: 0,
    disposed: 0,
    written: [] as string[],
    onData: undefined as ((d: string) => void) | undefined,
    onResize: undefined as ((s: { cols: number; rows: number }) => void) | undefined,
    cols: 80,
    rows: 24,
  };
  return state;
});

vi.mock('../../../lib/xterm', () => ({
  createXterm: () => {
    fake.created++;
    return {
      term: {
        get cols() {
          return fake.cols;
        },
        get rows() {
          return fake.rows;
        },
        write: (d: string) => fake.written.push(d),
        onData: (cb: (d: string) => void) => ((fake.onData = cb), { dispose: () => undefined }),
        onResize: (cb: (s: { cols: number; rows: number }) => void) => ((fake.onResize = cb), { dispose: () => undefined }),
        focus: () => undefined,
        paste: (t: string) => fake.onData?.(t),
        clear: () => undefined,
      },
      search: { findNext: () => true, findPrevious: () => true },
      fit: () => ({ cols: fake.cols, rows: fake.rows }),
      dispose: () => fake.disposed++,
    };
  },
}));

beforeEach(() => {
  Object.assign(fake, { created: 0, disposed: 0, written: [], cols: 80, rows: 24 });
  globalThis.ResizeObserver = class {
    observe(): void {}
    disconnect(): void {}
    unobserve(): void {}
  } as unknown as typeof ResizeObserver;
});
afterEach(cleanup);

describe('TerminalPanel', () => {
  it('opens the session at the fitted size, writes output, and forwards keystrokes, Ctrl-C and resizes', () => {
    const bridge = new FakeBridge();
    renderWithApp(<TerminalPanel hostId="local" containerId="c1" visible />, bridge);
    const [stream] = bridge.open_('terminal:open');
    expect(stream?.args).toEqual({ hostId: 'local', containerId: 'c1', mode: 'auto', cols: 80, rows: 24 });
    act(() => bridge.emit('terminal:open', { t: 'status', status: 'attached', mode: 'attach' }));
    expect(screen.getByTestId('terminal-mode').textContent).toMatch(/TTY/);
    expect(stream?.inputs).toContainEqual({ t: 'resize', cols: 80, rows: 24 });
    act(() => bridge.emit('terminal:open', { t: 'data', data: '/ # ' }));
    expect(fake.written).toEqual(['/ # ']);
    act(() => fake.onData?.('echo hi\r'));
    act(() => fake.onData?.('\u0003'));
    act(() => fake.onResize?.({ cols: 100, rows: 30 }));
    expect(stream?.inputs.slice(1)).toEqual([
      { t: 'data', data: 'echo hi\r' },
      { t: 'data', data: '\u0003' },
      { t: 'resize', cols: 100, rows: 30 },
    ]);
  });

  it('says the container stopped, then reconnects on the same terminal', () => {
    const bridge = new FakeBridge();
    renderWithApp(<TerminalPanel hostId="local" containerId="c1" visible />, bridge);
    act(() => bridge.emit('terminal:open', { t: 'status', status: 'ended', mode: 'attach', exitCode: 0 }));
    expect(screen.getByTestId('terminal-status').textContent).toBe('Container stopped — will reconnect when it runs again (exit code 0)');
    act(() => bridge.emit('terminal:open', { t: 'status', status: 'reconnected', mode: 'attach' }));
    expect(screen.getByTestId('terminal-status').textContent).toBe('Reconnected.');
    expect(fake.created).toBe(1);
  });

  it('keeps the xterm instance while hidden, and offers Reconnect when the stream ends', () => {
    const bridge = new FakeBridge();
    const { rerender } = renderWithApp(<TerminalPanel hostId="local" containerId="c1" visible />, bridge);
    rerender(<TerminalPanel hostId="local" containerId="c1" visible={false} />);
    rerender(<TerminalPanel hostId="local" containerId="c1" visible />);
    expect(fake.created).toBe(1);
    expect(fake.disposed).toBe(0);
    act(() => bridge.end('terminal:open', { kind: 'NotFound', code: 'CONTAINER_REMOVED', message: 'gone' }));
    expect(screen.getByTestId('terminal-status').textContent).toMatch(/The container was removed/);
    fireEvent.click(screen.getByRole('button', { name: 'Reconnect' }));
    expect(bridge.open_('terminal:open')).toHaveLength(1);
    expect(bridge.streams.filter((s) => s.channel === 'terminal:open')).toHaveLength(2);
    expect(fake.created).toBe(1);
  });
});
