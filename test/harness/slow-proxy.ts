/**
 * A loopback TCP proxy that throttles what the upstream sends back (e.g. a registry's blobs), so a
 * pull through it lasts long enough to watch its progress or cancel it mid-download. It counts the
 * bytes it delivers, so a test can tell whether a cancelled transfer really stopped.
 */
import { connect, createServer, type Socket } from 'node:net';

export interface SlowProxy {
  /** `127.0.0.1:PORT`, for image references. */
  host: string;
  /** Bytes per second sent back to clients (all connections together); may be changed at any time. */
  rate: number;
  /** Bytes delivered to clients so far. */
  delivered: () => number;
  stop: () => Promise<void>;
}

const TICK_MS = 50;

export async function startSlowProxy(upstreamPort: number, bytesPerSecond: number): Promise<SlowProxy> {
  let delivered = 0;
  const sockets = new Set<Socket>();
  // One queue per connection; the tick shares the budget between the connections that wait.
  const queues = new Map<Socket, { chunks: Buffer[]; upstream: Socket; ended: boolean }>();
  const proxy: SlowProxy = {
    host: '',
    rate: bytesPerSecond,
    delivered: () => delivered,
    stop: () => new Promise((resolve) => {
      clearInterval(timer);
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
  const timer = setInterval(() => {
    const waiting = [...queues.entries()].filter(([, q]) => q.chunks.length > 0);
    if (waiting.length === 0) return;
    const share = Math.max(1, Math.floor((proxy.rate * TICK_MS) / 1000 / waiting.length));
    for (const [client, q] of waiting) {
      let budget = share;
      while (budget > 0 && q.chunks.length > 0) {
        const head = q.chunks[0] as Buffer;
        const part = head.subarray(0, budget);
        if (part.length === head.length) q.chunks.shift();
        else q.chunks[0] = head.subarray(part.length);
        budget -= part.length;
        if (!client.destroyed) {
          client.write(part);
          delivered += part.length;
        }
      }
      if (q.chunks.length === 0) {
        if (q.ended) client.end();
        else q.upstream.resume();
      }
    }
  }, TICK_MS);
  const server = createServer((client) => {
    const upstream = connect(upstreamPort, '127.0.0.1');
    sockets.add(client).add(upstream);
    const q = { chunks: [] as Buffer[], upstream, ended: false };
    queues.set(client, q);
    client.pipe(upstream);
    upstream.on('data', (chunk: Buffer) => {
      q.chunks.push(chunk);
      upstream.pause();
    });
    upstream.on('end', () => {
      q.ended = true;
      if (q.chunks.length === 0) client.end();
    });
    const drop = (): void => {
      queues.delete(client);
      sockets.delete(client);
      sockets.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', drop).on('error', drop);
    upstream.on('close', () => {
      if (q.chunks.length === 0) drop();
    });
    upstream.on('error', drop);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  proxy.host = `127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  return proxy;
}
