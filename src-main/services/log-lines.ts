import { StringDecoder } from 'node:string_decoder';
import type { LogLineView } from '../../src-shared/ipc/models/containers';

/**
 * Turns log bytes of one stream into lines: UTF-8 decoded across chunk boundaries, `\r\n` and
 * `\n` endings, optional leading RFC3339Nano timestamp split off. The unfinished last line is
 * held until more bytes or `flush()`.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private rest = '';

  constructor(
    private readonly stream: LogLineView['stream'],
    private readonly timestamps: boolean,
    private readonly onLine: (line: LogLineView) => void,
  ) {}

  push(chunk: Buffer): void {
    const text = this.rest + this.decoder.write(chunk);
    const parts = text.split('\n');
    this.rest = parts.pop() ?? '';
    for (const p of parts) this.emit(p);
  }

  flush(): void {
    const tail = this.rest + this.decoder.end();
    this.rest = '';
    if (tail !== '') this.emit(tail);
  }

  private emit(raw: string): void {
    let text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    let timestamp: string | undefined;
    if (this.timestamps) {
      const space = text.indexOf(' ');
      if (space > 0 && /^\d{4}-\d\d-\d\dT/.test(text)) {
        timestamp = text.slice(0, space);
        text = text.slice(space + 1);
      }
    }
    this.onLine(timestamp ? { stream: this.stream, text, timestamp } : { stream: this.stream, text });
  }
}

/** Collects lines and hands them out in batches: at most every `intervalMs`, or at `maxLines`. */
export class LineBatcher {
  private lines: LogLineView[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly onBatch: (lines: LogLineView[]) => void,
    private readonly intervalMs = 50,
    private readonly maxLines = 1000,
  ) {}

  add(line: LogLineView): void {
    this.lines.push(line);
    if (this.lines.length >= this.maxLines) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.intervalMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.lines.length === 0) return;
    const batch = this.lines;
    this.lines = [];
    this.onBatch(batch);
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.lines = [];
  }
}
