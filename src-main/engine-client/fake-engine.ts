import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export type FakeRoute = (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>;

export interface FakeEngine {
  socket: string;
  server: Server;
  /** `METHOD /path` (no query) -> handler; replace entries at will between calls. */
  routes: Map<string, FakeRoute>;
  requests: string[];
  close: () => Promise<void>;
}

/**
 * A scriptable Engine API on a temp unix socket for unit tests of the client and services: real
 * HTTP framing and sockets, canned answers. Unknown routes answer 404 `page not found` like dockerd.
 */
export async function startFakeEngine(routes: Record<string, FakeRoute> = {}, at?: string): Promise<FakeEngine> {
  // `at`: listen on this path again (a restarted daemon); its directory is then the caller's.
  const dir = at ? null : await mkdtemp(join(tmpdir(), 'berth-fake-engine-'));
  const socket = at ?? join(dir ?? '', 'engine.sock');
  const table = new Map(Object.entries(routes));
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0];
      const key = `${req.method} ${path}`;
      requests.push(`${req.method} ${req.url}`);
      const route = table.get(key);
      if (!route) {
        res.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ message: 'page not found' }));
        return;
      }
      void Promise.resolve(route(req, res, Buffer.concat(chunks).toString())).catch((err: unknown) => {
        res.writeHead(500).end(JSON.stringify({ message: String(err) }));
      });
    });
  });
  // Upgraded (hijacked) sockets leave the server's bookkeeping: track them to close them.
  const raw = new Set<import('node:net').Socket>();
  server.on('connection', (s: import('node:net').Socket) => {
    raw.add(s);
    s.once('close', () => raw.delete(s));
  });
  await new Promise<void>((r) => server.listen(socket, r));
  return {
    socket,
    server,
    routes: table,
    requests,
    close: async () => {
      server.closeAllConnections();
      for (const s of raw) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      if (dir) await rm(dir, { recursive: true, force: true });
      else await rm(socket, { force: true });
    },
  };
}

export const json = (status: number, body: unknown): FakeRoute => (_req, res) => {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
};

/** The routes a HostSession needs to consider the engine up; `/events` stays open. */
export function basicEngineRoutes(): Record<string, FakeRoute> {
  return {
    'GET /_ping': (_req, res) => {
      res.writeHead(200, { 'Api-Version': '1.48', 'Content-Type': 'text/plain' }).end('OK');
    },
    'GET /version': json(200, { Version: '0.1.0', ApiVersion: '1.48', Os: 'linux', KernelVersion: '6.1' }),
    'GET /events': (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
    },
  };
}
