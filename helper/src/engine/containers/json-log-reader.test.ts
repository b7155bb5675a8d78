import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFile, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixedNanoTimestamp, parseUnixTimeParam, readJsonLog, rfc3339ToNano, type LogReadOptions } from './json-log-reader';

const line = (log: string, stream: string, time: string): string => `${JSON.stringify({ log, stream, time })}\n`;
const all: LogReadOptions = { stdout: true, stderr: true, follow: false };

async function collect(gen: AsyncGenerator<{ log: string; stream: string }>): Promise<string[]> {
  const out: string[] = [];
  for await (const e of gen) out.push(`${e.stream}:${e.log}`);
  return out;
}

describe('json-file log reader', () => {
  let dir: string;
  let file: string;
  const never = new Promise<void>(() => undefined);
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-log-'));
    file = join(dir, 'c-json.log');
    await writeFile(
      file,
      line('a\n', 'stdout', '2024-01-01T00:00:01.5Z') + line('b\n', 'stderr', '2024-01-01T00:00:02Z') + line('c\n', 'stdout', '2024-01-01T00:00:03.123456789Z'),
    );
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('reads all entries and filters streams', async () => {
    expect(await collect(readJsonLog(file, all, never, new AbortController().signal))).toEqual(['stdout:a\n', 'stderr:b\n', 'stdout:c\n']);
    expect(await collect(readJsonLog(file, { ...all, stderr: false }, never, new AbortController().signal))).toEqual(['stdout:a\n', 'stdout:c\n']);
  });

  it('tails the last n lines, and tail=0 gives none', async () => {
    expect(await collect(readJsonLog(file, { ...all, tail: 2 }, never, new AbortController().signal))).toEqual(['stderr:b\n', 'stdout:c\n']);
    expect(await collect(readJsonLog(file, { ...all, tail: 0 }, never, new AbortController().signal))).toEqual([]);
    expect(await collect(readJsonLog(file, { ...all, tail: 10 }, never, new AbortController().signal))).toHaveLength(3);
  });

  it('applies since and until', async () => {
    const since = parseUnixTimeParam(String(Date.parse('2024-01-01T00:00:02Z') / 1000));
    const until = parseUnixTimeParam(`${Date.parse('2024-01-01T00:00:03Z') / 1000}.1`);
    expect(await collect(readJsonLog(file, { ...all, sinceNano: since }, never, new AbortController().signal))).toEqual(['stderr:b\n', 'stdout:c\n']);
    expect(await collect(readJsonLog(file, { ...all, sinceNano: since, untilNano: until }, never, new AbortController().signal))).toEqual(['stderr:b\n']);
  });

  it('follows appended lines until the container exits', async () => {
    let exit!: () => void;
    const exited = new Promise<void>((r) => (exit = r));
    const got: string[] = [];
    const reading = (async () => {
      for await (const e of readJsonLog(file, { ...all, tail: 0, follow: true }, exited, new AbortController().signal)) got.push(e.log);
    })();
    await new Promise((r) => setTimeout(r, 50));
    await appendFile(file, line('d\n', 'stdout', '2024-01-01T00:00:04Z'));
    await new Promise((r) => setTimeout(r, 50));
    await appendFile(file, line('e\n', 'stdout', '2024-01-01T00:00:05Z'));
    exit();
    await reading;
    expect(got).toEqual(['d\n', 'e\n']);
  });

  it('converts times', () => {
    expect(rfc3339ToNano('1970-01-01T00:00:01.000000002Z')).toBe(1_000_000_002n);
    expect(fixedNanoTimestamp('2024-01-01T00:00:01.5Z')).toBe('2024-01-01T00:00:01.500000000Z');
    expect(fixedNanoTimestamp('2024-01-01T00:00:01Z')).toBe('2024-01-01T00:00:01.000000000Z');
    expect(parseUnixTimeParam('12.5')).toBe(12_500_000_000n);
    expect(parseUnixTimeParam(null)).toBeUndefined();
    expect(parseUnixTimeParam('0')).toBe(0n);
  });

  it('reads rotated files oldest first and tails across them', async () => {
    const t = '2024-01-01T00:00:00Z';
    await writeFile(`${file}.2`, line('r1\n', 'stdout', t) + line('r2\n', 'stdout', t));
    await writeFile(`${file}.1`, line('r3\n', 'stdout', t));
    const logs = async (o: LogReadOptions): Promise<string[]> => (await collect(readJsonLog(file, o, never, new AbortController().signal))).map((l) => l.slice(7, -1));
    expect(await logs(all)).toEqual(['r1', 'r2', 'r3', 'a', 'b', 'c']);
    expect(await logs({ ...all, tail: 4 })).toEqual(['r3', 'a', 'b', 'c']);
    expect(await logs({ ...all, tail: 5 })).toEqual(['r2', 'r3', 'a', 'b', 'c']);
    expect(await logs({ ...all, tail: 50 })).toHaveLength(6);
  });

  it('follows across a rotation: the rest of the old file, then the new one', async () => {
    const got: string[] = [];
    let exit!: () => void;
    const exited = new Promise<void>((r) => (exit = r));
    const reading = (async () => {
      for await (const e of readJsonLog(file, { ...all, tail: 0, follow: true }, exited, new AbortController().signal)) got.push(e.log);
    })();
    await new Promise((r) => setTimeout(r, 100));
    await appendFile(file, line('d\n', 'stdout', '2024-01-01T00:00:04Z'));
    await rename(file, `${file}.1`);
    await writeFile(file, line('e\n', 'stdout', '2024-01-01T00:00:05Z'));
    await new Promise((r) => setTimeout(r, 1200));
    exit();
    await reading;
    expect(got).toEqual(['d\n', 'e\n']);
  });

  it('treats a missing file as an empty log', async () => {
    expect(await collect(readJsonLog(join(dir, 'none.log'), all, never, new AbortController().signal))).toEqual([]);
  });
});
