/**
 * Web mode's front door (issue 12): malformed request targets, headers and WebSocket frames get a
 * 4xx (or a closed socket) and the server keeps serving; a WebSocket from another local port's
 * origin is refused even with the cookie; the token leaves the URL after the first load; failed
 * tokens are rate limited. Everything runs on 127.0.0.1.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { ContractHandlers } from '../ipc/dispatcher';
import { parseRequestTarget } from './web-guard';
import { startWebServer, type WebServerHandle } from './web-server';

const handlers = {
  invoke: { 'app:info': () => ({ ok: true }) },
  streams: {},
} as unknown as ContractHandlers;

/** One raw HTTP exchange: the status line's code, or 0 when the server just closed. */
function raw(port: number, request: string | Buffer): Promise<number> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let got = '';
    s.on('data', (d: Buffer) => (got += d.toString('latin1')));
    s.on('error', () => undefined);
    s.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(got)?.[1] ?? 0)));
    s.end(request);
  });
}

function wsOpen(url: string, headers: Record<string, string>): Promise<{ status: number; ws?: WebSocket }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
    ws.on('open', () => resolve({ status: 101, ws }));
    ws.on('error', () => resolve({ status: 0 }));
  });
}

describe('parseRequestTarget', () => {
  it.each(['//', '//evil.example/x', '/%E0%A4%A', '/%', '/a/../../etc/passwd', '/..', 'http://x/', '*', '', '/a%00b', '/a\\b'])('refuses %j', (t) => {
    expect(parseRequestTarget(t)).toBeUndefined();
  });
  it('decodes a good target and keeps its query', () => {
    expect(parseRequestTarget('/assets/a%20b.js?x=1&token=t')).toMatchObject({ path: '/assets/a b.js' });
    expect(parseRequestTarget('/?token=abc')?.query.get('token')).toBe('abc');
  });
});

describe('web server hardening', () => {
  let web: WebServerHandle;
  let dir: string;
  let port: number;
  let host: string;
  let cookie: string;

  const ok = async (): Promise<number> => (await fetch(`${web.origin}/`, { headers: { cookie } })).status;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-web-'));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>Berth</title>');
    web = await startWebServer({ staticDir: dir, handlers, failureLimit: { limit: 5, windowMs: 60_000 } });
    port = Number(new URL(web.origin).port);
    host = new URL(web.origin).host;
    cookie = `berth_token=${web.token}`;
  });
  afterAll(async () => {
    await web?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('gives each launch its own port and token', async () => {
    const other = await startWebServer({ staticDir: dir, handlers });
    try {
      expect(other.origin).not.toBe(web.origin);
      expect(other.token).not.toBe(web.token);
      expect(web.token.length).toBeGreaterThanOrEqual(40);
    } finally {
      await other.close();
    }
  });

  it('sets the cookie and redirects the first load to the address without the token', async () => {
    const r = await fetch(`${web.origin}/?token=${web.token}&x=1`, { redirect: 'manual' });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/?x=1');
    expect(r.headers.get('set-cookie')).toMatch(/^berth_token=[\w-]+; HttpOnly; SameSite=Strict; Path=\//);
    expect(await ok()).toBe(200);
  });

  it('answers malformed request targets and headers with 4xx and stays up', async () => {
    const targets = ['//', '/%E0%A4%A', '/%', '//evil.example/', '/../../etc/passwd', '*', 'http://127.0.0.1/', '/a%00b'];
    for (const t of targets) {
      for (const auth of ['', `Cookie: ${cookie}\r\n`]) {
        const status = await raw(port, `GET ${t} HTTP/1.1\r\nHost: ${host}\r\n${auth}\r\n`);
        expect(status, `${t} ${auth ? 'with' : 'without'} cookie`).toBeGreaterThanOrEqual(400);
        expect(status, t).toBeLessThan(500);
      }
    }
    const requests: (string | Buffer)[] = [
      'GARBAGE\r\n\r\n',
      `GET / HTTP/1.1\r\nHost: ${host}\r\nCookie: ${'x'.repeat(70_000)}\r\n\r\n`,
      `GET / HTTP/1.1\r\nHost: ${host}\r\nBad Header\r\n\r\n`,
      `GET / HTTP/1.1\r\nHost: ${host}\r\nContent-Length: -1\r\n\r\n`,
      `GET / HTTP/1.1\r\nHost: evil.example:${port}\r\nCookie: ${cookie}\r\n\r\n`,
      `GET / HTTP/1.1\r\nCookie: ${cookie}\r\n\r\n`,
      `POST / HTTP/1.1\r\nHost: ${host}\r\nCookie: ${cookie}\r\nContent-Length: 0\r\n\r\n`,
      `GET / HTTP/1.1\r\nHost: ${host}\r\nCookie: ${cookie}\r\nOrigin: http://127.0.0.1:1\r\n\r\n`,
      `GET / HTTP/1.1\r\nHost: ${host}\r\nCookie: ;;;=;berth_token\r\n\r\n`,
      Buffer.concat([Buffer.from('GET /'), randomBytes(64), Buffer.from(' HTTP/1.1\r\n\r\n')]),
    ];
    for (const r of requests) {
      const status = await raw(port, r);
      expect([0, 400, 401, 403, 405, 421, 431], JSON.stringify(r.toString().slice(0, 60))).toContain(status);
    }
    for (let i = 0; i < 50; i++) {
      const status = await raw(port, Buffer.concat([Buffer.from(`GET /${randomBytes(8).toString('hex')}%`), randomBytes(i), Buffer.from(`x HTTP/1.1\r\nHost: ${host}\r\nCookie: ${cookie}\r\n\r\n`)]));
      expect(status).not.toBe(500);
    }
    expect(await ok()).toBe(200);
  });

  it('accepts a WebSocket only from its own origin, even when another local port has the cookie', async () => {
    const url = `${web.origin.replace('http', 'ws')}/ws`;
    const otherPort = `http://127.0.0.1:${port === 65535 ? port - 1 : port + 1}`;
    for (const origin of [otherPort, 'http://localhost:1', 'null', `https://${host}`, 'http://evil.example']) {
      expect((await wsOpen(url, { Origin: origin, Cookie: cookie })).status, origin).toBe(403);
    }
    expect((await wsOpen(url, { Cookie: cookie })).status).toBe(403);
    const good = await wsOpen(url, { Origin: web.origin, Cookie: cookie });
    expect(good.status).toBe(101);
    good.ws?.close();
  });

  it('survives malformed WebSocket frames', async () => {
    const url = `${web.origin.replace('http', 'ws')}/ws`;
    const { ws } = await wsOpen(url, { Origin: web.origin, Cookie: cookie });
    if (!ws) throw new Error('no socket');
    for (const m of ['not json', '{"t":"invoke"}', '{"t":"invoke","id":1,"channel":"__proto__"}', '{"t":"open","id":2,"channel":"constructor"}', 'null', '[]', '{"t":"input","id":99,"data":1}']) ws.send(m);
    ws.send(randomBytes(1024));
    const answered = await new Promise<string>((resolve) => {
      ws.once('message', (d) => resolve(d.toString()));
      ws.send(JSON.stringify({ t: 'invoke', id: 1, channel: '__proto__' }));
    });
    expect(JSON.parse(answered)).toMatchObject({ t: 'result', id: 1, ok: false });
    ws.close();
    // Raw protocol violations: an unknown opcode, an unmasked client frame, a frame claiming 2^63 bytes.
    for (const frame of [Buffer.from([0x83, 0x80, 0, 0, 0, 0]), Buffer.from([0x81, 0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f]), Buffer.from([0x82, 0xff, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0])]) {
      const closed = await new Promise<boolean>((resolve) => {
        const s = connect(port, '127.0.0.1');
        s.on('error', () => undefined);
        s.on('close', () => resolve(true));
        s.write(`GET /ws HTTP/1.1\r\nHost: ${host}\r\nOrigin: ${web.origin}\r\nCookie: ${cookie}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n\r\n`);
        s.once('data', () => s.write(frame));
      });
      expect(closed).toBe(true);
    }
    expect(await ok()).toBe(200);
  });

  it('rate limits failed tokens', async () => {
    const limited = await startWebServer({ staticDir: dir, handlers, failureLimit: { limit: 3, windowMs: 60_000 } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await fetch(`${limited.origin}/?token=wrong${i}`, { redirect: 'manual' })).status);
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
      // While limited, even the right token is not checked: guessing stops paying.
      expect((await fetch(`${limited.origin}/?token=${limited.token}`, { redirect: 'manual' })).status).toBe(429);
    } finally {
      await limited.close();
    }
  });
});
