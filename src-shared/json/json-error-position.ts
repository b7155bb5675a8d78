import type { JsonPosition } from '../docker-api/berth-config';

/**
 * Where a JSON text first goes wrong, or null when it is valid JSON (RFC 8259: no comments, no
 * trailing commas). Engines word JSON.parse errors differently and Node 20 gives an offset only for
 * some of them ("Unexpected token '}', …" carries none), so berthd and the settings screen both find
 * the spot with this small strict scanner to point at line and column.
 */
export function findJsonError(text: string): { position: JsonPosition; reason: string } | null {
  const scanner = new Scanner(text);
  try {
    scanner.skipWs();
    scanner.value();
    scanner.skipWs();
    if (scanner.pos < text.length) scanner.fail('unexpected content after the JSON value');
    return null;
  } catch (err) {
    if (err instanceof ScanError) return { position: jsonPosition(text, err.offset), reason: err.message };
    throw err;
  }
}

/** 1-based line and column of a 0-based offset into `text`. */
export function jsonPosition(text: string, offset: number): JsonPosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { offset, line, column: offset - lineStart + 1 };
}

class ScanError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

class Scanner {
  pos = 0;
  constructor(private readonly text: string) {}

  fail(reason: string): never {
    throw new ScanError(reason, this.pos);
  }

  private describe(): string {
    return this.pos >= this.text.length ? 'unexpected end of input' : `unexpected ${JSON.stringify(this.text[this.pos])}`;
  }

  skipWs(): void {
    while (this.pos < this.text.length && ' \t\n\r'.includes(this.text[this.pos] ?? '')) this.pos++;
  }

  value(): void {
    const c = this.text[this.pos];
    if (c === '{') return this.sequence('}', () => this.member());
    if (c === '[') return this.sequence(']', () => this.value());
    if (c === '"') return this.string();
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    for (const word of ['true', 'false', 'null']) {
      if (this.text.startsWith(word, this.pos)) {
        this.pos += word.length;
        return;
      }
    }
    this.fail(`${this.describe()}: expected a value`);
  }

  /** An object or array body: `item`s separated by commas up to `close`. */
  private sequence(close: '}' | ']', item: () => void): void {
    this.pos++;
    this.skipWs();
    if (this.text[this.pos] === close) {
      this.pos++;
      return;
    }
    for (;;) {
      this.skipWs();
      item();
      this.skipWs();
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos++;
        this.skipWs();
        if (this.text[this.pos] === close) this.fail(`trailing comma before "${close}"`);
        continue;
      }
      if (c === close) {
        this.pos++;
        return;
      }
      this.fail(`${this.describe()}: expected ',' or '${close}'`);
    }
  }

  private member(): void {
    if (this.text[this.pos] !== '"') this.fail(`${this.describe()}: expected a property name in double quotes`);
    this.string();
    this.skipWs();
    if (this.text[this.pos] !== ':') this.fail(`${this.describe()}: expected ':' after the property name`);
    this.pos++;
    this.skipWs();
    this.value();
  }

  private string(): void {
    this.pos++;
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c === 34) {
        this.pos++;
        return;
      }
      if (c < 0x20) this.fail('control character in string (use \\n, \\t…)');
      if (c === 92) {
        const e = this.text[this.pos + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6))) this.fail('invalid \\u escape');
          this.pos += 6;
          continue;
        }
        if (e === undefined || !'"\\/bfnrt'.includes(e)) this.fail('invalid escape in string');
        this.pos += 2;
        continue;
      }
      this.pos++;
    }
    this.fail('unterminated string');
  }

  private number(): void {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(this.text.slice(this.pos));
    if (!m) this.fail(`${this.describe()}: invalid number`);
    this.pos += m[0].length;
  }
}
