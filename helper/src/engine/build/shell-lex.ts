import { invalidArgument } from '../../lib/errors';

/**
 * Dockerfile variable substitution with the classic builder's word rules (moby
 * `frontend/dockerfile/shell/lex.go`): `$x`, `${x}`, `${x:-word}`, `${x-word}`, `${x:+word}`,
 * `${x+word}`, `${x:?msg}`, `${x?msg}`; single quotes are literal, double quotes allow `$` and
 * escape only `"`, `$` and the escape token; outside quotes the escape token makes the next
 * character literal. Quotes are removed from the result, as the builder does.
 *
 * No library models this: dockerfile-ast resolves variables for editor hints but keeps quotes and
 * escapes, so the builder's words are computed here.
 */
export type Env = ReadonlyMap<string, string>;

/** `KEY=value` strings (later entries win) as a lookup map. */
export function envMap(...lists: readonly (readonly string[])[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const list of lists) {
    for (const kv of list) {
      const i = kv.indexOf('=');
      if (i > 0) m.set(kv.slice(0, i), kv.slice(i + 1));
    }
  }
  return m;
}

class Lexer {
  private pos = 0;
  /** Words for `processWords`: a quoted empty string still makes a word. */
  private words: string[] = [];
  private current = '';
  private inWord = false;

  constructor(
    private readonly src: string,
    private readonly env: Env,
    private readonly escape: string,
  ) {}

  private peek(): string | undefined {
    return this.src[this.pos];
  }

  private next(): string | undefined {
    return this.src[this.pos++];
  }

  private add(text: string, splittable: boolean): void {
    if (!splittable) {
      this.current += text;
      this.inWord = true;
      return;
    }
    for (const ch of text) {
      if (/\s/.test(ch)) this.flushWord();
      else {
        this.current += ch;
        this.inWord = true;
      }
    }
  }

  private flushWord(): void {
    if (this.inWord) this.words.push(this.current);
    this.current = '';
    this.inWord = false;
  }

  run(stopAt?: string): string {
    let out = '';
    for (;;) {
      const ch = this.peek();
      if (ch === undefined) {
        if (stopAt !== undefined) throw invalidArgument('BUILD_SUBSTITUTION', `failed to process "${this.src}": syntax error: missing '}'`);
        break;
      }
      if (stopAt !== undefined && ch === stopAt) {
        this.pos++;
        break;
      }
      this.pos++;
      if (ch === "'") {
        const end = this.src.indexOf("'", this.pos);
        if (end === -1) throw invalidArgument('BUILD_SUBSTITUTION', `failed to process "${this.src}": unexpected end of statement while looking for matching single-quote`);
        const lit = this.src.slice(this.pos, end);
        this.pos = end + 1;
        out += lit;
        this.add(lit, false);
      } else if (ch === '"') {
        const lit = this.doubleQuoted();
        out += lit;
        this.add(lit, false);
      } else if (ch === '$') {
        const v = this.dollar();
        out += v;
        this.add(v, true);
      } else if (ch === this.escape) {
        const nx = this.next();
        if (nx === undefined) break;
        out += nx;
        this.add(nx, false);
      } else {
        out += ch;
        this.add(ch, true);
      }
    }
    return out;
  }

  private doubleQuoted(): string {
    let out = '';
    for (;;) {
      const ch = this.next();
      if (ch === undefined) throw invalidArgument('BUILD_SUBSTITUTION', `failed to process "${this.src}": unexpected end of statement while looking for matching double-quote`);
      if (ch === '"') return out;
      if (ch === '$') out += this.dollar();
      else if (ch === this.escape) {
        const nx = this.peek();
        if (nx === '"' || nx === '$' || nx === this.escape) {
          this.pos++;
          out += nx;
        } else out += ch;
      } else out += ch;
    }
  }

  private name(): string {
    const m = /^[A-Za-z0-9_]+/.exec(this.src.slice(this.pos));
    const n = m?.[0] ?? '';
    this.pos += n.length;
    return n;
  }

  private dollar(): string {
    const ch = this.peek();
    if (ch === '{') {
      this.pos++;
      const name = this.name();
      if (name === '') throw invalidArgument('BUILD_SUBSTITUTION', `failed to process "${this.src}": bad substitution`);
      const op = this.peek();
      if (op === undefined) throw invalidArgument('BUILD_SUBSTITUTION', `failed to process "${this.src}": syntax error: missing '}'`);
      if (op === '}') {
        this.pos++;
        return this.env.get(name) ?? '';
      }
      let colon = false;
      if (op === ':') {
        colon = true;
        this.pos++;
      }
      const mod = this.next();
      if (mod !== '-' && mod !== '+' && mod !== '?') {
        throw invalidArgument('BUILD_SUBSTITUTION', `failed to process "${this.src}": unsupported modifier (${colon ? ':' : ''}${mod ?? ''}) in substitution`);
      }
      const word = new Lexer(this.src.slice(this.pos), this.env, this.escape);
      const value = word.run('}');
      this.pos += word.pos;
      const v = this.env.get(name);
      const set = colon ? v !== undefined && v !== '' : v !== undefined;
      if (mod === '-') return set ? (v as string) : value;
      if (mod === '+') return set ? value : '';
      if (!set) throw invalidArgument('BUILD_SUBSTITUTION', `failed to process "${this.src}": ${name}: ${value || 'is not allowed to be unset'}`);
      return v as string;
    }
    const name = this.name();
    if (name === '') return '$';
    return this.env.get(name) ?? '';
  }

  result(): string[] {
    this.flushWord();
    return this.words;
  }
}

/** One word, quotes removed, no splitting (ENV values, COPY paths, USER, WORKDIR…). */
export function processWord(word: string, env: Env, escape = '\\'): string {
  return new Lexer(word, env, escape).run();
}

/** Words split on unquoted whitespace, including whitespace that came from a variable (EXPOSE, VOLUME). */
export function processWords(text: string, env: Env, escape = '\\'): string[] {
  const lx = new Lexer(text, env, escape);
  lx.run();
  return lx.result();
}
