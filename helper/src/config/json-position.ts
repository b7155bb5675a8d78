import type { JsonPosition } from '../../../src-shared/docker-api/berth-config';

/**
 * Finds where a JSON text stops being valid. Node 20's JSON.parse reports an offset only for some
 * errors ("Unexpected token '}', …" carries none), and a settings screen needs line and column to
 * point at the mistake, so this scanner re-walks the text after JSON.parse has failed.
 */
export function locateJsonError(text: string): { position: JsonPosition; reason: string } {
  const scanner = new Scanner(text);
  try {
    scanner.skipWs();
    scanner.value();
    scanner.skipWs();
    if (scanner.pos < text.length) scanner.fail('unexpected content after the JSON value');
    // JSON.parse refused something this scanner accepts (should not happen): blame the end.
    return { position: toPosition(text, text.length), reason: 'invalid JSON' };
  } catch (err) {
    if (err instanceof ScanError) return { position: toPosition(text, err.offset), reason: err.message };
    throw err;
  }
}

export function toPosition(text: string, offset: number): JsonPosition {
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
    if (c === '{') return this.object();
    if (c === '[') return this.array();
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

  private object(): void {
    this.pos++;
    this.skipWs();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return;
    }
    for (;;) {
      this.skipWs();
      if (this.text[this.pos] !== '"') this.fail(`${this.describe()}: expected a property name in double quotes`);
      this.string();
      this.skipWs();
      if (this.text[this.pos] !== ':') this.fail(`${this.describe()}: expected ':' after the property name`);
      this.pos++;
      this.skipWs();
      this.value();
      this.skipWs();
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos++;
        this.skipWs();
        if (this.text[this.pos] === '}') this.fail('trailing comma before "}"');
        continue;
      }
      if (c === '}') {
        this.pos++;
        return;
      }
      this.fail(`${this.describe()}: expected ',' or '}'`);
    }
  }

  private array(): void {
    this.pos++;
    this.skipWs();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return;
    }
    for (;;) {
      this.skipWs();
      this.value();
      this.skipWs();
      const c = this.text[this.pos];
      if (c === ',') {
        this.pos++;
        this.skipWs();
        if (this.text[this.pos] === ']') this.fail('trailing comma before "]"');
        continue;
      }
      if (c === ']') {
        this.pos++;
        return;
      }
      this.fail(`${this.describe()}: expected ',' or ']'`);
    }
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
