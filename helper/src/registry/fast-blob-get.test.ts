import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fastHttpGet } from './fast-blob-get';

const BIG = Buffer.alloc(5 * 1024 * 1024 + 123);
for (let i = 0; i < BIG.length; i++) BIG[i] = (i * 31 + (i >> 9)) & 0xff;
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('fastHttpGet (loopback only)', () => {
  let server: Server;
  let base: string;
  let lastAuth: string | undefined;

  beforeAll(async () => {
    server = createServer((req, res) => {
      lastAuth = req.headers.authorization;
      if (req.url === '/big') {
        res.writeHead(200, { 'Content-Length': BIG.length });
        res.end(BIG);
      } else if (req.url === '/empty') {
        res.writeHead(200, { 'Content-Length': 0 });
        res.end();
      } else if (req.url === '/chunked') {
        res.writeHead(200);
        res.write('a');
        res.end('b');
      } else if (req.url === '/redirect') {
        res.writeHead(307, { Location: '/big', 'Content-Length': 0 });
        res.end();
      } else if (req.url === '/short') {
        res.writeHead(200, { 'Content-Length': 1000 });
        res.write(Buffer.alloc(10), () => setTimeout(() => res.socket?.destroy(), 20));
      } else {
        res.writeHead(404, { 'Content-Length': 2 });
        res.end('no');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('streams a Content-Length body intact, with back-pressure from a slow reader, and sends the headers', async () => {
    const got = await fastHttpGet(`${base}/big`, { Authorization: 'Bearer t' }, new AbortController().signal);
    expect(got?.contentLength).toBe(BIG.length);
    const parts: Buffer[] = [];
    for await (const c of got!.body as AsyncIterable<Buffer>) {
      parts.push(c);
      await new Promise((r) => setTimeout(r, 1));
    }
    expect(sha(Buffer.concat(parts))).toBe(sha(BIG));
    expect(lastAuth).toBe('Bearer t');
  });

  it('handles an empty body', async () => {
    const got = await fastHttpGet(`${base}/empty`, {}, new AbortController().signal);
    const parts: Buffer[] = [];
    for await (const c of got!.body as AsyncIterable<Buffer>) parts.push(c);
    expect(Buffer.concat(parts).length).toBe(0);
  });

  it('declines anything but a plain 200 (caller falls back to the full HTTP client)', async () => {
    const signal = new AbortController().signal;
    expect(await fastHttpGet(`${base}/chunked`, {}, signal)).toBeUndefined();
    expect(await fastHttpGet(`${base}/redirect`, {}, signal)).toBeUndefined();
    expect(await fastHttpGet(`${base}/missing`, {}, signal)).toBeUndefined();
    expect(await fastHttpGet('https://127.0.0.1:1/x', {}, signal)).toBeUndefined();
    expect(await fastHttpGet('http://127.0.0.1:1/x', {}, signal)).toBeUndefined();
  });

  it('fails the body when the connection ends early', async () => {
    const got = await fastHttpGet(`${base}/short`, {}, new AbortController().signal);
    await expect(
      (async () => {
        for await (const _ of got!.body as AsyncIterable<Buffer>) {
          /* drain */
        }
      })(),
    ).rejects.toThrow(/missing|reset|closed/);
  });
});
