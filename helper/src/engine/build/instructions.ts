import { invalidArgument } from '../../lib/errors';
import type { RawInstruction } from './dockerfile-parse';

/** A command line in exec form (`["a","b"]`) or shell form (the text, run by the stage's SHELL). */
export type CommandLine = { form: 'exec'; argv: string[] } | { form: 'shell'; text: string };

export interface KeyValue {
  key: string;
  /** Unexpanded, quotes still in place (expanded at dispatch with the environment of that moment). */
  value: string;
}

export interface HealthcheckSpec {
  none: boolean;
  test: string[];
  /** Nanoseconds; 0 = inherit the default. */
  interval: number;
  timeout: number;
  startPeriod: number;
  retries: number;
}

export type Instruction = { raw: RawInstruction } & (
  | { kind: 'FROM'; image: string; stageName?: string; platform?: string }
  | { kind: 'RUN'; cmd: CommandLine }
  | { kind: 'CMD' | 'ENTRYPOINT'; cmd: CommandLine }
  | { kind: 'COPY' | 'ADD'; sources: string[]; dest: string; from?: string; chown?: string; chmod?: string }
  | { kind: 'ENV' | 'LABEL'; pairs: KeyValue[] }
  | { kind: 'ARG'; args: { name: string; value?: string }[] }
  | { kind: 'WORKDIR' | 'USER' | 'STOPSIGNAL' | 'MAINTAINER'; value: string }
  | { kind: 'EXPOSE'; ports: string }
  | { kind: 'VOLUME'; paths: string[] }
  | { kind: 'HEALTHCHECK'; health: HealthcheckSpec }
  | { kind: 'SHELL'; argv: string[] }
  | { kind: 'ONBUILD'; trigger: string }
);

export type InstructionKind = Instruction['kind'];

function parseError(raw: RawInstruction, msg: string): Error {
  return invalidArgument('DOCKERFILE_PARSE', `dockerfile parse error line ${raw.line}: ${msg}`);
}

/** Leading `--name=value` flags (moby BFlags), checked against what the instruction accepts. */
function takeFlags(raw: RawInstruction, allowed: string[]): { flags: Map<string, string>; rest: string } {
  const flags = new Map<string, string>();
  let rest = raw.args;
  for (;;) {
    const m = /^--([A-Za-z0-9-]+)(?:=(\S*))?(?:\s+|$)/.exec(rest);
    if (!m) break;
    const name = m[1] as string;
    if (!allowed.includes(name)) throw parseError(raw, `Unknown flag: ${name}`);
    if (m[2] === undefined) throw parseError(raw, `Missing a value on flag: --${name}`);
    flags.set(name, m[2]);
    rest = rest.slice(m[0].length);
  }
  return { flags, rest: rest.trim() };
}

/** `["a","b"]` when the text is a JSON array of strings, else undefined (moby parseMaybeJSON). */
export function maybeJson(text: string): string[] | undefined {
  const t = text.trim();
  if (!t.startsWith('[')) return undefined;
  try {
    const v = JSON.parse(t) as unknown;
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
  } catch {
    return undefined;
  }
  return undefined;
}

function commandLine(text: string): CommandLine {
  const argv = maybeJson(text);
  return argv ? { form: 'exec', argv } : { form: 'shell', text };
}

/**
 * Words split on whitespace with quotes and escapes kept (moby parseWords): for `ENV a="x y" b=c`
 * each word is later expanded and unquoted on its own.
 */
export function splitWords(text: string, escape: string): string[] {
  const words: string[] = [];
  let cur = '';
  let quote: string | undefined;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quote === undefined && /\s/.test(ch)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
      continue;
    }
    inWord = true;
    cur += ch;
    if (ch === escape && quote !== "'" && i + 1 < text.length) {
      cur += text[++i] as string;
      continue;
    }
    if (quote === undefined && (ch === '"' || ch === "'")) quote = ch;
    else if (quote === ch) quote = undefined;
  }
  if (inWord) words.push(cur);
  return words;
}

/** `ENV k=v k2=v2`, or the legacy `ENV k v w` (one pair, value = the rest). */
function nameValues(raw: RawInstruction, escape: string, what: string): KeyValue[] {
  const text = raw.args;
  if (text === '') throw parseError(raw, `${what} requires at least one argument`);
  const first = splitWords(text, escape)[0] ?? '';
  if (!first.includes('=')) {
    const m = /^(\S+)\s+([\s\S]+)$/.exec(text);
    if (!m) throw parseError(raw, `${what} must have two arguments`);
    return [{ key: m[1] as string, value: (m[2] as string).trim() }];
  }
  return splitWords(text, escape).map((w) => {
    const i = w.indexOf('=');
    if (i <= 0) throw parseError(raw, `Syntax error - can't find = in "${w}". Must be of the form: name=value`);
    return { key: w.slice(0, i), value: w.slice(i + 1) };
  });
}

const DURATION_UNITS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Go's time.ParseDuration, in nanoseconds. */
export function parseGoDuration(s: string): number {
  if (s === '0') return 0;
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let pos = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    total += Number(m[1]) * (DURATION_UNITS[m[2] as string] as number);
    pos = re.lastIndex;
  }
  if (pos !== s.length || s === '') throw new Error(`time: invalid duration "${s}"`);
  return Math.round(total);
}

function healthcheck(raw: RawInstruction): HealthcheckSpec {
  const { flags, rest } = takeFlags(raw, ['interval', 'timeout', 'start-period', 'retries', 'start-interval']);
  if (flags.has('start-interval')) throw parseError(raw, 'the --start-interval option is not supported by this builder');
  const m = /^(\S+)\s*([\s\S]*)$/.exec(rest);
  const type = (m?.[1] ?? '').toUpperCase();
  if (type === 'NONE') {
    if ((m?.[2] ?? '') !== '' || flags.size > 0) throw parseError(raw, 'HEALTHCHECK NONE takes no arguments');
    return { none: true, test: ['NONE'], interval: 0, timeout: 0, startPeriod: 0, retries: 0 };
  }
  if (type !== 'CMD') throw parseError(raw, `Unknown type "${type}" in HEALTHCHECK (try CMD)`);
  const cmdText = m?.[2] ?? '';
  if (cmdText === '') throw parseError(raw, 'Missing command after HEALTHCHECK CMD');
  const exec = maybeJson(cmdText);
  const dur = (name: string): number => {
    const v = flags.get(name);
    if (v === undefined) return 0;
    let d: number;
    try {
      d = parseGoDuration(v);
    } catch (err) {
      throw parseError(raw, (err as Error).message);
    }
    if (d !== 0 && d < 1e6) throw parseError(raw, `Interval "${name}" cannot be less than 1ms`);
    if (d < 0) throw parseError(raw, `Interval "${name}" cannot be negative`);
    return d;
  };
  const retriesText = flags.get('retries');
  const retries = retriesText === undefined ? 0 : Number(retriesText);
  if (!Number.isInteger(retries)) throw parseError(raw, `strconv.ParseInt: parsing "${retriesText}": invalid syntax`);
  if (retries < 0) throw parseError(raw, '--retries cannot be negative');
  return {
    none: false,
    test: exec ? ['CMD', ...exec] : ['CMD-SHELL', cmdText],
    interval: dur('interval'),
    timeout: dur('timeout'),
    startPeriod: dur('start-period'),
    retries,
  };
}

/** Types one raw instruction (flags, forms, pairs); variables are expanded later, at dispatch. */
export function toInstruction(raw: RawInstruction, escape: string): Instruction {
  const k = raw.keyword;
  const noFlags = (): string => takeFlags(raw, []).rest;
  const need = (text: string): string => {
    if (text === '') throw parseError(raw, `${k} requires at least one argument`);
    return text;
  };
  switch (k) {
    case 'FROM': {
      const { flags, rest } = takeFlags(raw, ['platform']);
      const words = need(rest).split(/\s+/);
      if (words.length !== 1 && !(words.length === 3 && (words[1] as string).toLowerCase() === 'as')) {
        throw parseError(raw, 'FROM requires either one or three arguments');
      }
      const stageName = words[2]?.toLowerCase();
      if (stageName !== undefined && !/^[a-z][a-z0-9-_.]*$/.test(stageName)) throw parseError(raw, `invalid name for build stage: "${words[2]}", name can't start with a number or contain symbols`);
      return { raw, kind: 'FROM', image: words[0] as string, ...(stageName !== undefined ? { stageName } : {}), ...(flags.has('platform') ? { platform: flags.get('platform') as string } : {}) };
    }
    case 'RUN': {
      const { flags, rest } = takeFlags(raw, ['network', 'mount', 'security']);
      if (flags.size > 0) throw parseError(raw, `the --${[...flags.keys()][0]} option requires BuildKit`);
      return { raw, kind: 'RUN', cmd: commandLine(need(rest)) };
    }
    case 'CMD':
    case 'ENTRYPOINT':
      return { raw, kind: k, cmd: commandLine(noFlags()) };
    case 'COPY':
    case 'ADD': {
      const { flags, rest } = takeFlags(raw, k === 'COPY' ? ['from', 'chown', 'chmod'] : ['chown', 'chmod', 'checksum', 'keep-git-dir', 'link']);
      for (const f of ['checksum', 'keep-git-dir', 'link']) if (flags.has(f)) throw parseError(raw, `the --${f} option requires BuildKit`);
      const parts = maybeJson(rest) ?? splitWords(rest, escape);
      if (parts.length < 2) throw parseError(raw, `${k} requires at least two arguments, but only one was provided. Destination could not be determined.`);
      return {
        raw,
        kind: k,
        sources: parts.slice(0, -1),
        dest: parts[parts.length - 1] as string,
        ...(flags.has('from') ? { from: flags.get('from') as string } : {}),
        ...(flags.has('chown') ? { chown: flags.get('chown') as string } : {}),
        ...(flags.has('chmod') ? { chmod: flags.get('chmod') as string } : {}),
      };
    }
    case 'ENV':
    case 'LABEL':
      return { raw, kind: k, pairs: nameValues({ ...raw, args: noFlags() }, escape, k) };
    case 'ARG': {
      const words = splitWords(need(noFlags()), escape);
      return {
        raw,
        kind: 'ARG',
        args: words.map((w) => {
          const i = w.indexOf('=');
          return i === -1 ? { name: w } : { name: w.slice(0, i), value: w.slice(i + 1) };
        }),
      };
    }
    case 'WORKDIR':
    case 'USER':
    case 'STOPSIGNAL':
    case 'MAINTAINER': {
      return { raw, kind: k, value: need(noFlags()) };
    }
    case 'EXPOSE':
      return { raw, kind: 'EXPOSE', ports: need(noFlags()) };
    case 'VOLUME': {
      const text = need(noFlags());
      const paths = maybeJson(text) ?? splitWords(text, escape);
      for (const p of paths) if (p.trim() === '') throw parseError(raw, 'VOLUME specified can not be an empty string');
      return { raw, kind: 'VOLUME', paths };
    }
    case 'HEALTHCHECK':
      return { raw, kind: 'HEALTHCHECK', health: healthcheck(raw) };
    case 'SHELL': {
      const argv = maybeJson(noFlags());
      if (!argv || argv.length === 0) throw parseError(raw, 'SHELL requires the arguments to be in JSON form');
      return { raw, kind: 'SHELL', argv };
    }
    case 'ONBUILD': {
      const trigger = need(noFlags());
      const kw = (/^\S+/.exec(trigger)?.[0] ?? '').toUpperCase();
      if (kw === 'ONBUILD') throw parseError(raw, 'Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
      if (kw === 'FROM' || kw === 'MAINTAINER') throw parseError(raw, `${kw} isn't allowed as an ONBUILD trigger`);
      return { raw, kind: 'ONBUILD', trigger };
    }
    default:
      throw parseError(raw, `unknown instruction: ${k}`);
  }
}
