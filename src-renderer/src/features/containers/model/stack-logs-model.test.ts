import { describe, expect, it } from 'vitest';
import { EMPTY_STACK_LOG, mergeStackLines, sortKey, type LogSource } from './stack-logs-model';

const web: LogSource = { containerId: 'w', label: 'web', colour: 'var(--chart-1)' };
const db: LogSource = { containerId: 'd', label: 'db', colour: 'var(--chart-2)' };
const line = (text: string, second: string) => ({ stream: 'stdout' as const, text, timestamp: `2026-01-01T10:00:${second}Z` });
const texts = (s: { entries: { label: string; text: string }[] }) => s.entries.map((e) => `${e.label}|${e.text}`);

describe('combined stack log', () => {
  it('orders fractional RFC3339Nano timestamps correctly (trailing zeros are dropped on the wire)', () => {
    expect(sortKey('2026-01-01T10:00:00.5Z') > sortKey('2026-01-01T10:00:00.45Z')).toBe(true);
    expect(sortKey('2026-01-01T10:00:01Z') > sortKey('2026-01-01T10:00:00.999999999Z')).toBe(true);
    expect(sortKey(undefined)).toBe('');
  });

  it('interleaves the services by timestamp even when their batches arrive out of order', () => {
    let s = mergeStackLines(EMPTY_STACK_LOG, web, [line('w1', '01'), line('w2', '03'), line('w3', '05')], 100);
    s = mergeStackLines(s, db, [line('d1', '00.5'), line('d2', '02'), line('d3', '04')], 100);
    expect(texts(s)).toEqual(['db|d1', 'web|w1', 'db|d2', 'web|w2', 'db|d3', 'web|w3']);
    expect(s.entries.every((e) => e.colour === (e.label === 'web' ? web.colour : db.colour))).toBe(true);
    expect(new Set(s.entries.map((e) => e.seq)).size).toBe(6);
  });

  it('does not repeat the tail a reopened stream replays', () => {
    let s = mergeStackLines(EMPTY_STACK_LOG, web, [line('a', '01'), line('b', '02')], 100);
    s = mergeStackLines(s, web, [line('a', '01'), line('b', '02'), line('c', '03')], 100);
    expect(texts(s)).toEqual(['web|a', 'web|b', 'web|c']);
  });

  it('keeps only the newest lines', () => {
    const s = mergeStackLines(EMPTY_STACK_LOG, db, [line('1', '01'), line('2', '02'), line('3', '03')], 2);
    expect(texts(s)).toEqual(['db|2', 'db|3']);
  });

  it('appends lines without a timestamp', () => {
    const s = mergeStackLines(mergeStackLines(EMPTY_STACK_LOG, web, [line('x', '09')], 10), db, [{ stream: 'stderr', text: 'raw' }], 10);
    expect(texts(s)).toEqual(['web|x', 'db|raw']);
  });
});
