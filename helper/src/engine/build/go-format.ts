/**
 * The Go `fmt` renderings the classic builder writes into image history (`#(nop)  CMD ["sh"]`,
 * `HEALTHCHECK &{[...] "5s" ...}`), so `docker history` of a berthd-built image reads as dockerd's.
 */

/** strconv.Quote for the printable-ASCII-and-common-escapes case. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** `%q` of a []string: `["a" "b"]`. */
export function goQuoteSlice(list: readonly string[]): string {
  return `[${list.map(goQuote).join(' ')}]`;
}

/** `%v` of a []string: `[a b]`. */
export function goSlice(list: readonly string[]): string {
  return `[${list.join(' ')}]`;
}

/** `%q` of an int (a rune literal): 3 -> `'\x03'`, 65 -> `'A'`. */
export function goRune(n: number): string {
  if (n >= 0x20 && n < 0x7f) {
    const ch = String.fromCharCode(n);
    return ch === "'" || ch === '\\' ? `'\\${ch}'` : `'${ch}'`;
  }
  if (n === 7) return "'\\a'";
  if (n === 8) return "'\\b'";
  if (n === 9) return "'\\t'";
  if (n === 10) return "'\\n'";
  if (n === 11) return "'\\v'";
  if (n === 12) return "'\\f'";
  if (n === 13) return "'\\r'";
  if (n < 0x100) return `'\\x${n.toString(16).padStart(2, '0')}'`;
  return `'\\u${n.toString(16).padStart(4, '0')}'`;
}

/** time.Duration.String() for nanoseconds: `5s`, `1m30s`, `1h0m0s`, `500ms`, `0s`. */
export function goDuration(ns: number): string {
  if (ns === 0) return '0s';
  const neg = ns < 0;
  let n = Math.abs(ns);
  let out: string;
  if (n < 1e9) {
    if (n < 1e3) out = `${n}ns`;
    else if (n < 1e6) out = `${trimFrac(n / 1e3)}µs`;
    else out = `${trimFrac(n / 1e6)}ms`;
  } else {
    const h = Math.floor(n / 3600e9);
    n -= h * 3600e9;
    const m = Math.floor(n / 60e9);
    n -= m * 60e9;
    const s = `${trimFrac(n / 1e9)}s`;
    out = h > 0 ? `${h}h${m}m${s}` : m > 0 ? `${m}m${s}` : s;
  }
  return neg ? `-${out}` : out;
}

function trimFrac(v: number): string {
  return String(Number(v.toFixed(9)));
}
