import { Duplex } from 'node:stream';
import type { AttachStream, OutputChunk } from '../../runtime/runtime';

/**
 * An attachment that can exist before the process does (docker run attaches before it starts the
 * container) and that can hold its end until the engine has recorded the exit (exec's ExitCode
 * must be set before the hijacked stream closes).
 *
 * Readable side: object mode, `OutputChunk`s. Writable side: stdin bytes, buffered until
 * `connect`. `end()` is forwarded as the stdin half-close. `detach()` drops the attachment.
 */
export class AttachProxy extends Duplex implements AttachStream {
  private real?: AttachStream;
  private readonly queued: { chunk: Buffer; cb: (err?: Error | null) => void }[] = [];
  private endQueued = false;
  private finished = false;
  private readWaiters: (() => void)[] = [];

  /** Runs after the process's stream ended and before this proxy ends (e.g. record the exit). */
  beforeEnd?: () => Promise<void>;

  constructor() {
    super({ readableObjectMode: true, writableObjectMode: false, allowHalfOpen: true });
  }

  get connected(): boolean {
    return this.real !== undefined;
  }

  /** Joins the real attachment: flushes queued stdin and relays its output with backpressure. */
  connect(real: AttachStream): void {
    if (this.finished) {
      real.detach();
      return;
    }
    this.real = real;
    real.on('data', (c: OutputChunk) => {
      if (!this.push(c)) real.pause();
    });
    real.once('end', () => void this.finish());
    real.once('error', (err) => this.destroy(err));
    for (const q of this.queued.splice(0)) real.write(q.chunk, q.cb);
    if (this.endQueued) real.end();
  }

  /** Ends the output without a process (it never started, or was removed first). */
  finishWithoutProcess(): void {
    void this.finish();
  }

  /** Writes a system message into the output (an exec start failure, as dockerd does on stdout). */
  pushMessage(text: string): void {
    this.pushChunk({ stream: 'stdout', data: Buffer.from(text) });
  }

  /**
   * Output that did not come from the process's live stream (the log replayed by `attach?logs=1`).
   * False when the reader is behind (wait for `readRequested`) or the attachment has ended.
   */
  pushChunk(chunk: OutputChunk): boolean {
    if (this.finished) return false;
    return this.push(chunk);
  }

  get isFinished(): boolean {
    return this.finished;
  }

  /** Resolves when the reader asks for more (or the attachment ends). */
  readRequested(): Promise<void> {
    if (this.finished) return Promise.resolve();
    return new Promise((resolve) => {
      this.readWaiters.push(resolve);
    });
  }

  detach(): void {
    this.finished = true;
    for (const w of this.readWaiters.splice(0)) w();
    this.real?.detach();
    this.push(null);
  }

  private async finish(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    try {
      await this.beforeEnd?.();
    } finally {
      this.push(null);
    }
  }

  override _read(): void {
    for (const w of this.readWaiters.splice(0)) w();
    this.real?.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.real) this.real.write(chunk, cb);
    else this.queued.push({ chunk, cb });
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (this.real) this.real.end();
    else this.endQueued = true;
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.finished = true;
    for (const w of this.readWaiters.splice(0)) w();
    this.real?.detach();
    cb(err);
  }
}
