import { afterEach, describe, expect, it } from 'vitest';
import { UnixSocketConnection } from '../connections/unix-socket-connection';
import { EngineClient, splitReference } from './engine-client';
import { json, startFakeEngine, type FakeEngine } from './fake-engine';

describe('EngineClient over a unix socket', () => {
  let engine: FakeEngine | undefined;
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
  });

  it('maps HTTP statuses to error kinds with the engine message', async () => {
    engine = await startFakeEngine({
      'GET /containers/abc/json': json(404, { message: 'No such container: abc' }),
      'POST /containers/abc/start': json(409, { message: 'container is paused' }),
      'POST /containers/create': json(400, { message: 'no command specified' }),
      'GET /info': json(500, { message: 'boom' }),
      'POST /containers/def/stop': (_q, res) => {
        res.writeHead(304).end();
      },
    });
    const c = new EngineClient(new UnixSocketConnection(engine.socket));
    await expect(c.inspectContainer('abc')).rejects.toMatchObject({ kind: 'NotFound', code: 'CONTAINER_NOT_FOUND', message: 'No such container: abc' });
    await expect(c.startContainer('abc')).rejects.toMatchObject({ kind: 'Conflict', code: 'CONTAINER_CONFLICT' });
    await expect(c.createContainer({ Image: 'x' })).rejects.toMatchObject({ kind: 'InvalidArgument' });
    await expect(c.info()).rejects.toMatchObject({ kind: 'Internal', code: 'ENGINE_ERROR', message: 'boom' });
    await expect(c.stopContainer('def')).resolves.toBeUndefined();
    expect(await c.berthProcesses('zzz')).toBeNull();
    expect(engine.requests).toContain('POST /containers/create');
  });

  it('a missing daemon is Unavailable with the socket in the message', async () => {
    const c = new EngineClient(new UnixSocketConnection('/nonexistent/dir/berthd.sock'));
    await expect(c.ping()).rejects.toMatchObject({
      kind: 'Unavailable',
      code: 'ENGINE_UNAVAILABLE',
      message: expect.stringContaining('berthd is not running on unix:///nonexistent/dir/berthd.sock'),
    });
  });

  it('hijacks with Connection: Upgrade and gives a raw duplex', async () => {
    engine = await startFakeEngine();
    engine.server.on('upgrade', (req, socket) => {
      expect(req.headers.upgrade).toBe('tcp');
      socket.write('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
      socket.write('ready>');
      socket.on('data', (d: Buffer) => socket.write(d.toString().toUpperCase()));
    });
    const c = new EngineClient(new UnixSocketConnection(engine.socket));
    const stream = await c.attach('abc', { stdin: true });
    let out = '';
    stream.on('data', (d: Buffer) => (out += d.toString()));
    stream.write('hi');
    await expect.poll(() => out).toBe('ready>HI');
    stream.destroy();
  });

  it('streams JSON progress and splits references', async () => {
    engine = await startFakeEngine({
      'POST /images/create': (req, res) => {
        expect(req.url).toBe('/images/create?fromImage=127.0.0.1%3A5000%2Fbusybox&tag=v1');
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write('{"status":"Pulling from busybox","id":"v1"}\r\n{"status":"Dow');
        res.end('nloading","id":"a"}\r\n');
      },
    });
    const c = new EngineClient(new UnixSocketConnection(engine.socket));
    const got: unknown[] = [];
    await c.pullImage('127.0.0.1:5000/busybox:v1', {}, (m) => got.push(m));
    expect(got).toEqual([{ status: 'Pulling from busybox', id: 'v1' }, { status: 'Downloading', id: 'a' }]);
    expect(splitReference('busybox')).toEqual({ name: 'busybox', tag: 'latest' });
    expect(splitReference('localhost:5000/a/b')).toEqual({ name: 'localhost:5000/a/b', tag: 'latest' });
    expect(splitReference('a@sha256:00')).toEqual({ name: 'a', tag: 'sha256:00' });
  });
});
