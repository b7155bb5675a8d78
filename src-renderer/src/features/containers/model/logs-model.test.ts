import { describe, expect, it } from 'vitest';
import { appendLines, filterLogs, highlight, shortTimestamp } from './logs-model';

describe('logs model', () => {
  it('keeps the newest lines up to the cap, with stable keys', () => {
    let entries = appendLines([], [{ stream: 'stdout', text: 'a' }, { stream: 'stderr', text: 'b' }], 0, 3);
    entries = appendLines(entries, [{ stream: 'stdout', text: 'c' }, { stream: 'stdout', text: 'd' }], 2, 3);
    expect(entries.map((e) => `${e.seq}:${e.text}`)).toEqual(['1:b', '2:c', '3:d']);
  });

  it('highlights matches case-insensitively', () => {
    expect(highlight('Error: an error', 'error')).toEqual([
      { text: 'Error', hit: true },
      { text: ': an ', hit: false },
      { text: 'error', hit: true },
    ]);
    expect(highlight('x', '')).toEqual([{ text: 'x', hit: false }]);
  });

  it('filters by stream and by match', () => {
    const entries = appendLines([], [{ stream: 'stdout', text: 'hello' }, { stream: 'stderr', text: 'oops hello' }, { stream: 'stdout', text: 'bye' }], 0, 10);
    expect(filterLogs(entries, { query: 'hello', onlyMatches: false, streams: { stdout: true, stderr: true } })).toMatchObject({ matchCount: 2 });
    expect(filterLogs(entries, { query: 'hello', onlyMatches: true, streams: { stdout: true, stderr: false } }).visible.map((e) => e.text)).toEqual(['hello']);
  });

  it('shortens timestamps', () => {
    expect(shortTimestamp('2024-05-01T10:00:00.123456789Z')).toBe('10:00:00.123');
    expect(shortTimestamp(undefined)).toBe('');
  });
});
