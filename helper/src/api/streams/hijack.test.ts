import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import { AttachProxy } from '../../engine/containers/attach-proxy';
import { pumpHijacked, readUpgradeBody, streamContentType, writeUpgradeHeader } from './hijack';
import { StdcopyDemuxer } from './stdcopy';

describe('hijack', () => {
  let server: Server | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('picks the content type by TTY and API version', () => {
    expect(streamContentType(false, '1.48')).toBe('application/vnd.docker.multiplexed-stream');
    expect(streamContentType(false, '1.41')).toBe('application/vnd.docker.raw-stream');
    expect(streamContentType(true, '1.48')).toBe('application/vnd.docker.raw-stream');
  });

  it('reads the exec-start body from head on Node 20, answers 101 alone, relays stdin until half-close and output after it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-hijack-'));
    const sock = join(dir, 's.sock');
    const got: { body?: string; stdin: string[]; stdinEnded: boolean } = { stdin: [], stdinEnded: false };
    server = createServer();
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      void (async () => {
        const { body, rest } = await readUpgradeBody(req, socket, head);
        got.body = body.toString();
        writeUpgradeHeader(socket, streamContentType(false, '1.48'));
        // A fake process: echoes stdin in upper case on stdout, says bye on stderr after stdin EOF.
        const proxy = new AttachProxy();
        const { Duplex: D } = await import('node:stream');
        const real = new D({
          readableObjectMode: true,
          read() {},
          write(c: Buffer, _e, cb) {
            got.stdin.push(c.toString());
            this.push({ stream: 'stdout', data: Buffer.from(c.toString().toUpperCase()) });
            cb();
          },
          final(cb) {
            got.stdinEnded = true;
            this.push({ stream: 'stderr', data: Buffer.from('bye') });
            this.push(null);
            cb();
          },
        });
        proxy.connect(Object.assign(real, { detach: () => undefined }));
        await pumpHijacked(socket, proxy, { tty: false, stdin: true, early: rest });
      })();
    });
    await new Promise<void>((r) => server?.listen(sock, r));

    const client = connect(sock);
    const chunks: Buffer[] = [];
    client.on('data', (d: Buffer) => chunks.push(d));
    const closed = new Promise((r) => client.on('end', r));
    const body = '{"Detach":false,"Tty":false}';
    client.write(`POST /exec/x/start HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n${body}abc`);
    await new Promise((r) => setTimeout(r, 100));
    client.end('def');
    await closed;
    const all = Buffer.concat(chunks);
    const headerEnd = all.indexOf('\r\n\r\n') + 4;
    expect(all.subarray(0, headerEnd).toString()).toBe('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
    expect(got.body).toBe(body);
    expect(got.stdin.join('')).toBe('abcdef');
    expect(got.stdinEnded).toBe(true);
    const frames = new StdcopyDemuxer().push(all.subarray(headerEnd));
    expect(frames.filter((f) => f.stream === 1).map((f) => f.data.toString()).join('')).toBe('ABCDEF');
    expect(frames.filter((f) => f.stream === 2).map((f) => f.data.toString()).join('')).toBe('bye');
  });
});
