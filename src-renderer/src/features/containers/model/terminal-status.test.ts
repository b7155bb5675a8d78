import { describe, expect, it } from 'vitest';
import { INITIAL_TERMINAL_STATE, onTerminalEnd, onTerminalStatus, terminalBanner, toHostLink } from './terminal-status';

describe('terminal status', () => {
  it('says the container stopped and that it will reconnect', () => {
    const s = onTerminalStatus({ t: 'status', status: 'ended', mode: 'attach', exitCode: 137 });
    expect(s.banner?.text).toBe('Container stopped — will reconnect when it runs again (exit code 137)');
    expect(s.banner?.canReconnect).toBe(false);
  });

  it('clears the banner once attached and labels the mode', () => {
    const s = onTerminalStatus({ t: 'status', status: 'attached', mode: 'exec' });
    expect(s.banner).toBeNull();
    expect(s.modeLabel).toMatch(/exec/);
    expect(onTerminalStatus({ t: 'status', status: 'reconnecting', mode: 'attach' }).banner?.text).toMatch(/reconnecting/);
  });

  it('offers a manual reconnect when the stream ends', () => {
    expect(onTerminalEnd(INITIAL_TERMINAL_STATE, { kind: 'NotFound', code: 'CONTAINER_NOT_FOUND', message: 'gone' }).banner).toMatchObject({ text: 'The container was removed.', canReconnect: true });
    expect(onTerminalEnd({ ...INITIAL_TERMINAL_STATE, mode: 'exec' }, undefined).banner?.text).toBe('The shell exited.');
  });
});

describe('terminalBanner', () => {
  it('says the container stopped when engine events say so before the session does', () => {
    const attached = onTerminalStatus({ t: 'status', status: 'reconnected', mode: 'attach' });
    expect(terminalBanner(attached, false)?.text).toBe('Container stopped — will reconnect when it runs again');
    expect(terminalBanner(attached, true)?.text).toBe('Reconnected.');
    const closed = onTerminalEnd(attached, undefined);
    expect(terminalBanner(closed, false)?.canReconnect).toBe(true);
  });
});

describe('a lost link is not a stopped container', () => {
  const NOW = 1_700_000_000_000;

  it('says the link is down, with the host’s retry, while the container is still reported running', () => {
    const attached = onTerminalStatus({ t: 'status', status: 'attached', mode: 'attach' });
    const link = toHostLink({ state: 'reconnecting', attempt: 2, nextRetryAt: NOW + 3000 }, NOW);
    expect(link).toEqual({ connected: false, retry: 'retry #2 in 3 s' });
    expect(terminalBanner(attached, true, link)?.text).toBe('Connection to the host lost — the terminal reattaches when the host is back (retry #2 in 3 s)');
    // Even if the container state were stale "not running", the link is what is down.
    expect(terminalBanner(attached, false, link)?.text).toMatch(/^Connection to the host lost/);
  });

  it('the session’s own link-lost end reads the same, and once the host is back it says it reattaches', () => {
    const lost = onTerminalStatus({ t: 'status', status: 'ended', mode: 'exec', reason: 'link-lost', message: 'lost the connection to the host; waiting for it' });
    expect(lost.banner?.text).toMatch(/^Connection to the host lost/);
    expect(lost.banner?.text).not.toMatch(/Container stopped/);
    expect(terminalBanner(lost, true, { connected: true })?.text).toBe('The host is back — reattaching…');
    expect(toHostLink(undefined, NOW)).toEqual({ connected: true });
  });

  it('a container that closed its terminal is not called stopped either', () => {
    expect(onTerminalStatus({ t: 'status', status: 'ended', mode: 'attach', reason: 'output-closed' }).banner?.text).toMatch(/^The container closed its terminal/);
  });
});
