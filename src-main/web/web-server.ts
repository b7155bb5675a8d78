import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ServerMessage } from '../../src-shared/ipc/wire';
import { connectContract, type ContractHandlers } from '../ipc/dispatcher';

export interface WebServerOptions {
  /** Built renderer (out/renderer). */
  staticDir: string;
  handlers: ContractHandlers;
  host?: '127.0.0.1' | '::1';
  port?: number;
  /** Fixed token (tests); random 32 bytes otherwise. */
  token?: string;
}

export interface WebServerHandle {
  url: string;
  origin: string;
  token: string;
  close: () => Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

const COOKIE = 'berth_token';

/**
 * Web mode: the same UI and contract as the desktop window, served on loopback only. Every HTTP
 * request and the WebSocket must carry the token (query on first load, then an HttpOnly cookie).
 * The Host header must be loopback too, which defeats DNS rebinding.
 */
export async function startWebServer(opts: WebServerOptions): Promise<WebServerHandle> {
  const token = opts.token ?? randomBytes(32).toString('base64url');
  const host = opts.host ?? '127.0.0.1';
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });

  const server: Server = createServer((req, res) => {
    void serve(req, res);
  });

  const authorised = (req: IncomingMessage): boolean => {
    if (!isLoopbackHost(req.headers.host)) return false;
    const url = new URL(req.url ?? '/', 'http://x');
    const offered = url.searchParams.get('token') ?? readCookie(req.headers.cookie, COOKIE);
    return offered !== undefined && offered !== null && safeEqual(offered, token);
  };

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!authorised(req)) {
      res.writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Berth web mode: missing or wrong token. Open the URL printed by `npm run web`.\n');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://x');
    const headers: Record<string, string> = {
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    };
    if (url.searchParams.has('token')) {
      headers['Set-Cookie'] = `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    }
    const rel = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname).replace(/^\/+/, '');
    const file = normalize(join(opts.staticDir, rel));
    if (!file.startsWith(normalize(opts.staticDir) + sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(body);
    } catch {
      // Client-side routes fall back to the app shell.
      try {
        const index = await readFile(join(opts.staticDir, 'index.html'));
        res.writeHead(200, { ...headers, 'Content-Type': TYPES['.html'] ?? 'text/html' }).end(index);
      } catch {
        res.writeHead(500, { 'Content-Type': 'text/plain' }).end('renderer not built: run `npm run build`\n');
      }
    }
  }

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const origin = req.headers.origin;
    if (url.pathname !== '/ws' || !authorised(req) || (origin !== undefined && !isLoopbackOrigin(origin))) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws, opts.handlers));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const origin = `http://${host === '::1' ? '[::1]' : host}:${port}`;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    token,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function attach(ws: WebSocket, handlers: ContractHandlers): void {
  const send = (message: ServerMessage): void => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };
  const connection = connectContract(handlers, send);
  ws.on('message', (data) => {
    try {
      connection.receive(JSON.parse(data.toString()));
    } catch {
      // A malformed frame from the page is dropped; the contract has no reply id to answer.
    }
  });
  ws.on('close', () => connection.dispose());
}

function safeEqual(a: string, b: string): boolean {
  const ab = Buffer.from(a);
  const bb = Buffer.from(b);
  return ab.length === bb.length && timingSafeEqual(ab, bb);
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  return /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(host);
}

function isLoopbackOrigin(origin: string): boolean {
  try {
    return isLoopbackHost(new URL(origin).host);
  } catch {
    return false;
  }
}
