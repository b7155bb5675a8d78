import { StringDecoder } from 'node:string_decoder';

/**
 * Splits a byte stream of newline-delimited JSON (events, pull/push progress) into values.
 * Lines may be split across chunks; blank lines are skipped; `\r\n` endings (moby's) are fine.
 * A line that is not JSON is reported through `onBadLine` rather than thrown mid-stream.
 */
export class JsonLinesParser {
  private readonly decoder = new StringDecoder('utf8');
  private rest = '';

  constructor(
    private readonly onValue: (value: unknown) => void,
    private readonly onBadLine: (line: string) => void = () => {},
  ) {}

  push(chunk: Buffer | string): void {
    const text = this.rest + (typeof chunk === 'string' ? chunk : this.decoder.write(chunk));
    const lines = text.split('\n');
    this.rest = lines.pop() ?? '';
    for (const line of lines) this.line(line);
  }

  end(): void {
    const tail = this.rest + this.decoder.end();
    this.rest = '';
    this.line(tail);
  }

  private line(raw: string): void {
    const line = raw.trim();
    if (line === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      this.onBadLine(line);
      return;
    }
    this.onValue(value);
  }
}
