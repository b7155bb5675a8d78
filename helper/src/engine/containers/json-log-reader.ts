import { open, stat, watch } from 'node:fs/promises';
import { errnoCode } from '../../lib/errors';

/** One line of dockerd's json-file log: `{"log":"hi\n","stream":"stdout","time":"…Z"}`. */
export interface LogEntry {
  stream: 'stdout' | 'stderr';
  /** The bytes written, including their trailing newline when there was one. */
  log: string;
  /** RFC3339Nano as written by the monitor. */
  time: string;
  /** `time` as nanoseconds since the epoch, for since/until filters. */
  timeNano: bigint;
}

export interface LogReadOptions {
  stdout: boolean;
  stderr: boolean;
  /** Lines from the end; undefined = all. Applied before since/until, as dockerd's json-file does. */
  tail?: number;
  /** Nanoseconds since the epoch; entries older than this are skipped. */
  sinceNano?: bigint;
  /** Nanoseconds since the epoch; entries at or after this end the read (and the follow). */
  untilNano?: bigint;
  follow: boolean;
}

/**
 * Parses Docker's time parameters (`since`/`until`): unix seconds with an optional fraction
 * ("1700000000.5"), as the CLI sends after converting durations and dates itself. "0" is the
 * epoch (events `--since 0` replays everything); callers decide what an `until` of 0 means.
 */
export function parseUnixTimeParam(value: string | null): bigint | undefined {
  if (value === null || value === '') return undefined;
  const m = /^(-?\d+)(?:\.(\d{1,9}))?$/.exec(value);
  if (!m) return undefined;
  const frac = (m[2] ?? '').padEnd(9, '0');
  return BigInt(m[1] ?? '0') * 1_000_000_000n + BigInt(frac === '' ? '0' : frac);
}

/** RFC3339(Nano) -> ns since the epoch; the fraction may have 0-9 digits. */
export function rfc3339ToNano(time: string): bigint {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (!m) return 0n;
  const secs = BigInt(Math.floor(Date.parse(`${m[1]}${m[3]}`) / 1000));
  return secs * 1_000_000_000n + BigInt((m[2] ?? '').slice(0, 9).padEnd(9, '0') || '0');
}

/** dockerd's `RFC3339NanoFixed` (always nine fraction digits), used for `timestamps=1`. */
export function fixedNanoTimestamp(time: string): string {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (!m) return time;
  return `${m[1]}.${(m[2] ?? '').slice(0, 9).padEnd(9, '0')}${m[3]}`;
}

export function parseLogLine(line: string): LogEntry | undefined {
  if (line === '') return undefined;
  try {
    const v = JSON.parse(line) as { log?: unknown; stream?: unknown; time?: unknown };
    if (typeof v.log !== 'string' || typeof v.time !== 'string') return undefined;
    const stream = v.stream === 'stderr' ? 'stderr' : 'stdout';
    return { stream, log: v.log, time: v.time, timeNano: rfc3339ToNano(v.time) };
  } catch {
    // A line cut by a crash mid-write: skip it, as dockerd's decoder does after an error.
    return undefined;
  }
}

/** Byte offset where the last `n` lines of a file start (reads backwards in 64 KiB blocks). */
async function tailOffset(path: string, n: number): Promise<number> {
  if (n <= 0) {
    return (await stat(path)).size;
  }
  const fh = await open(path, 'r');
  try {
    const size = (await fh.stat()).size;
    let pos = size;
    let newlines = 0;
    const block = Buffer.allocUnsafe(64 * 1024);
    // The file ends with "\n"; the newline that ends the last line does not start a new one.
    let skipLast = true;
    while (pos > 0) {
      const len = Math.min(block.length, pos);
      pos -= len;
      await fh.read(block, 0, len, pos);
      for (let i = len - 1; i >= 0; i--) {
        if (block[i] !== 0x0a) continue;
        if (skipLast && pos + i === size - 1) {
          skipLast = false;
          continue;
        }
        if (++newlines === n) return pos + i + 1;
      }
    }
    return 0;
  } finally {
    await fh.close();
  }
}

/**
 * Reads a json-file log as dockerd's `ReadLogs`: optional tail, since/until, stream filter, and
 * with `follow` it keeps reading as the monitor appends until `exited` resolves (then drains what
 * is left) or `signal` aborts. A missing file is an empty log (a container that never started).
 */
export async function* readJsonLog(path: string, opts: LogReadOptions, exited: Promise<void>, signal: AbortSignal): AsyncGenerator<LogEntry> {
  let offset: number;
  try {
    offset = opts.tail === undefined ? 0 : await tailOffset(path, opts.tail);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
    offset = 0;
  }
  let done = false;
  void exited.then(() => {
    done = true;
  });
  const wanted = (e: LogEntry): boolean => (e.stream === 'stdout' ? opts.stdout : opts.stderr) && (opts.sinceNano === undefined || e.timeNano >= opts.sinceNano);
  let partial = '';
  const buf = Buffer.allocUnsafe(256 * 1024);
  for (;;) {
    // Read everything currently in the file from `offset`.
    let fh;
    try {
      fh = await open(path, 'r');
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
    }
    if (fh) {
      try {
        for (;;) {
          const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
          if (bytesRead === 0) break;
          offset += bytesRead;
          const text = partial + buf.toString('utf8', 0, bytesRead);
          const lines = text.split('\n');
          partial = lines.pop() ?? '';
          for (const line of lines) {
            const e = parseLogLine(line);
            if (!e) continue;
            if (opts.untilNano !== undefined && e.timeNano >= opts.untilNano) return;
            if (wanted(e)) yield e;
          }
        }
      } finally {
        await fh.close();
      }
    }
    if (!opts.follow || signal.aborted) return;
    if (done) {
      // One more pass after the exit so the last lines the monitor wrote are not lost.
      if (partial === '' && (await sizeOf(path)) <= offset) return;
      continue;
    }
    await waitForChange(path, exited, signal);
  }
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

/** Resolves on the next write to the file, on exit, on abort, or after 1 s (a missed inotify event). */
async function waitForChange(path: string, exited: Promise<void>, signal: AbortSignal): Promise<void> {
  const ac = new AbortController();
  const onAbort = (): void => ac.abort();
  signal.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(() => ac.abort(), 1000);
  try {
    const watcher = (async () => {
      try {
        for await (const _ of watch(path, { signal: ac.signal })) return;
      } catch {
        // Aborted, or the file does not exist yet: the timeout/exit path decides.
        await new Promise<void>((r) => (ac.signal.aborted ? r() : ac.signal.addEventListener('abort', () => r(), { once: true })));
      }
    })();
    await Promise.race([watcher, exited]);
  } finally {
    clearTimeout(timer);
    ac.abort();
    signal.removeEventListener('abort', onAbort);
  }
}
