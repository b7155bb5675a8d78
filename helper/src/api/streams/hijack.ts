import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { invalidArgument } from '../../lib/errors';
import { compareApiVersions } from '../../lib/version';
import type { AttachStream, OutputChunk } from '../../engine/containers/container-service';
import { frame, StdStream } from './stdcopy';
import { DetachScanner } from './detach-keys';

const MAX_UPGRADE_BODY = 1024 * 1024;

/** Multiplexed (stdcopy) content type from API 1.42 for non-TTY streams; raw before and for TTY. */
export function streamContentType(tty: boolean, apiVersion: string): string {
  return !tty && compareApiVersions(apiVersion, '1.42') >= 0 ? 'application/vnd.docker.multiplexed-stream' : 'application/vnd.docker.raw-stream';
}

/**
 * Reads the body of an Upgrade request. Node 20 does not parse bodies of Upgrade requests
 * (nodejs/node#60016 landed later): the `Content-Length` bytes arrive in `head` and possibly on the
 * socket. Returns the body and whatever followed it (early stdin bytes).
 */
export async function readUpgradeBody(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<{ body: Buffer; rest: Buffer }> {
  const len = Number(req.headers['content-length'] ?? 0);
  if (!Number.isInteger(len) || len < 0 || len > MAX_UPGRADE_BODY) throw invalidArgument('INVALID_CONTENT_LENGTH', 'invalid Content-Length');
  let buf = head;
  while (buf.length < len) {
    const chunk = await new Promise<Buffer | null>((resolve) => {
      const onData = (c: Buffer): void => {
        cleanup();
        resolve(c);
      };
      const onEnd = (): void => {
        cleanup();
        resolve(null);
      };
      const cleanup = (): void => {
        socket.off('data', onData);
        socket.off('end', onEnd);
        socket.off('close', onEnd);
        socket.pause();
      };
      socket.on('data', onData);
      socket.once('end', onEnd);
      socket.once('close', onEnd);
      socket.resume();
    });
    if (chunk === null) throw invalidArgument('SHORT_BODY', 'request body ended early');
    buf = Buffer.concat([buf, chunk]);
  }
  return { body: buf.subarray(0, len), rest: buf.subarray(len) };
}

/** Writes the 101 on its own (stream bytes in the same write are lost by some clients). */
export function writeUpgradeHeader(socket: Duplex, contentType: string): void {
  socket.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
}

/**
 * Relays an attachment over a hijacked socket until the process's output ends:
 * - output chunks are written raw (TTY) or as stdcopy frames;
 * - socket bytes go to stdin (`early` first: bytes that arrived with the request), and the
 *   client's half-close ('end') closes stdin while output keeps flowing;
 * - `detachKeys` (given for a TTY process) found in stdin end the session and leave the process
 *   running;
 * - a client that goes away detaches without touching the process.
 */
export function pumpHijacked(socket: Duplex, stream: AttachStream, opts: { tty: boolean; stdin: boolean; early?: Buffer; detachKeys?: number[] }): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      resolve();
    };
    pipeOutput(stream, socket, opts.tty);
    stream.once('end', () => {
      socket.end();
      finish();
    });
    stream.once('error', () => {
      socket.destroy();
      finish();
    });
    socket.once('close', () => {
      stream.detach();
      finish();
    });
    if (opts.stdin) {
      // Callers pass detach keys for a TTY process only (moby): other stdin is copied as is.
      const scanner = opts.detachKeys ? new DetachScanner(opts.detachKeys) : undefined;
      let detached = false;
      const input = (d: Buffer): void => {
        if (detached) return;
        const { forward, detach } = scanner ? scanner.scan(d) : { forward: d, detach: false };
        if (forward.length > 0 && !stream.write(forward)) {
          socket.pause();
          stream.once('drain', () => socket.resume());
        }
        if (detach) {
          // As dockerd: the session ends, the process keeps running and its stdin stays open.
          detached = true;
          stream.detach();
          socket.end();
          finish();
        }
      };
      if (opts.early && opts.early.length > 0) input(opts.early);
      socket.on('data', input);
      socket.once('end', () => {
        if (!detached) stream.end();
      });
    } else {
      // Still read (and drop) what the client sends so its half-close is seen.
      socket.on('data', () => undefined);
    }
    socket.resume();
  });
}

/**
 * The non-Upgrade form (dockerode without hijack, curl): a chunked 200 carrying output only; stdin
 * cannot be read on this path.
 */
export function pumpChunked(res: ServerResponse, stream: AttachStream, opts: { tty: boolean; contentType: string }): Promise<void> {
  res.writeHead(200, { 'Content-Type': opts.contentType });
  res.flushHeaders();
  stream.end();
  return new Promise((resolve) => {
    pipeOutput(stream, res, opts.tty);
    stream.once('end', () => {
      res.end();
      resolve();
    });
    // A broken monitor connection must end this response, not go unhandled (and take berthd down).
    stream.once('error', () => {
      res.destroy();
      resolve();
    });
    res.once('close', () => {
      stream.detach();
      resolve();
    });
  });
}

/** Writes each output chunk to `sink`, raw with a TTY or else as a stdcopy frame, pausing the stream while the sink is full. */
function pipeOutput(stream: AttachStream, sink: Duplex | ServerResponse, tty: boolean): void {
  stream.on('data', (c: OutputChunk) => {
    if (!sink.write(tty ? c.data : frame(c.stream === 'stderr' ? StdStream.Stderr : StdStream.Stdout, c.data))) {
      stream.pause();
      sink.once('drain', () => stream.resume());
    }
  });
}
