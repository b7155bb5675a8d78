import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_DAEMON_CONFIG } from '../../config/daemon-config';
import { HttpTransport } from '../../registry/http-transport';
import { LoginService, registryDomain } from './login-service';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function serve(handler: Handler): Promise<{ server: Server; host: string }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, host: `127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const basicOf = (user: string, pw: string): string => `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;

describe('LoginService', () => {
  const servers: Server[] = [];
  const transport = new HttpTransport();
  const login = new LoginService(transport, { current: () => DEFAULT_DAEMON_CONFIG });
  let basicHost: string;
  let bearerHost: string;
  let openHost: string;
  const tokenQueries: URLSearchParams[] = [];

  beforeAll(async () => {
    const add = async (h: Handler): Promise<string> => {
      const { server, host } = await serve(h);
      servers.push(server);
      return host;
    };
    basicHost = await add((req, res) => {
      if (req.headers.authorization === basicOf('alice', 's3cret')) res.writeHead(200).end('{}');
      else res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="test"', 'Content-Type': 'application/json' }).end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
    });
    const tokenHost = await add((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      tokenQueries.push(url.searchParams);
      if (req.headers.authorization === basicOf('bob', 'hunter2')) res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"token":"tok-bob","refresh_token":"refresh-bob"}');
      else res.writeHead(401, { 'Content-Type': 'application/json' }).end('{"details":"incorrect username or password"}');
    });
    bearerHost = await add((req, res) => {
      if (req.headers.authorization === 'Bearer tok-bob') res.writeHead(200).end('{}');
      else res.writeHead(401, { 'WWW-Authenticate': `Bearer realm="http://${tokenHost}/token",service="test-registry"` }).end();
    });
    openHost = await add((_req, res) => res.writeHead(200).end('{}'));
  });
  afterAll(async () => {
    transport.close();
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });

  it('accepts good Basic credentials', async () => {
    expect(await login.login({ serverAddress: basicHost, credentials: { username: 'alice', password: 's3cret' } })).toEqual({ identityToken: '' });
  });

  it('refuses bad Basic credentials with dockerd\'s message', async () => {
    await expect(login.login({ serverAddress: basicHost, credentials: { username: 'alice', password: 'nope' } })).rejects.toMatchObject({
      kind: 'Unauthorized',
      message: `login attempt to http://${basicHost}/v2/ failed with status: 401 Unauthorized`,
    });
  });

  it('runs the token flow for a Bearer challenge and returns the refresh token', async () => {
    tokenQueries.length = 0;
    expect(await login.login({ serverAddress: `http://${bearerHost}`, credentials: { username: 'bob', password: 'hunter2' } })).toEqual({ identityToken: 'refresh-bob' });
    const q = tokenQueries[0];
    expect(q?.get('service')).toBe('test-registry');
    expect(q?.get('account')).toBe('bob');
    expect(q?.get('offline_token')).toBe('true');
    expect(q?.has('scope')).toBe(false);
  });

  it('reports the token server\'s reason for bad Bearer credentials', async () => {
    await expect(login.login({ serverAddress: bearerHost, credentials: { username: 'bob', password: 'bad' } })).rejects.toMatchObject({
      kind: 'Unauthorized',
      message: `Get "http://${bearerHost}/v2/": unauthorized: incorrect username or password`,
    });
  });

  it('succeeds against a registry without auth', async () => {
    expect(await login.login({ serverAddress: openHost, credentials: { username: 'x', password: 'y' } })).toEqual({ identityToken: '' });
  });

  it('reports an unreachable registry as unavailable', async () => {
    const { server, host } = await serve(() => undefined);
    await new Promise((r) => server.close(r));
    await expect(login.login({ serverAddress: host, credentials: { username: 'x', password: 'y' } })).rejects.toMatchObject({ kind: 'Unavailable', message: expect.stringContaining('connection refused') });
  });
});

describe('registryDomain', () => {
  it.each([
    ['https://index.docker.io/v1/', 'docker.io'],
    [undefined, 'docker.io'],
    ['docker.io', 'docker.io'],
    ['127.0.0.1:5000', '127.0.0.1:5000'],
    ['http://127.0.0.1:5000/', '127.0.0.1:5000'],
    ['Registry.Example.com', 'registry.example.com'],
    ['[::1]:5000', '[::1]:5000'],
  ])('%s -> %s', (input, domain) => {
    expect(registryDomain(input)).toBe(domain);
  });

  it('refuses garbage', () => {
    expect(() => registryDomain('a b')).toThrow('invalid registry address');
  });
});
