import { describe, expect, it } from 'vitest';
import { INITIAL_TERMINAL_STATE, onTerminalEnd, onTerminalStatus, terminalBanner } from './terminal-status';

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
