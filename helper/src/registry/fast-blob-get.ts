import { connect, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { networkError } from './errors';

const READ_BUFFER = 1 << 20;
const MAX_HEADER = 64 * 1024;

/**
 * A blob GET over plain HTTP that reads the socket into one reusable 1 MiB buffer (net's
 * `onread`). Node's http client allocates a fresh 64 KiB buffer per socket read, which is most of
 * the CPU a loopback layer download costs; this path reads in large pieces and copies once.
 *
 * Deliberately narrow: `http:` URLs answering `200` with a `Content-Length` and no transfer
 * coding. Anything else (https, redirects, errors, chunked bodies, connection failures) resolves
 * `undefined` and the caller uses the regular `HttpTransport`, which classifies errors properly.
 * The returned body honours back-pressure (the socket pauses) and fails if it ends early.
 */
export function fastHttpGet(url: string, headers: Record<string, string>, signal: AbortSignal, idleTimeoutMs = 60_000): Promise<{ body: Readable; contentLength: number } | undefined> {
  const u = new URL(url);
  if (u.protocol !== 'http:' || signal.aborted) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    let head: Buffer = Buffer.alloc(0);
    let body: Readable | undefined;
    let remaining = 0;
    let settled = false;
    const settle = (v: { body: Readable; contentLength: number } | undefined): void => {
      if (settled) return;
      settled = true;
      resolve(v);
    };
    const fail = (err: Error): void => {
      if (body) body.destroy(err);
      else settle(undefined);
      socket.destroy();
    };
    const onAbort = (): void => fail(Object.assign(new Error('pull aborted'), { name: 'AbortError' }));
    const deliver = (data: Buffer): boolean => {
      const part = data.length > remaining ? data.subarray(0, remaining) : data;
      remaining -= part.length;
      const more = (body as Readable).push(part);
      if (remaining === 0) {
        (body as Readable).push(null);
        socket.destroy();
        signal.removeEventListener('abort', onAbort);
      }
      return more;
    };
    const socket: Socket = connect({
      host: u.hostname.replace(/^\[|\]$/g, ''),
      port: Number(u.port || 80),
      onread: {
        buffer: Buffer.allocUnsafe(READ_BUFFER),
        callback: (n: number, buf: Uint8Array): boolean => {
          // The read buffer is reused for the next read: keep a copy of what we pass on.
          const data = Buffer.from(buf.subarray(0, n));
          if (body) return deliver(data);
          head = head.length === 0 ? data : Buffer.concat([head, data]);
          const end = head.indexOf('\r\n\r\n');
          if (end === -1) {
            if (head.length > MAX_HEADER) fail(new Error('response header too large'));
            return true;
          }
          const lines = head.subarray(0, end).toString('latin1').split('\r\n');
          const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1];
          const fields = new Map<string, string>();
          for (const line of lines.slice(1)) {
            const i = line.indexOf(':');
            if (i > 0) fields.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
          }
          const length = fields.get('content-length');
          if (status !== '200' || length === undefined || !/^\d+$/.test(length) || (fields.get('transfer-encoding') ?? 'identity') !== 'identity') {
            fail(new Error('not a plain 200 response'));
            return false;
          }
          remaining = Number(length);
          body = new Readable({
            highWaterMark: 4 * READ_BUFFER,
            read: () => {
              socket.resume();
            },
            destroy: (err, cb) => {
              socket.destroy();
              signal.removeEventListener('abort', onAbort);
              cb(err);
            },
          });
          // Errors are delivered through the stream's state to whoever consumes it (pipeline
          // checks `errored`); a failure before a consumer attaches must not be an uncaught 'error'.
          body.on('error', () => undefined);
          settle({ body, contentLength: remaining });
          const rest = head.subarray(end + 4);
          if (remaining === 0) {
            body.push(null);
            socket.destroy();
            return false;
          }
          return rest.length > 0 ? deliver(rest) : true;
        },
      },
    });
    signal.addEventListener('abort', onAbort, { once: true });
    socket.setTimeout(idleTimeoutMs, () => fail(networkError(`${u.protocol}//${u.host}`, Object.assign(new Error('read timeout'), { code: 'ETIMEDOUT' }))));
    socket.on('connect', () => {
      const extra = Object.entries(headers)
        .map(([k, v]) => `${k}: ${v}\r\n`)
        .join('');
      socket.write(`GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUser-Agent: berthd\r\nAccept-Encoding: identity\r\nConnection: close\r\n${extra}\r\n`);
    });
    socket.on('error', (err) => fail(networkError(`${u.protocol}//${u.host}`, err)));
    socket.on('end', () => {
      if (body && remaining > 0) body.destroy(networkError(`${u.protocol}//${u.host}`, Object.assign(new Error(`connection closed with ${remaining} bytes of the blob missing`), { code: 'ECONNRESET' })));
      else if (!body) settle(undefined);
    });
    socket.on('close', () => {
      if (!body) settle(undefined);
    });
  });
}
