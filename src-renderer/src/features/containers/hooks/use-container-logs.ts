import { useCallback, useRef, useState } from 'react';
import type { ErrorEnvelope } from '../../../../../src-shared/errors/error-kind';
import { useStream } from '../../../lib/use-stream';
import { useSettings } from '../../../lib/settings';
import { appendLines, type LogEntry } from '../model/logs-model';

export interface ContainerLogs {
  entries: LogEntry[];
  /** True while the stream is open. */
  streaming: boolean;
  error: ErrorEnvelope | null;
  clear: () => void;
  /** Reopens the stream (after it ended, e.g. the container restarted). */
  reload: () => void;
}

/** The container's log, following new lines while `follow`. Lines arrive in batches from main. */
export function useContainerLogs(hostId: string, id: string, follow: boolean, timestamps: boolean): ContainerLogs {
  const [entries, setEntries] = useState<LogEntry[]>([]);
  const [streaming, setStreaming] = useState(false);
  const [error, setError] = useState<ErrorEnvelope | null>(null);
  const [generation, setGeneration] = useState(0);
  const seq = useRef(0);
  // The person's log line limit (Settings); read through a ref so changing it does not reopen the stream.
  const { settings } = useSettings();
  const maxLines = useRef(settings.logLineLimit);
  maxLines.current = settings.logLineLimit;
  useStream(
    'containers:logs',
    { hostId, id, follow, timestamps, tail: Math.min(1000, settings.logLineLimit) },
    {
      onOpen: () => {
        // Each (re)open replays the tail, so start from an empty buffer.
        seq.current = 0;
        setEntries([]);
        setError(null);
        setStreaming(true);
      },
      onEvent: (batch) =>
        setEntries((prev) => {
          const next = appendLines(prev, batch.lines, seq.current, maxLines.current);
          seq.current += batch.lines.length;
          return next;
        }),
      onEnd: (err) => {
        setStreaming(false);
        setError(err ?? null);
      },
    },
    generation,
  );
  const clear = useCallback(() => setEntries([]), []);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { entries, streaming, error, clear, reload };
}
