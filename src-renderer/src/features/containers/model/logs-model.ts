import type { LogLineView } from '../../../../../src-shared/ipc/models/containers';
import { parseAnsi, type AnsiSpan } from '../../../lib/ansi';

export interface LogEntry extends LogLineView {
  /** Monotonic key, stable across trimming. */
  seq: number;
  /** `text` is the visible text (control sequences stripped); `spans` carry its colours. */
  spans: AnsiSpan[];
}

/**
 * Keeps the newest `max` lines: a chatty container must not grow the page without bound. Each
 * line is parsed once here: ANSI colours become spans, other control sequences are dropped.
 */
export function appendLines(entries: readonly LogEntry[], lines: readonly LogLineView[], nextSeq: number, max: number): LogEntry[] {
  const added = lines.map((l, i) => {
    const { plain, spans } = parseAnsi(l.text);
    return { ...l, text: plain, spans, seq: nextSeq + i };
  });
  const all = entries.length + added.length > max ? [...entries, ...added].slice(-max) : [...entries, ...added];
  return all;
}

export interface HighlightSegment {
  text: string;
  hit: boolean;
}

/** Splits a line around case-insensitive matches of `query`. */
export function highlight(text: string, query: string): HighlightSegment[] {
  if (query === '') return [{ text, hit: false }];
  const out: HighlightSegment[] = [];
  const lower = text.toLowerCase();
  const q = query.toLowerCase();
  let at = 0;
  for (let i = lower.indexOf(q); i >= 0; i = lower.indexOf(q, i + q.length)) {
    if (i > at) out.push({ text: text.slice(at, i), hit: false });
    out.push({ text: text.slice(i, i + q.length), hit: true });
    at = i + q.length;
  }
  if (at < text.length) out.push({ text: text.slice(at), hit: false });
  return out;
}

export function matches(entry: LogLineView, query: string): boolean {
  return query === '' || entry.text.toLowerCase().includes(query.toLowerCase());
}

export interface LogFilter {
  query: string;
  onlyMatches: boolean;
  streams: { stdout: boolean; stderr: boolean };
}

export function filterLogs<E extends LogEntry>(entries: readonly E[], filter: LogFilter): { visible: E[]; matchCount: number } {
  let matchCount = 0;
  const visible: E[] = [];
  for (const e of entries) {
    if (!filter.streams[e.stream]) continue;
    const hit = filter.query !== '' && matches(e, filter.query);
    if (hit) matchCount++;
    if (filter.onlyMatches && filter.query !== '' && !hit) continue;
    visible.push(e);
  }
  return { visible, matchCount };
}

/** `2024-05-01T10:00:00.123456789Z` -> `10:00:00.123`. */
export function shortTimestamp(ts: string | undefined): string {
  if (!ts) return '';
  const m = /T(\d{2}:\d{2}:\d{2})(\.\d{1,3})?/.exec(ts);
  return m ? `${m[1]}${m[2] ?? ''}` : ts;
}
