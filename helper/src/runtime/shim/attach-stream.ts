import { Duplex } from 'node:stream';
import type { AttachStream, OutputChunk } from '../runtime';
import { FRAME, MAX_STDIN_FRAME, encodeFrame, type Frame } from './monitor-protocol';
import type { MonitorConnection } from './monitor-connection';

/**
 * AttachStream over a dedicated monitor connection. Readable side (object mode): OutputChunk per
 * stdout/stderr frame; ends at the exit frame or when the connection closes. Writable side: stdin
 * bytes, split into frames; end() sends the stdin-end frame (the monitor closes the process's
 * stdin only if this attachment asked for closeStdinOnEnd).
 */
export class MonitorAttachStream extends Duplex implements AttachStream {
  private ended = false;

  constructor(private readonly conn: MonitorConnection) {
    super({ readableObjectMode: true, writableObjectMode: false, allowHalfOpen: true });
    conn.on('frame', (f: Frame) => this.onFrame(f));
    conn.on('close', () => this.finishReadable());
  }

  private onFrame(f: Frame): void {
    if (f.type === FRAME.stdout || f.type === FRAME.stderr) {
      const chunk: OutputChunk = { stream: f.type === FRAME.stdout ? 'stdout' : 'stderr', data: Buffer.from(f.payload) };
      // Backpressure: stop reading the socket; the monitor then stops reading the container.
      if (!this.push(chunk)) this.conn.socket.pause();
    } else if (f.type === FRAME.exit) {
      this.finishReadable();
    }
  }

  private finishReadable(): void {
    if (this.ended) return;
    this.ended = true;
    this.push(null);
  }

  override _read(): void {
    this.conn.socket.resume();
  }

  override _write(chunk: Buffer | string, encoding: BufferEncoding, cb: (err?: Error | null) => void): void {
    const data = typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk;
    let ok = true;
    for (let off = 0; off < data.length; off += MAX_STDIN_FRAME) {
      ok = this.conn.send(encodeFrame(FRAME.stdin, data.subarray(off, off + MAX_STDIN_FRAME))) && ok;
    }
    if (ok || this.conn.isClosed) cb();
    else this.conn.socket.once('drain', () => cb());
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.conn.send(encodeFrame(FRAME.stdinEnd));
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.conn.close();
    cb(err);
  }

  detach(): void {
    this.finishReadable();
    this.conn.close();
  }
}
