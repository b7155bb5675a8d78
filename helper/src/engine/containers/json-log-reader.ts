import { open, stat, watch, type FileHandle } from 'node:fs/promises';
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
  /** json-file `attrs` (labels/env log options), for `docker logs --details`. */
  attrs?: Record<string, string>;
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
    const v = JSON.parse(line) as { log?: unknown; stream?: unknown; time?: unknown; attrs?: unknown };
    if (typeof v.log !== 'string' || typeof v.time !== 'string') return undefined;
    const stream = v.stream === 'stderr' ? 'stderr' : 'stdout';
    const attrs = typeof v.attrs === 'object' && v.attrs !== null ? (v.attrs as Record<string, string>) : undefined;
    return { stream, log: v.log, time: v.time, timeNano: rfc3339ToNano(v.time), ...(attrs ? { attrs } : {}) };
  } catch {
    // A line cut by a crash mid-write: skip it, as dockerd's decoder does after an error.
    return undefined;
  }
}

/**
 * Where the last `n` lines of a file start (reads backwards in 64 KiB blocks), and how many lines
 * the file has when it has fewer (then the offset is 0).
 */
async function tailOffset(path: string, n: number): Promise<{ offset: number; lines: number }> {
  if (n <= 0) {
    return { offset: (await stat(path)).size, lines: 0 };
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
        if (++newlines === n) return { offset: pos + i + 1, lines: n };
      }
    }
    // Lines counted by the newline before them, plus the first line of a non-empty file.
    return { offset: 0, lines: size > 0 ? newlines + 1 : 0 };
  } finally {
    await fh.close();
  }
}

/** The rotated files of a log (`<log>.1` is the newest), oldest first. */
async function rotatedFiles(path: string): Promise<string[]> {
  const out: string[] = [];
  for (let i = 1; ; i++) {
    const p = `${path}.${i}`;
    if ((await inodeOf(p)) === undefined) break;
    out.unshift(p);
  }
  return out;
}

async function inodeOf(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).ino;
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
    return undefined;
  }
}

/** Where a read starts: the file (index into rotated + live) and the byte offset in it. */
async function startOf(files: string[], tail: number | undefined): Promise<{ file: number; offset: number }> {
  if (tail === undefined) return { file: 0, offset: 0 };
  let remaining = tail;
  for (let i = files.length - 1; i >= 0; i--) {
    let t: { offset: number; lines: number };
    try {
      t = await tailOffset(files[i] ?? '', remaining);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
      t = { offset: 0, lines: 0 };
    }
    if (remaining === 0 || t.lines >= remaining) return { file: i, offset: t.offset };
    remaining -= t.lines;
  }
  return { file: 0, offset: 0 };
}

/** Reads complete lines of a file from `offset`; returns the entries, the new offset and the unfinished tail. */
async function readLines(path: string, offset: number, partial: string, buf: Buffer): Promise<{ entries: LogEntry[]; offset: number; partial: string }> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
    return { entries: [], offset, partial };
  }
  try {
    return await readLinesFrom(fh, offset, partial, buf);
  } finally {
    await fh.close();
  }
}

async function readLinesFrom(fh: FileHandle, offset: number, partial: string, buf: Buffer): Promise<{ entries: LogEntry[]; offset: number; partial: string }> {
  const entries: LogEntry[] = [];
  for (;;) {
    const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
    if (bytesRead === 0) break;
    offset += bytesRead;
    const lines = (partial + buf.toString('utf8', 0, bytesRead)).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const e = parseLogLine(line);
      if (e) entries.push(e);
    }
    // Hand a big file over in slices rather than holding all of it.
    if (entries.length >= 1024) break;
  }
  return { entries, offset, partial };
}

/**
 * Reads a json-file log as dockerd's `ReadLogs`: its rotated files first (`<log>.N` … `<log>.1`),
 * then the live one; optional tail (counted across all of them), since/until, stream filter, and
 * with `follow` it keeps reading as the monitor appends until `exited` resolves (then drains what
 * is left) or `signal` aborts. A rotation while following is noticed by the live file's inode
 * changing: the rest of the old file (now `<log>.k`) and the newer rotated ones are read before
 * the new one. A missing file is an empty log (a container that never started).
 */
export async function* readJsonLog(path: string, opts: LogReadOptions, exited: Promise<void>, signal: AbortSignal): AsyncGenerator<LogEntry> {
  const files = [...(await rotatedFiles(path)), path];
  const start = await startOf(files, opts.tail);
  let done = false;
  void exited.then(() => {
    done = true;
  });
  const wanted = (e: LogEntry): boolean => (e.stream === 'stdout' ? opts.stdout : opts.stderr) && (opts.sinceNano === undefined || e.timeNano >= opts.sinceNano);
  const buf = Buffer.allocUnsafe(256 * 1024);
  // The rotated files, in full (from the tail's start in the first one read).
  for (let i = start.file; i < files.length - 1; i++) {
    let pos = i === start.file ? start.offset : 0;
    let rest = '';
    for (;;) {
      const r = await readLines(files[i] ?? '', pos, rest, buf);
      for (const e of r.entries) {
        if (opts.untilNano !== undefined && e.timeNano >= opts.untilNano) return;
        if (wanted(e)) yield e;
      }
      if (r.offset === pos) break;
      pos = r.offset;
      rest = r.partial;
    }
  }
  let offset = start.file === files.length - 1 ? start.offset : 0;
  let partial = '';
  let ino = await inodeOf(path);
  for (;;) {
    let fh: FileHandle | undefined;
    try {
      fh = await open(path, 'r');
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
    }
    try {
      if (fh) {
        // Inode and size from the open file itself: a rotation between two stats cannot confuse them.
        const st = await fh.stat();
        if (ino !== undefined && st.ino !== ino) {
          // Rotated (maybe more than once) since the last pass: finish the old file where it went
          // (<log>.k), then the newer rotated ones in full, then start the new live one. When the
          // old file was already dropped, every rotated file left is newer than it.
          const rotated = await rotatedFiles(path);
          const inodes = await Promise.all(rotated.map((f) => inodeOf(f)));
          const at = inodes.indexOf(ino);
          for (let i = Math.max(at, 0); i < rotated.length; i++) {
            let pos = i === at ? offset : 0;
            let rest = i === at ? partial : '';
            for (;;) {
              const r = await readLines(rotated[i] ?? '', pos, rest, buf);
              for (const e of r.entries) {
                if (opts.untilNano !== undefined && e.timeNano >= opts.untilNano) return;
                if (wanted(e)) yield e;
              }
              if (r.offset === pos) break;
              pos = r.offset;
              rest = r.partial;
            }
          }
          offset = 0;
          partial = '';
        } else if (st.size < offset) {
          // Truncated in place (max-file 1): start over at its beginning.
          offset = 0;
          partial = '';
        }
        ino = st.ino;
        for (;;) {
          const r = await readLinesFrom(fh, offset, partial, buf);
          for (const e of r.entries) {
            if (opts.untilNano !== undefined && e.timeNano >= opts.untilNano) return;
            if (wanted(e)) yield e;
          }
          const moved = r.offset !== offset;
          offset = r.offset;
          partial = r.partial;
          if (!moved) break;
        }
      }
    } finally {
      await fh?.close();
    }
    if (!opts.follow || signal.aborted) return;
    if (done) {
      // One more pass after the exit so the last lines the monitor wrote are not lost.
      if (partial === '' && (await sizeOf(path)) <= offset && (await inodeOf(path)) === ino) return;
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
