import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkMirrors, isInsecureHost, mirrorTargets, probeMirror } from './mirror-health';
import { DEFAULT_DAEMON_CONFIG } from './daemon-config';

function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

async function deadPort(): Promise<string> {
  const { server, url } = await listen(() => undefined);
  await new Promise((r) => server.close(r));
  return url;
}

describe('mirror health', () => {
  const servers: Server[] = [];
  let registry: string;
  let authRegistry: string;
  let web: string;
  let silent: string;
  const paths: string[] = [];

  beforeAll(async () => {
    const add = async (h: Parameters<typeof createServer>[1]): Promise<string> => {
      const { server, url } = await listen(h);
      servers.push(server);
      return url;
    };
    registry = await add((req, res) => {
      paths.push(req.url ?? '');
      res.writeHead(200, { 'Docker-Distribution-Api-Version': 'registry/2.0' }).end('{}');
    });
    authRegistry = await add((_req, res) => res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="x"' }).end());
    web = await add((_req, res) => res.writeHead(404).end('not here'));
    silent = await add(() => undefined); // accepts, never answers
  });
  afterAll(async () => {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });

  it('reports a live registry reachable with its latency, having asked /v2/', async () => {
    const h = await probeMirror({ url: registry, registry: 'docker.io' }, { timeoutMs: 3000, insecure: false });
    expect(h).toMatchObject({ url: registry, registry: 'docker.io', reachable: true, status: 200, error: null });
    expect(h.latencyMs).toBeGreaterThan(0);
    expect(paths).toContain('/v2/');
  });

  it('counts 401 as a registry asking for credentials', async () => {
    expect(await probeMirror({ url: authRegistry, registry: 'ghcr.io' }, { timeoutMs: 3000, insecure: false })).toMatchObject({ reachable: true, status: 401 });
  });

  it('reports a non-registry answer with its status', async () => {
    const h = await probeMirror({ url: web, registry: 'docker.io' }, { timeoutMs: 3000, insecure: false });
    expect(h).toMatchObject({ reachable: false, status: 404 });
    expect(h.error).toContain('unexpected status 404');
  });

  it('reports a dead port as connection refused', async () => {
    const url = await deadPort();
    expect(await probeMirror({ url, registry: 'docker.io' }, { timeoutMs: 3000, insecure: false })).toEqual({
      url,
      registry: 'docker.io',
      reachable: false,
      latencyMs: null,
      status: null,
      error: 'connection refused',
    });
  });

  it('gives up after the timeout', async () => {
    const h = await probeMirror({ url: silent, registry: 'docker.io' }, { timeoutMs: 200, insecure: false });
    expect(h).toMatchObject({ reachable: false, status: null, error: 'no answer within 200 ms' });
  });

  it('checks every mirror of a config in parallel, Hub mirrors first', async () => {
    const dead = await deadPort();
    const config = { ...DEFAULT_DAEMON_CONFIG, registryMirrors: [dead, registry], mirrors: { 'ghcr.io': [authRegistry], 'quay.io': [silent] } };
    expect(mirrorTargets(config).map((t) => t.registry)).toEqual(['docker.io', 'docker.io', 'ghcr.io', 'quay.io']);
    const rows = await checkMirrors(config, 500);
    expect(rows.map((r) => [r.url, r.reachable])).toEqual([
      [dead, false],
      [registry, true],
      [authRegistry, true],
      [silent, false],
    ]);
  });

  it('decides TLS verification like dockerd', () => {
    expect(isInsecureHost('127.0.0.1:5000', [])).toBe(true);
    expect(isInsecureHost('[::1]:5000', [])).toBe(true);
    expect(isInsecureHost('localhost:5000', [])).toBe(true);
    expect(isInsecureHost('mirror.example', [])).toBe(false);
    expect(isInsecureHost('mirror.example:5000', ['mirror.example:5000'])).toBe(true);
    expect(isInsecureHost('10.1.2.3:443', ['10.0.0.0/8'])).toBe(true);
    expect(isInsecureHost('11.1.2.3:443', ['10.0.0.0/8'])).toBe(false);
    expect(isInsecureHost('192.168.1.7', ['192.168.1.0/24'])).toBe(true);
  });
});
