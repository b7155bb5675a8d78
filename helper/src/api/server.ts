import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { chmod, chown, mkdir, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Duplex } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { BerthError, errnoCode } from '../lib/errors';
import type { Logger } from '../lib/logger';
import { messageForError, statusForError, writeError } from './errors';
import type { Router } from './router';

export interface ApiServerOptions {
  socketPath: string;
  /** The socket group's gid: root:<gid> 0660; undefined (no such group) or 0: root:root 0600. */
  socketGid?: number;
  router: Router;
  log: Logger;
}

/**
 * The Engine API listener on a unix socket. bind() fails when the socket file exists, so a
 * leftover file is probed first: if a daemon answers, berthd refuses to start (never steal a
 * live socket); if nobody answers, the stale file is removed.
 */
export class ApiServer {
  private readonly server: Server;
  /** Hijacked connections leave the http server's books, so close() must end them itself. */
  private readonly hijacked = new Set<Duplex>();

  constructor(private readonly opts: ApiServerOptions) {
    this.server = createServer({ keepAlive: true }, (req, res) => void this.onRequest(req, res));
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.onUpgrade(req, socket, head));
    // Streams (logs -f, events, attach) are long-lived; no server-side timeouts.
    this.server.requestTimeout = 0;
    this.server.headersTimeout = 60_000;
    this.server.keepAliveTimeout = 5_000;
  }

  async listen(): Promise<void> {
    const { socketPath } = this.opts;
    await mkdir(dirname(socketPath), { recursive: true });
    await removeStaleSocket(socketPath);
    // bind() creates the file with 0777 & ~umask: a 0177 umask keeps it 0600 from its first moment,
    // before the chown/chmod below, so nobody can connect in between.
    const umask = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        const onError = (err: Error): void => reject(err);
        this.server.once('error', onError);
        this.server.listen(socketPath, () => {
          this.server.off('error', onError);
          resolve();
        });
      });
    } finally {
      process.umask(umask);
    }
    // Group access only for the socket group: never gid 0 (gid-0 users and `--user N` containers
    // with the socket mounted would drive the daemon). Without the group the socket stays 0600 root.
    if (this.opts.socketGid !== undefined && this.opts.socketGid !== 0) {
      await chown(socketPath, 0, this.opts.socketGid);
      await chmod(socketPath, 0o660);
    } else {
      await chown(socketPath, 0, 0);
      await chmod(socketPath, 0o600);
    }
  }

  async close(): Promise<void> {
    this.server.closeIdleConnections();
    for (const socket of this.hijacked) socket.destroy();
    this.hijacked.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      // Long-lived streams would hold close() forever; cut them after a grace period.
      setTimeout(() => {
        this.server.closeAllConnections();
      }, 500).unref();
    });
    await unlink(this.opts.socketPath).catch(() => undefined);
  }

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const log = this.opts.log.child({ reqId: randomBytes(4).toString('hex') });
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      log.debug({ method: req.method, url: req.url, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 }, 'request');
    });
    try {
      const m = this.opts.router.match(req.method ?? 'GET', req.url ?? '/');
      await m.route.handler({ req, res, params: m.params, query: m.query, apiVersion: m.apiVersion, log });
    } catch (err) {
      writeError(res, err, log);
    }
  }

  private async onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const log = this.opts.log.child({ reqId: randomBytes(4).toString('hex'), hijack: true });
    socket.on('error', (err) => log.debug({ err }, 'hijacked socket error'));
    this.hijacked.add(socket);
    socket.once('close', () => this.hijacked.delete(socket));
    try {
      const m = this.opts.router.match(req.method ?? 'GET', req.url ?? '/');
      if (!m.route.upgrade) throw new BerthError('InvalidArgument', 'UPGRADE_NOT_SUPPORTED', `${req.url ?? ''} does not support connection upgrade`);
      await m.route.upgrade({ req, socket, head, params: m.params, query: m.query, apiVersion: m.apiVersion, log });
    } catch (err) {
      writeRawError(socket, err, log);
    }
  }
}

/** A hijack that fails before the 101 is answered with a plain HTTP error, as moby does. */
export function writeRawError(socket: Duplex, err: unknown, log: Logger): void {
  const status = statusForError(err);
  if (status >= 500) log.error({ err }, 'hijack failed');
  else log.debug({ status, msg: messageForError(err) }, 'hijack rejected');
  if (socket.destroyed) return;
  const body = JSON.stringify({ message: messageForError(err) });
  socket.end(
    `HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : status === 409 ? 'Conflict' : status === 400 ? 'Bad Request' : 'Error'}\r\n` +
      `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export class SocketInUseError extends Error {
  constructor(readonly socketPath: string) {
    super(`another daemon is already serving ${socketPath}; refusing to replace a live socket (stop it first, or choose another --socket)`);
  }
}

async function removeStaleSocket(socketPath: string): Promise<void> {
  const alive = await new Promise<boolean | 'absent'>((resolve) => {
    const probe = connect(socketPath);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', (err) => {
      const code = errnoCode(err);
      resolve(code === 'ENOENT' ? 'absent' : false);
    });
  });
  if (alive === true) throw new SocketInUseError(socketPath);
  if (alive === false) await unlink(socketPath).catch((err: unknown) => {
    if (errnoCode(err) !== 'ENOENT') throw err;
  });
}
