/**
 * Detach keys (`docker attach` / `exec -it`, default ctrl-p ctrl-q): parsed as moby's
 * term.ToBytes and found in the client's stdin as moby's escapeProxy does. Bytes that start the
 * sequence are held back until it either completes (detach: they are never forwarded) or breaks
 * (then they are forwarded with what follows).
 */
import { invalidArgument } from '../../lib/errors';

export const DEFAULT_DETACH_KEYS = [0x10, 0x11]; // ctrl-p, ctrl-q

const CTRL_SPECIAL: Record<string, number> = { '@': 0, '[': 27, '\\': 28, ']': 29, '^': 30, _: 31 };

/** `ctrl-p,ctrl-q`, `a,b`, `ctrl-\\`; '' = the default. Throws `message` naming the keys on a bad one. */
export function parseDetachKeys(keys: string, message: (k: string) => string): number[] {
  if (keys === '') return DEFAULT_DETACH_KEYS;
  const out: number[] = [];
  for (const key of keys.split(',')) {
    if (key.length === 1) {
      out.push(key.charCodeAt(0));
      continue;
    }
    const m = /^ctrl-(.)$/i.exec(key);
    const c = m?.[1]?.toLowerCase();
    if (c !== undefined && c >= 'a' && c <= 'z') out.push(c.charCodeAt(0) - 96);
    else if (c !== undefined && CTRL_SPECIAL[c] !== undefined) out.push(CTRL_SPECIAL[c]);
    else throw invalidArgument('INVALID_DETACH_KEYS', message(keys));
  }
  return out;
}

export class DetachScanner {
  private matched = 0;

  constructor(private readonly keys: number[]) {}

  /** The bytes to forward now, and whether the sequence completed (nothing after it is forwarded). */
  scan(data: Buffer): { forward: Buffer; detach: boolean } {
    const out: number[] = [];
    for (const b of data) {
      if (b === this.keys[this.matched]) {
        this.matched++;
        if (this.matched === this.keys.length) return { forward: Buffer.from(out), detach: true };
        continue;
      }
      // The sequence broke: what was held goes through, and this byte may start it again.
      for (let i = 0; i < this.matched; i++) out.push(this.keys[i] ?? 0);
      this.matched = 0;
      if (b === this.keys[0]) this.matched = 1;
      else out.push(b);
    }
    return { forward: Buffer.from(out), detach: false };
  }
}
