import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { UnixSocketConnection } from '../connections/unix-socket-connection';
import { basicEngineRoutes, startFakeEngine, type FakeEngine } from '../engine-client/fake-engine';
import { HostSession } from './host-session';
import type { EngineConnection, LinkState } from '../connections/engine-connection';
import { AppError } from '../lib/app-error';
import { HostKeyError } from '../connections/ssh/ssh-connection';

const fast = { baseMs: 20, maxMs: 100, factor: 2, jitter: 0 };

async function until(pred: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timeout');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('HostSession', () => {
  let engine: FakeEngine | undefined;
  let session: HostSession | undefined;
  afterEach(async () => {
    session?.dispose();
    await engine?.close();
    engine = undefined;
  });

  it('connects, fans out events, goes reconnecting when the engine dies and recovers by itself', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hs-'));
    const socket = join(dir, 'engine.sock');
    try {
      engine = await startFakeEngine(basicEngineRoutes(), socket);
      session = new HostSession({ hostId: 'local', connection: new UnixSocketConnection(socket), backoff: fast });
      const states: string[] = [];
      session.onStatus((s) => states.push(s.state));
      const st = await session.connect();
      expect(st.state).toBe('connected');
      expect(st.engine).toMatchObject({ apiVersion: '1.48', isBerth: false });

      // One upstream events stream, fanned out to every subscriber.
      const got: string[] = [];
      session.onEvent((e) => got.push(`a:${e.Action}`));
      session.onEvent((e) => got.push(`b:${e.Action}`));
      engine.routes.set('GET /events', (_q, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write('{"Type":"container","Action":"start","Actor":{"ID":"c1","Attributes":{}},"time":1}\n');
      });
      // Force a fresh events stream by bouncing the engine: also the recovery path.
      await engine.close();
      await until(() => session!.status.state === 'reconnecting');
      expect(session.status.lastError?.code).toBe('ENGINE_UNAVAILABLE');
      expect(session.status.attempt).toBeGreaterThanOrEqual(1);
      await expect(session.client.listContainers()).rejects.toMatchObject({ kind: 'Unavailable' });

      const routes = basicEngineRoutes();
      routes['GET /events'] = (_q, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write('{"Type":"container","Action":"start","Actor":{"ID":"c1","Attributes":{}},"time":1}\n');
      };
      engine = await startFakeEngine(routes, socket);
      await until(() => session!.status.state === 'connected');
      await until(() => got.length === 2);
      expect(got.sort()).toEqual(['a:start', 'b:start']);
      expect(states.slice(0, 3)).toEqual(['connecting', 'connected', 'reconnecting']);
      expect(states.at(-1)).toBe('connected');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('retries with backoff until the daemon appears at the path', async () => {
    engine = await startFakeEngine(basicEngineRoutes());
    const path = engine.socket;
    await engine.close();
    engine = undefined;
    // A connection whose target becomes available later.
    let target = path;
    const conn: EngineConnection = {
      address: 'unix://late',
      linkState: 'up' as LinkState,
      connect: async () => {},
      close: () => {},
      onLinkChange: () => () => {},
      openStream: () => new UnixSocketConnection(target).openStream(),
    };
    session = new HostSession({ hostId: 'late', connection: conn, backoff: fast });
    const first = await session.connect();
    expect(first.state).toBe('reconnecting');
    expect(first.nextRetryAt).toBeGreaterThan(first.since - 1);
    engine = await startFakeEngine(basicEngineRoutes());
    target = engine.socket;
    await until(() => session!.status.state === 'connected');
  });

  it('fails without retrying on errors only the user can fix', async () => {
    const mk = (err: unknown): EngineConnection => ({
      address: 'ssh://x',
      linkState: 'down',
      connect: () => Promise.reject(err),
      close: () => {},
      onLinkChange: () => () => {},
      openStream: () => Promise.reject(new AppError('Unavailable', 'HOST_NOT_CONNECTED', 'no')),
    });
    session = new HostSession({ hostId: 'h', connection: mk(new AppError('Unauthorized', 'SSH_AUTH_FAILED', 'denied')), backoff: fast });
    const st = await session.connect();
    expect(st).toMatchObject({ state: 'failed', lastError: { code: 'SSH_AUTH_FAILED' } });
    await new Promise((r) => setTimeout(r, 100));
    expect(session.status.state).toBe('failed');
    session.dispose();
    const keyErr = new HostKeyError({ result: 'unknown', hostPattern: '[h]:22', keyType: 'ssh-ed25519', fingerprint: 'SHA256:abc' }, Buffer.from('k'));
    session = new HostSession({ hostId: 'h', connection: mk(keyErr), backoff: fast });
    const st2 = await session.connect();
    expect(st2.hostKey).toEqual({ hostPattern: '[h]:22', keyType: 'ssh-ed25519', fingerprint: 'SHA256:abc', reason: 'unknown' });
    expect(session.pendingHostKey).toBe(keyErr);
  });
});
