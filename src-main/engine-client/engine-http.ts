import { request, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { Duplex, PassThrough, Writable } from 'node:stream';
import type { EngineConnection } from '../connections/engine-connection';
import { AppError } from '../lib/app-error';
import { engineError, type EngineSubject } from './engine-error';

export interface EngineRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** JSON-encoded unless a string/Buffer. */
  body?: unknown;
  headers?: OutgoingHttpHeaders;
  signal?: AbortSignal;
  subject?: EngineSubject;
}

export function buildPath(path: string, query?: EngineRequest['query']): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    params.set(k, typeof v === 'boolean' ? (v ? '1' : '0') : String(v));
  }
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

function encodeBody(body: unknown): { data?: Buffer; type?: string } {
  if (body === undefined) return {};
  if (Buffer.isBuffer(body)) return { data: body, type: 'application/octet-stream' };
  if (typeof body === 'string') return { data: Buffer.from(body), type: 'text/plain' };
  return { data: Buffer.from(JSON.stringify(body)), type: 'application/json' };
}

export async function readBody(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * HTTP/1.1 over an EngineConnection: node:http with a custom `createConnection`, so every request
 * runs over a fresh stream from the connection (a unix socket, or an SSH channel). No agent,
 * no keep-alive: SSH channels are cheap to open and a stream per request keeps long-lived
 * streams (logs, events) from blocking short calls.
 */
export class EngineHttp {
  constructor(readonly connection: EngineConnection) {}

  /** Resolves with the response once headers arrive; error statuses reject with a typed AppError. */
  send(req: EngineRequest): Promise<IncomingMessage> {
    const { data, type } = encodeBody(req.body);
    const headers: OutgoingHttpHeaders = { Host: 'docker', ...req.headers };
    if (data) {
      headers['Content-Type'] ??= type;
      headers['Content-Length'] = data.length;
    }
    return new Promise((resolve, reject) => {
      if (req.signal?.aborted) {
        reject(aborted());
        return;
      }
      const r = request({
        method: req.method,
        path: buildPath(req.path, req.query),
        headers,
        ...(req.signal ? { signal: req.signal } : {}),
        createConnection: (_opts, oncreate) => {
          this.connection.openStream().then(
            (stream) => oncreate(null, stream),
            (err: unknown) => oncreate(err as Error, undefined as unknown as Duplex),
          );
          return undefined;
        },
      });
      r.once('error', (err: Error) => reject(err instanceof AppError ? err : req.signal?.aborted ? aborted() : this.transportError(err)));
      r.once('response', (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 400) {
          readBody(res).then((text) => reject(engineError(status, text, req.subject ?? 'engine')), reject);
          return;
        }
        resolve(res);
      });
      r.end(data);
    });
  }

  async json<T>(req: EngineRequest): Promise<T> {
    const res = await this.send(req);
    const text = await readBody(res);
    if (text.trim() === '') return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new AppError('Internal', 'ENGINE_BAD_RESPONSE', `engine answered ${req.method} ${req.path} with non-JSON`, { cause: err });
    }
  }

  /** For calls whose body is irrelevant (204s, 304s). Returns the status. */
  async call(req: EngineRequest): Promise<number> {
    const res = await this.send(req);
    res.resume();
    await new Promise<void>((r) => {
      res.once('end', r);
      res.once('close', r);
    });
    return res.statusCode ?? 0;
  }

  /**
   * A hijacked request (attach, exec start): sends `Connection: Upgrade, Upgrade: tcp`, and on
   * `101` hands back the raw bidirectional stream. A daemon that answers 200 instead (legacy, no
   * upgrade) gives an output-only stream; writes are dropped.
   */
  hijack(req: EngineRequest): Promise<Duplex> {
    const { data, type } = encodeBody(req.body);
    const headers: OutgoingHttpHeaders = { Host: 'docker', Connection: 'Upgrade', Upgrade: 'tcp', ...req.headers };
    if (data) {
      headers['Content-Type'] = type;
      headers['Content-Length'] = data.length;
    }
    return new Promise((resolve, reject) => {
      const r = request({
        method: req.method,
        path: buildPath(req.path, req.query),
        headers,
        createConnection: (_opts, oncreate) => {
          this.connection.openStream().then(
            (stream) => oncreate(null, stream),
            (err: unknown) => oncreate(err as Error, undefined as unknown as Duplex),
          );
          return undefined;
        },
      });
      r.once('error', (err: Error) => reject(err instanceof AppError ? err : this.transportError(err)));
      r.once('upgrade', (_res, socket, head) => {
        if (head.length > 0) socket.unshift(head);
        resolve(socket);
      });
      r.once('response', (res) => {
        const status = res.statusCode ?? 0;
        if (status >= 300) {
          readBody(res).then((text) => reject(engineError(status, text, req.subject ?? 'engine')), reject);
          return;
        }
        const out = new PassThrough();
        res.pipe(out);
        resolve(Duplex.from({ readable: out, writable: new Writable({ write: (_c, _e, cb) => cb() }) }));
      });
      r.end(data);
    });
  }

  private transportError(err: Error): AppError {
    return new AppError('Unavailable', 'ENGINE_UNAVAILABLE', `lost the connection to the engine on ${this.connection.address}: ${err.message}`, { cause: err });
  }
}

function aborted(): AppError {
  return new AppError('Unavailable', 'ABORTED', 'request aborted');
}
