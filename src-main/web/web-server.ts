import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ServerMessage } from '../../src-shared/ipc/wire';
import { connectContract, type ContractHandlers } from '../ipc/dispatcher';
import { FailureLimiter, SAFE_METHODS, isOwnHost, isOwnOrigin, ownOrigins, parseRequestTarget, readCookie, withoutToken, type RequestTarget } from './web-guard';

export interface WebServerOptions {
  /** Built renderer (out/renderer). */
  staticDir: string;
  handlers: ContractHandlers;
  host?: '127.0.0.1' | '::1';
  /** 0 (the default): a fresh port per launch. */
  port?: number;
  /** Fixed token (tests); random 32 bytes per launch otherwise. */
  token?: string;
  /** Failed token offers allowed per window before every token check answers 429. */
  failureLimit?: { limit: number; windowMs: number };
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
const BASE_HEADERS = { 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'Cache-Control': 'no-store', 'X-Frame-Options': 'DENY' };

type Verdict = 'ok' | 'missing' | 'wrong' | 'limited';

/**
 * Web mode: the same UI and contract as the desktop window, served on loopback only, on a fresh
 * port with a fresh token per launch. The first load carries the token in the query; the answer
 * sets an HttpOnly SameSite=Strict cookie and redirects to the same address without it, so the
 * token never stays in the address bar or history. Every request must name this server in Host
 * (DNS rebinding), the WebSocket must come from this server's own origin exactly (a page on
 * another local port gets the cookie too, but not a matching Origin), only GET/HEAD are served
 * over HTTP, and a request that cannot be parsed is a 400, never a crash.
 */
export async function startWebServer(opts: WebServerOptions): Promise<WebServerHandle> {
  const token = opts.token ?? randomBytes(32).toString('base64url');
  const host = opts.host ?? '127.0.0.1';
  const limiter = new FailureLimiter(opts.failureLimit?.limit, opts.failureLimit?.windowMs);
  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
  let origins: string[] = [];

  const check = (req: IncomingMessage, target: RequestTarget, allowQuery: boolean): Verdict => {
    if (limiter.blocked()) return 'limited';
    const fromQuery = allowQuery ? target.query.get('token') : null;
    const offered = fromQuery ?? readCookie(req.headers.cookie, COOKIE);
    if (offered === undefined || offered === null || offered === '') return 'missing';
    if (safeEqual(offered, token)) return 'ok';
    limiter.fail();
    return 'wrong';
  };

  const refuse = (res: ServerResponse, status: number, text: string): void => {
    res.writeHead(status, { ...BASE_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' }).end(`${text}\n`);
  };

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = parseRequestTarget(req.url);
    if (!target) return refuse(res, 400, 'Berth web mode: bad request');
    if (!isOwnHost(req.headers.host, origins)) return refuse(res, 421, 'Berth web mode: wrong Host');
    if (!SAFE_METHODS.has(req.method ?? '')) return refuse(res, 405, 'Berth web mode: method not allowed');
    // A cross-site navigation may carry an Origin; a foreign one gets nothing (not even the shell).
    if (req.headers.origin !== undefined && req.headers.origin !== 'null' && !isOwnOrigin(req.headers.origin, origins)) return refuse(res, 403, 'Berth web mode: foreign origin');
    const verdict = check(req, target, true);
    if (verdict === 'limited') return refuse(res, 429, 'Berth web mode: too many wrong tokens; wait a minute');
    if (verdict !== 'ok') return refuse(res, 401, 'Berth web mode: missing or wrong token. Open the URL printed by `npm run web`.');
    if (target.query.has('token')) {
      // Cookie set, token out of the address bar: the same address without it.
      const rawPath = (req.url ?? '/').split('?')[0] ?? '/';
      res
        .writeHead(303, { ...BASE_HEADERS, 'Set-Cookie': `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`, Location: withoutToken(target, rawPath) })
        .end();
      return;
    }
    const rel = target.path === '/' ? 'index.html' : target.path.replace(/^\/+/, '');
    const root = normalize(opts.staticDir);
    const file = normalize(join(root, rel));
    if (!file.startsWith(root + sep)) return refuse(res, 400, 'Berth web mode: bad request');
    const headers = { ...BASE_HEADERS };
    try {
      const body = await readFile(file);
      res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(req.method === 'HEAD' ? undefined : body);
    } catch {
      // Client-side routes fall back to the app shell.
      try {
        const index = await readFile(join(root, 'index.html'));
        res.writeHead(200, { ...headers, 'Content-Type': TYPES['.html'] ?? 'text/html' }).end(req.method === 'HEAD' ? undefined : index);
      } catch {
        refuse(res, 500, 'renderer not built: run `npm run build`');
      }
    }
  }

  const server: Server = createServer((req, res) => {
    serve(req, res).catch(() => {
      if (!res.headersSent) refuse(res, 500, 'Berth web mode: internal error');
      else res.destroy();
    });
  });
  // Malformed HTTP (bad request line, oversized or broken headers) never reaches `serve`.
  server.on('clientError', (_err, socket: Duplex) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    const reject = (status: string): void => {
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    const target = parseRequestTarget(req.url);
    if (!target) return reject('400 Bad Request');
    if (target.path !== '/ws' || !isOwnHost(req.headers.host, origins)) return reject('404 Not Found');
    if (!isOwnOrigin(req.headers.origin, origins)) return reject('403 Forbidden');
    const verdict = check(req, target, false);
    if (verdict === 'limited') return reject('429 Too Many Requests');
    if (verdict !== 'ok') return reject('401 Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws, opts.handlers));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  origins = ownOrigins(host, port);
  const origin = origins[0] as string;
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
  // Protocol violations (bad opcodes, oversized frames, invalid UTF-8) close this socket only.
  ws.on('error', () => ws.terminate());
  ws.on('message', (data, isBinary) => {
    if (isBinary) return;
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
