import type { LogLineView } from '../../../../../src-shared/ipc/models/containers';
import { appendLines, type LogEntry } from './logs-model';

/**
 * The combined log of a stack: every member's lines (asked with timestamps) merged into one list
 * ordered by the engine's timestamp, each line tagged with its service. Streams of different
 * containers arrive independently and in batches, so a batch is inserted where its timestamps
 * belong rather than appended. Pure: the hook keeps the state, this computes the next one.
 */

export interface StackLogEntry extends LogEntry {
  /** The container the line came from. */
  containerId: string;
  /** `web`, or `web-2` for a scaled service (memberLabel). */
  label: string;
  colour: string;
  /** `timestamp` made sortable as a string (nanoseconds padded); '' when the line had none. */
  sortKey: string;
}

export interface StackLogState {
  entries: StackLogEntry[];
  /** Per container: the newest sort key seen, so a reopened stream's replayed tail is not shown twice. */
  newest: Readonly<Record<string, string>>;
  nextSeq: number;
}

export const EMPTY_STACK_LOG: StackLogState = { entries: [], newest: {}, nextSeq: 0 };

export interface LogSource {
  containerId: string;
  label: string;
  colour: string;
}

/**
 * `2024-05-01T10:00:00.5Z` -> `2024-05-01T10:00:00.500000000`: RFC3339Nano drops trailing zeros
 * of the fraction, which breaks plain string order (`.5Z` sorts after `.55Z`). UTC as the engine writes it.
 */
export function sortKey(timestamp: string | undefined): string {
  if (!timestamp) return '';
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(timestamp);
  if (!m) return timestamp;
  return `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}`;
}

/** First index whose key is greater than `key` (after equal keys, so arrival order is kept among ties). */
function upperBound(entries: readonly StackLogEntry[], key: string): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((entries[mid] as StackLogEntry).sortKey <= key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Adds one container's batch to the combined log, keeping the newest `max` lines. */
export function mergeStackLines(state: StackLogState, source: LogSource, lines: readonly LogLineView[], max: number): StackLogState {
  const seen = state.newest[source.containerId] ?? '';
  const fresh = lines.filter((l) => {
    const k = sortKey(l.timestamp);
    return k === '' || k > seen;
  });
  if (fresh.length === 0) return state;
  const parsed = appendLines([], fresh, state.nextSeq, fresh.length);
  const entries = [...state.entries];
  let newest = seen;
  for (const e of parsed) {
    const key = sortKey(e.timestamp);
    const entry: StackLogEntry = { ...e, containerId: source.containerId, label: source.label, colour: source.colour, sortKey: key };
    // A line without a timestamp has nowhere better to go than the end.
    if (key === '') entries.push(entry);
    else entries.splice(upperBound(entries, key), 0, entry);
    if (key > newest) newest = key;
  }
  return {
    entries: entries.length > max ? entries.slice(-max) : entries,
    newest: { ...state.newest, [source.containerId]: newest },
    nextSeq: state.nextSeq + parsed.length,
  };
}
