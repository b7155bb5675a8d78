import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState, type CSSProperties, type ReactNode } from 'react';
import type { AnsiSpan } from '../../../lib/ansi';
import { ErrorState } from '../../../components/state-views';
import { useContainerLogs } from '../hooks/use-container-logs';
import { filterLogs, highlight, shortTimestamp, type LogEntry } from '../model/logs-model';

function spanClass(s: AnsiSpan): string | undefined {
  const c = [s.fg?.startsWith('ansi-') ? `${s.fg}-fg` : '', s.bg?.startsWith('ansi-') ? `${s.bg}-bg` : '', s.bold ? 'ansi-bold' : '', s.dim ? 'ansi-dim' : '', s.italic ? 'ansi-italic' : '', s.underline ? 'ansi-underline' : '']
    .filter(Boolean)
    .join(' ');
  return c || undefined;
}

function spanStyle(s: AnsiSpan): CSSProperties | undefined {
  if (!s.fg?.startsWith('rgb') && !s.bg?.startsWith('rgb')) return undefined;
  return { ...(s.fg?.startsWith('rgb') ? { color: s.fg } : {}), ...(s.bg?.startsWith('rgb') ? { background: s.bg } : {}) };
}

const LogLine = memo(function LogLine({ entry, query, timestamps }: { entry: LogEntry; query: string; timestamps: boolean }): ReactNode {
  return (
    <div className={`log-line ${entry.stream}`} data-stream={entry.stream}>
      {timestamps ? <span className="ts">{shortTimestamp(entry.timestamp)}</span> : null}
      <LogText entry={entry} query={query} />
    </div>
  );
});

/** A line's text with its ANSI colours and the search hits marked (also used by the stack's combined log). */
export function LogText({ entry, query }: { entry: LogEntry; query: string }): ReactNode {
  return (
    <span className="text">
      {entry.spans.map((span, i) => (
        <span key={i} className={spanClass(span)} style={spanStyle(span)}>
          {highlight(span.text, query).map((seg, j) => (seg.hit ? <mark key={j}>{seg.text}</mark> : seg.text))}
        </span>
      ))}
    </span>
  );
}

/** Logs with follow, search and stdout/stderr told apart (stderr is red with a red rule). */
export function LogsPanel({ hostId, containerId, running }: { hostId: string; containerId: string; running: boolean }): ReactNode {
  const [follow, setFollow] = useState(true);
  const [timestamps, setTimestamps] = useState(false);
  const [query, setQuery] = useState('');
  const [onlyMatches, setOnlyMatches] = useState(false);
  const [streams, setStreams] = useState({ stdout: true, stderr: true });
  const logs = useContainerLogs(hostId, containerId, follow, timestamps);
  const { visible, matchCount } = useMemo(() => filterLogs(logs.entries, { query, onlyMatches, streams }), [logs.entries, query, onlyMatches, streams]);
  const box = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);

  // A followed log ends when the container stops; when it runs again, follow the new run.
  const wasRunning = useRef(running);
  useEffect(() => {
    if (running && !wasRunning.current && follow && !logs.streaming) logs.reload();
    wasRunning.current = running;
  }, [running, follow, logs]);

  useLayoutEffect(() => {
    const el = box.current;
    if (el && follow && atBottom.current) el.scrollTop = el.scrollHeight;
  }, [visible, follow]);

  return (
    <div data-testid="logs-panel">
      <div className="toolbar">
        <label className="check">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow
        </label>
        <label className="check">
          <input type="checkbox" checked={timestamps} onChange={(e) => setTimestamps(e.target.checked)} /> Timestamps
        </label>
        <label className="check">
          <input type="checkbox" checked={streams.stdout} onChange={(e) => setStreams((s) => ({ ...s, stdout: e.target.checked }))} /> stdout
        </label>
        <label className="check">
          <input type="checkbox" checked={streams.stderr} onChange={(e) => setStreams((s) => ({ ...s, stderr: e.target.checked }))} />{' '}
          <span className="stderr-label">stderr</span>
        </label>
        <div className="spacer" />
        <input aria-label="Search logs" placeholder="Search logs" value={query} onChange={(e) => setQuery(e.target.value)} />
        <label className="check">
          <input type="checkbox" checked={onlyMatches} onChange={(e) => setOnlyMatches(e.target.checked)} /> Only matches
        </label>
        {query ? <span className="hint" data-testid="log-match-count">{`${matchCount} match${matchCount === 1 ? '' : 'es'}`}</span> : null}
        <button type="button" className="small" onClick={logs.clear}>
          Clear
        </button>
      </div>
      {logs.error ? <ErrorState error={logs.error} onRetry={logs.reload} /> : null}
      <div
        className="logs"
        ref={box}
        role="log"
        aria-label="Container logs"
        aria-live="off"
        onScroll={(e) => {
          const el = e.currentTarget;
          atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
      >
        {visible.length === 0 ? (
          <div className="empty">{logs.streaming ? (follow ? 'No output yet — waiting for new lines…' : 'Loading…') : 'No log output.'}</div>
        ) : (
          visible.map((e) => <LogLine key={e.seq} entry={e} query={query} timestamps={timestamps} />)
        )}
      </div>
      <div className="hint">{logs.streaming ? (follow ? 'Following new lines.' : 'Loading…') : 'Not following.'}</div>
    </div>
  );
}
