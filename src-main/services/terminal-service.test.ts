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
  let running = true;
  let eventsRes: ServerResponse | null = null;
  const execSockets: Socket[] = [];

  const event = (action: string): void => {
    eventsRes?.write(JSON.stringify({ Type: 'container', Action: action, Actor: { ID: 'c1', Attributes: {} }, time: 1 }) + '\n');
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'term-'));
    running = true;
    execSockets.length = 0;
    let execs = 0;
    engine = await startFakeEngine({
      ...basicEngineRoutes(),
      'GET /events': (_q, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.flushHeaders();
        eventsRes = res;
      },
      'GET /containers/c1/json': (_q, res) => json(200, { Id: 'c1', State: { Running: running, ExitCode: running ? 0 : 137 }, Config: { Tty: false, OpenStdin: false } })(_q, res, ''),
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
      'GET /exec/e1/json': json(200, { ExitCode: 0 }),
    });
    engine.server.on('upgrade', (req, socket: Socket) => {
      socket.write('HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
      socket.write(`${req.url}$ `);
      socket.on('data', (d: Buffer) => socket.write(d.toString().toUpperCase()));
      execSockets.push(socket);
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
    running = false;
    execSockets[0]?.destroy();
    await until(() => t.statuses().includes('ended'));
    expect(t.events.find((e) => e.t === 'status' && e.status === 'ended')).toMatchObject({ exitCode: 137 });
    running = true;
    event('start');
    await until(() => t.statuses().includes('reconnected'));
    expect(t.statuses()).toEqual(['connecting', 'attached', 'ended', 'reconnecting', 'reconnected']);
    await until(() => t.out().includes('/exec/e2/start$ '));
    t.abort.abort();
    expect(t.ended).toEqual([]);
  });
});
