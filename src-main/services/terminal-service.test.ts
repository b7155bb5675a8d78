import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TerminalEvent } from '../../src-shared/ipc/models/terminal';
import { KnownHostsStore } from '../connections/ssh/known-hosts';
import { basicEngineRoutes, json, startFakeEngine, type FakeEngine } from '../engine-client/fake-engine';
import { HostsService } from './hosts-service';
import { TerminalService } from './terminal-service';

async function until(pred: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timeout');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('TerminalService (exec a shell, follow the container)', () => {
  let engine: FakeEngine;
  let hosts: HostsService;
  let dir: string;
  let eventsRes: ServerResponse | null = null;
  const execSockets: Socket[] = [];
  /** The fake container: `startedAt` identifies a run, as on a real engine. */
  const ctr = { running: true, startedAt: '2025-01-01T00:00:00.000Z', pid: 100, exitCode: 0, tty: false };
  let runs = 0;
  let execExitCode = 0;
  const startRun = (): void => {
    runs += 1;
    Object.assign(ctr, { running: true, startedAt: `2025-01-01T00:00:0${runs}.000Z`, pid: 100 + runs, exitCode: 0 });
  };
  const stopRun = (exitCode: number): void => {
    Object.assign(ctr, { running: false, pid: 0, exitCode });
  };
  /** Ordered record of attaches (with the run they met) and inspects (with what they answered). */
  const log: string[] = [];
  let parkNext = false;
  const attaches = (): string[] => log.filter((l) => l.startsWith('attach'));
  /** Whether an inspect was answered after the log's entry `mark`. */
  const inspectedSince = (mark: number): boolean => log.slice(mark).some((l) => l.startsWith('inspect'));

  const event = (action: string, attributes: Record<string, string> = {}): void => {
    eventsRes?.write(JSON.stringify({ Type: 'container', Action: action, Actor: { ID: 'c1', Attributes: attributes }, time: 1 }) + '\n');
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'term-'));
    runs = 0;
    startRun();
    ctr.tty = false;
    execExitCode = 0;
    execSockets.length = 0;
    let execs = 0;
    engine = await startFakeEngine({
      ...basicEngineRoutes(),
      'GET /events': (_q, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.flushHeaders();
        eventsRes = res;
      },
      'GET /containers/c1/json': (_q, res) => {
        log.push(`inspect ${ctr.running ? ctr.startedAt : 'stopped'}`);
        json(200, {
          Id: 'c1',
          State: { Running: ctr.running, Pid: ctr.pid, ExitCode: ctr.exitCode, StartedAt: ctr.startedAt },
          Config: { Tty: ctr.tty, OpenStdin: ctr.tty },
        })(_q, res, '');
      },
      'POST /containers/c1/resize': (_q, res) => {
        res.writeHead(200).end();
      },
      'POST /containers/c1/exec': (_q, res, body) => {
        expect(JSON.parse(body)).toMatchObject({ Tty: true, AttachStdin: true, Cmd: ['/bin/sh'], ConsoleSize: [24, 80] });
        json(201, { Id: `e${++execs}` })(_q, res, '');
      },
      'POST /exec/e1/resize': (_q, res) => {
        res.writeHead(201).end();
      },
      'POST /exec/e2/resize': (_q, res) => {
        res.writeHead(201).end();
      },
      'GET /exec/e1/json': (_q, res) => json(200, { ExitCode: execExitCode, Running: false })(_q, res, ''),
    });
    log.length = 0;
    parkNext = false;
    engine.server.on('upgrade', (req, socket: Socket) => {
      const attach = req.url?.includes('/containers/c1/attach') ?? false;
      log.push(attach ? `attach ${ctr.running ? ctr.startedAt : 'stopped'}` : 'exec');
      socket.write('HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
      execSockets.push(socket);
      if (attach && parkNext) {
        // The run ended while the attach was on its way: the engine parks it for the next start.
        parkNext = false;
        stopRun(137);
        return;
      }
      socket.write(`${req.url}$ `);
      socket.on('data', (d: Buffer) => socket.write(d.toString().toUpperCase()));
    });
    hosts = new HostsService({
      stateDir: dir,
      localSocket: engine.socket,
      knownHosts: new KnownHostsStore({ ownFile: join(dir, 'kh'), readFiles: [] }),
    });
    await hosts.start();
    await until(() => hosts.statuses()[0]?.state === 'connected' && eventsRes !== null);
  });

  afterEach(async () => {
    hosts.close();
    await engine.close();
    await rm(dir, { recursive: true, force: true });
  });

  function open(): { events: TerminalEvent[]; ended: { error?: unknown }[]; abort: AbortController; out: () => string; statuses: () => string[] } {
    const events: TerminalEvent[] = [];
    const ended: { error?: unknown }[] = [];
    const abort = new AbortController();
    return {
      events,
      ended,
      abort,
      out: () => events.map((e) => (e.t === 'data' ? e.data : '')).join(''),
      statuses: () => events.flatMap((e) => (e.t === 'status' ? [e.status] : [])),
    };
  }

  it('execs a TTY shell, forwards input and resizes, ends when the container is removed', async () => {
    const t = open();
    const session = await new TerminalService(hosts).open(
      { hostId: 'local', containerId: 'c1', cols: 80, rows: 24 },
      { emit: (e) => t.events.push(e), end: (error) => t.ended.push({ error }), signal: t.abort.signal },
    );
    await until(() => t.out().includes('/exec/e1/start$ '));
    expect(t.statuses()).toEqual(['connecting', 'attached']);
    session.input({ t: 'data', data: 'echo hi\r' });
    await until(() => t.out().includes('ECHO HI'));
    session.input({ t: 'resize', cols: 100, rows: 40 });
    await until(() => engine.requests.includes('POST /exec/e1/resize?h=40&w=100'));
    event('destroy');
    await until(() => t.ended.length === 1);
    expect(t.ended[0]?.error).toMatchObject({ code: 'CONTAINER_REMOVED' });
  });

  it('says "ended" when the container stops and reconnects when it starts again', async () => {
    const t = open();
    await new TerminalService(hosts).open(
      { hostId: 'local', containerId: 'c1', cols: 80, rows: 24 },
      { emit: (e) => t.events.push(e), end: (error) => t.ended.push({ error }), signal: t.abort.signal },
    );
    await until(() => t.statuses().includes('attached'));
    stopRun(137);
    execSockets[0]?.destroy();
    await until(() => t.statuses().includes('ended'));
    expect(t.events.find((e) => e.t === 'status' && e.status === 'ended')).toMatchObject({ exitCode: 137, reason: 'stopped' });
    startRun();
    event('start');
    await until(() => t.statuses().includes('reconnected'));
    expect(t.statuses()).toEqual(['connecting', 'attached', 'ended', 'reconnecting', 'reconnected']);
    await until(() => t.out().includes('/exec/e2/start$ '));
    t.abort.abort();
    expect(t.ended).toEqual([]);
  });

  function openWith(t: ReturnType<typeof open>): Promise<{ input: (i: import('../../src-shared/ipc/models/terminal').TerminalInput) => void }> {
    return new TerminalService(hosts).open(
      { hostId: 'local', containerId: 'c1', cols: 80, rows: 24 },
      { emit: (e) => t.events.push(e), end: (error) => t.ended.push({ error }), signal: t.abort.signal },
    );
  }

  const lastStatus = (t: ReturnType<typeof open>): TerminalEvent | undefined => t.events.filter((e) => e.t === 'status').at(-1);

  /**
   * The engine closes a run's output before it records the exit: the stream ends while inspect
   * still shows that run running, and the `die` comes a moment later.
   */
  async function endOutputOfRun(): Promise<void> {
    // First the session's own look at the run it just connected to.
    await until(() => inspectedSince(log.findLastIndex((l) => l.startsWith('attach') || l === 'exec') + 1));
    const mark = log.length;
    execSockets.at(-1)?.destroy();
    await until(() => inspectedSince(mark));
  }

  it('attach: follows the container through several stop/start and restart cycles, one attach per run', async () => {
    ctr.tty = true;
    const t = open();
    const session = await openWith(t);
    await until(() => t.statuses().includes('attached'));
    for (let cycle = 1; cycle <= 3; cycle++) {
      // Stop: nothing is said or attached until the run's exit is recorded.
      let from = t.statuses().length;
      await endOutputOfRun();
      stopRun(137);
      event('die', { exitCode: '137' });
      await until(() => t.statuses().length > from);
      expect(lastStatus(t)).toMatchObject({ status: 'ended', exitCode: 137 });
      startRun();
      event('start');
      await until(() => t.statuses().includes('reconnected') && t.statuses().length >= from + 3);
      expect(t.statuses().slice(from)).toEqual(['ended', 'reconnecting', 'reconnected']);
      session.input({ t: 'data', data: `stop ${cycle}\r` });
      await until(() => t.out().includes(`STOP ${cycle}`));

      // Restart: by the time the exit is recorded the next run already runs.
      from = t.statuses().length;
      await endOutputOfRun();
      startRun();
      event('die', { exitCode: '137' });
      event('start');
      event('restart');
      await until(() => t.statuses().length >= from + 3);
      expect(t.statuses().slice(from)).toEqual(['ended', 'reconnecting', 'reconnected']);
      expect(t.events.filter((e) => e.t === 'status' && e.status === 'ended').at(-1)).toMatchObject({ exitCode: 137 });
      session.input({ t: 'data', data: `restart ${cycle}\r` });
      await until(() => t.out().includes(`RESTART ${cycle}`));
    }
    // Every attach met a distinct, running run: never the one whose end the session saw.
    const runsAttached = attaches();
    expect(runsAttached).toHaveLength(7);
    expect(new Set(runsAttached).size).toBe(7);
    expect(runsAttached.some((a) => a.endsWith('stopped'))).toBe(false);
    t.abort.abort();
    expect(t.ended).toEqual([]);
  });

  it('attach: an attach parked by the engine (the run ended on the way) is dropped, the stop reported, the next start attached', async () => {
    ctr.tty = true;
    const t = open();
    await openWith(t);
    await until(() => t.statuses().includes('attached'));
    stopRun(137);
    execSockets.at(-1)?.destroy();
    event('die', { exitCode: '137' });
    await until(() => t.statuses().includes('ended'));
    parkNext = true;
    startRun();
    event('start');
    // The parked attach never ends by itself; the die (or the check after attaching) drops it.
    event('die', { exitCode: '137' });
    await until(() => t.statuses().filter((s) => s === 'ended').length === 2);
    expect(lastStatus(t)).toMatchObject({ status: 'ended', exitCode: 137 });
    startRun();
    event('start');
    await until(() => t.statuses().filter((s) => s === 'reconnected').length === 2);
    expect(t.statuses()).toEqual(['connecting', 'attached', 'ended', 'reconnecting', 'reconnected', 'ended', 'reconnecting', 'reconnected']);
    expect(attaches().at(-1)).toBe(`attach ${ctr.startedAt}`);
    t.abort.abort();
  });

  it('exec: a shell killed with its container (before the exit is recorded) is a stop, not the end of the session', async () => {
    const t = open();
    await openWith(t);
    await until(() => t.statuses().includes('attached'));
    execExitCode = 137;
    await endOutputOfRun();
    stopRun(137);
    event('die', { exitCode: '137' });
    await until(() => t.statuses().includes('ended'));
    expect(lastStatus(t)).toMatchObject({ status: 'ended', exitCode: 137 });
    startRun();
    event('start');
    await until(() => t.statuses().includes('reconnected'));
    await until(() => t.out().includes('/exec/e2/start$ '));
    expect(t.ended).toEqual([]);
    t.abort.abort();
  });

  it('exec: the shell exiting while its container runs on ends the session', async () => {
    const t = open();
    await openWith(t);
    await until(() => t.statuses().includes('attached'));
    execExitCode = 0;
    execSockets.at(-1)?.destroy();
    await until(() => t.ended.length === 1);
    expect(lastStatus(t)).toMatchObject({ status: 'ended', message: 'the shell exited', exitCode: 0 });
    expect(t.ended[0]?.error).toBeUndefined();
  });
});
