import type { ServerResponse } from 'node:http';
import type { JsonMessageDto } from '../../../../src-shared/docker-api/images';
import { messageForError, writeError } from '../errors';
import type { Logger } from '../../lib/logger';

/**
 * A dockerd-style jsonmessage stream (pull, import, push). The 200 goes out with the first
 * message, so a failure before any output is still a proper HTTP error (moby's `output.Flushed()`
 * rule); after that, failures are sent in band as `{"errorDetail":{…},"error":…}` (the CLI prints
 * them and exits 1). Messages end with `\r\n` like moby's.
 */
export class JsonMessageStream {
  private started = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly log: Logger,
  ) {}

  write(msg: JsonMessageDto): void {
    if (this.res.writableEnded || this.res.destroyed) return;
    if (!this.started) {
      this.started = true;
      this.res.writeHead(200, { 'Content-Type': 'application/json' });
    }
    this.res.write(`${JSON.stringify(msg)}\r\n`);
  }

  /** Ends the stream after success. */
  end(): void {
    if (!this.started) {
      this.started = true;
      this.res.writeHead(200, { 'Content-Type': 'application/json' });
    }
    this.res.end();
  }

  /** Ends the stream with an error: HTTP status if nothing was sent yet, else in band. */
  fail(err: unknown): void {
    if (!this.started) {
      writeError(this.res, err, this.log);
      return;
    }
    const message = messageForError(err);
    this.log.info({ err: message }, 'stream failed after headers');
    this.write({ errorDetail: { message }, error: message });
    this.res.end();
  }

  /** Aborted when the client goes away before the stream ended (e.g. Ctrl-C on `docker pull`). */
  clientGone(): AbortSignal {
    const ac = new AbortController();
    this.res.on('close', () => {
      if (!this.res.writableFinished) ac.abort(new Error('client disconnected'));
    });
    return ac.signal;
  }
}
