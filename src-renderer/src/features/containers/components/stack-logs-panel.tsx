import { memo, useLayoutEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useMemberLogStream, useStackLogs, type StackLogs } from '../hooks/use-stack-logs';
import { filterLogs, shortTimestamp } from '../model/logs-model';
import type { LogSource, StackLogEntry } from '../model/stack-logs-model';
import { memberLabel, serviceColour, type StackView } from '../model/stack-model';
import { LogText } from './logs-panel';

/** Renders nothing: keeps one member's log stream open and feeds the combined log. */
function MemberLogStream({ hostId, source, follow, logs }: { hostId: string; source: LogSource; follow: boolean; logs: StackLogs }): ReactNode {
  useMemberLogStream(hostId, source, follow, logs);
  return null;
}

const StackLogLine = memo(function StackLogLine({ entry, width, query, timestamps }: { entry: StackLogEntry; width: number; query: string; timestamps: boolean }): ReactNode {
  return (
    <div className={`log-line ${entry.stream}`} data-stream={entry.stream} data-service={entry.label}>
      {timestamps ? <span className="ts">{shortTimestamp(entry.timestamp)}</span> : null}
      <span className="service" style={{ color: entry.colour }}>{`${entry.label.padEnd(width)} |`}</span>
      <LogText entry={entry} query={query} />
    </div>
  );
});

/**
 * The stack's combined log, like `docker-compose logs -f`: every service's lines interleaved by
 * the engine's timestamps, each prefixed with its service in the service's colour, following live.
 */
export function StackLogsPanel({ hostId, stack }: { hostId: string; stack: StackView }): ReactNode {
  const [follow, setFollow] = useState(true);
  const [timestamps, setTimestamps] = useState(false);
  const [query, setQuery] = useState('');
  const logs = useStackLogs();
  const sources = useMemo(
    () => stack.members.map((m) => ({ running: m.running, source: { containerId: m.id, label: memberLabel(m, stack), colour: serviceColour(m.service ?? '', stack.services) } })),
    [stack],
  );
  const width = Math.max(...sources.map((s) => s.source.label.length));
  const { visible, matchCount } = useMemo(() => filterLogs(logs.state.entries, { query, onlyMatches: query !== '', streams: { stdout: true, stderr: true } }), [logs.state.entries, query]);
  const box = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  useLayoutEffect(() => {
    const el = box.current;
    if (el && atBottom.current) el.scrollTop = el.scrollHeight;
  }, [visible]);
  const streaming = Object.values(logs.open).some(Boolean);

  return (
    <div data-testid="stack-logs">
      {sources.map(({ running, source }) => (
        // A new key per run: a member that starts again gets a fresh stream.
        <MemberLogStream key={`${source.containerId}:${running}`} hostId={hostId} source={source} follow={follow} logs={logs} />
      ))}
      <div className="toolbar">
        <label className="check">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow
        </label>
        <label className="check">
          <input type="checkbox" checked={timestamps} onChange={(e) => setTimestamps(e.target.checked)} /> Timestamps
        </label>
        <span className="hint">
          {stack.services.map((s) => (
            <span key={s} style={{ color: serviceColour(s, stack.services), paddingRight: 8 }}>
              {s}
            </span>
          ))}
        </span>
        <div className="spacer" />
        <input aria-label="Search stack logs" placeholder="Search logs" value={query} onChange={(e) => setQuery(e.target.value)} />
        {query ? <span className="hint">{`${matchCount} match${matchCount === 1 ? '' : 'es'}`}</span> : null}
        <button type="button" className="small" onClick={logs.clear}>
          Clear
        </button>
      </div>
      <div
        className="logs"
        ref={box}
        role="log"
        aria-label="Stack logs"
        aria-live="off"
        onScroll={(e) => {
          const el = e.currentTarget;
          atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
        }}
      >
        {visible.length === 0 ? (
          <div className="empty">{streaming ? 'No output yet — waiting for new lines…' : 'No log output.'}</div>
        ) : (
          visible.map((e) => <StackLogLine key={e.seq} entry={e} width={width} query={query} timestamps={timestamps} />)
        )}
      </div>
      <div className="hint">{streaming && follow ? 'Following new lines of every service.' : 'Not following.'}</div>
    </div>
  );
}
