/**
 * Helpers for the app-*.test.ts suites: the app's main-process services (the same ones web mode
 * and Electron build) driven directly from Node, plus small waiters for streams.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostStatusView } from '../../src-shared/ipc/models/hosts';
import type { TerminalEvent } from '../../src-shared/ipc/models/terminal';
import { createAppServices, type AppServices, type EngineServiceOptions } from '../../src-main/services/app-services';

export async function startServices(opts: Partial<EngineServiceOptions> & { localSocket: string }): Promise<{ services: AppServices; stateDir: string; cleanup: () => Promise<void> }> {
  const stateDir = opts.stateDir ?? (await mkdtemp(join(tmpdir(), 'berth-app-state-')));
  const services = createAppServices({
    mode: 'web',
    version: 'test',
    stateDir,
    userKnownHosts: [],
    backoff: { baseMs: 100, maxMs: 1000, factor: 2, jitter: 0 },
    ...opts,
  });
  await services.start();
  return {
    services,
    stateDir,
    cleanup: async () => {
      services.close();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

export function waitForStatus(services: AppServices, hostId: string, pred: (s: HostStatusView) => boolean, timeoutMs = 20_000): Promise<HostStatusView> {
  return waitFor(`host ${hostId} status`, () => {
    const s = services.hosts.statuses().find((x) => x.hostId === hostId);
    return s && pred(s) ? s : undefined;
  }, timeoutMs);
}

/** A terminal stream opened through the TerminalService, with its output and statuses recorded. */
export interface TestTerminal {
  output: () => string;
  statuses: () => string[];
  write: (data: string) => void;
  resize: (cols: number, rows: number) => void;
  waitOutput: (re: RegExp, timeoutMs?: number) => Promise<string>;
  waitStatus: (status: string, timeoutMs?: number) => Promise<void>;
  /** Waits for `status` among the statuses from index `from` on (for repeated cycles). */
  waitStatusAfter: (from: number, status: string, timeoutMs?: number) => Promise<void>;
  ended: () => { error?: unknown } | null;
  close: () => void;
}

export async function openTerminal(services: AppServices, args: { hostId: string; containerId: string; cols?: number; rows?: number; mode?: 'auto' | 'attach' | 'exec' }): Promise<TestTerminal> {
  let out = '';
  const statuses: string[] = [];
  let endState: { error?: unknown } | null = null;
  const abort = new AbortController();
  const session = await services.terminals.open(
    { hostId: args.hostId, containerId: args.containerId, cols: args.cols ?? 80, rows: args.rows ?? 24, ...(args.mode ? { mode: args.mode } : {}) },
    {
      emit: (e: TerminalEvent) => {
        if (e.t === 'data') out += e.data;
        else statuses.push(e.status);
      },
      end: (error) => {
        endState = { error };
      },
      signal: abort.signal,
    },
  );
  return {
    output: () => out,
    statuses: () => statuses,
    write: (data) => session.input({ t: 'data', data }),
    resize: (cols, rows) => session.input({ t: 'resize', cols, rows }),
    waitOutput: (re, timeoutMs) => waitFor(`terminal output ${re}`, () => (re.test(out) ? out : undefined), timeoutMs),
    waitStatus: async (status, timeoutMs) => {
      await waitFor(`terminal status ${status} (have ${statuses.join(',')})`, () => statuses.includes(status) || undefined, timeoutMs);
    },
    waitStatusAfter: async (from, status, timeoutMs) => {
      await waitFor(`terminal status ${status} after #${from} (have ${statuses.join(',')})`, () => statuses.slice(from).includes(status) || undefined, timeoutMs);
    },
    ended: () => endState,
    close: () => abort.abort(),
  };
}
