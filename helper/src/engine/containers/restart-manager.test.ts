import { describe, expect, it } from 'vitest';
import { RestartManager } from './restart-manager';

describe('RestartManager (moby restartmanager)', () => {
  it('on-failure:3 restarts three failures with doubling delays, then stops', () => {
    const rm = new RestartManager({ name: 'on-failure', maximumRetryCount: 3 }, 0);
    const delays = [1, 2, 3, 4].map(() => rm.shouldRestart(1, false, 5));
    expect(delays).toEqual([
      { restart: true, delayMs: 100 },
      { restart: true, delayMs: 200 },
      { restart: true, delayMs: 400 },
      { restart: false, delayMs: 0 },
    ]);
  });

  it('on-failure does not restart a clean exit; always does; no never does', () => {
    expect(new RestartManager({ name: 'on-failure', maximumRetryCount: 0 }, 0).shouldRestart(0, false, 5).restart).toBe(false);
    expect(new RestartManager({ name: 'always', maximumRetryCount: 0 }, 0).shouldRestart(0, false, 5).restart).toBe(true);
    expect(new RestartManager({ name: 'no', maximumRetryCount: 0 }, 0).shouldRestart(1, false, 5).restart).toBe(false);
  });

  it('resets the delay after a run of 10 s and caps it at a minute', () => {
    const rm = new RestartManager({ name: 'always', maximumRetryCount: 0 }, 0);
    for (let i = 0; i < 12; i++) rm.shouldRestart(1, false, 5);
    expect(rm.shouldRestart(1, false, 5).delayMs).toBe(60_000);
    expect(rm.shouldRestart(1, false, 10_000).delayMs).toBe(100);
  });

  it('a user stop cancels it; unless-stopped honours a manual stop, always does not (daemon start)', () => {
    const rm = new RestartManager({ name: 'always', maximumRetryCount: 0 }, 0);
    rm.cancel();
    expect(rm.shouldRestart(1, true, 5).restart).toBe(false);
    expect(new RestartManager({ name: 'always', maximumRetryCount: 0 }, 0).shouldRestart(0, true, 5).restart).toBe(true);
    expect(new RestartManager({ name: 'unless-stopped', maximumRetryCount: 0 }, 0).shouldRestart(0, true, 5).restart).toBe(false);
  });

  it('counts restarts already made (persisted RestartCount)', () => {
    expect(new RestartManager({ name: 'on-failure', maximumRetryCount: 3 }, 3).shouldRestart(1, false, 5).restart).toBe(false);
  });
});
