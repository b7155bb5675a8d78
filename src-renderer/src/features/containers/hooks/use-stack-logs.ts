import { useCallback, useRef, useState } from 'react';
import type { LogLineView } from '../../../../../src-shared/ipc/models/containers';
import { useSettings } from '../../../lib/settings';
import { useStream } from '../../../lib/use-stream';
import { EMPTY_STACK_LOG, mergeStackLines, type LogSource, type StackLogState } from '../model/stack-logs-model';

export interface StackLogs {
  state: StackLogState;
  add: (source: LogSource, lines: readonly LogLineView[]) => void;
  clear: () => void;
  /** Per container: its stream is open. */
  open: Readonly<Record<string, boolean>>;
  setOpen: (containerId: string, open: boolean) => void;
  tail: number;
}

/** The combined log's state; each member's stream (MemberLogStream) feeds it. */
export function useStackLogs(): StackLogs {
  const { settings } = useSettings();
  const max = useRef(settings.logLineLimit);
  max.current = settings.logLineLimit;
  const [state, setState] = useState<StackLogState>(EMPTY_STACK_LOG);
  const [open, setOpenMap] = useState<Readonly<Record<string, boolean>>>({});
  const add = useCallback((source: LogSource, lines: readonly LogLineView[]) => setState((s) => mergeStackLines(s, source, lines, max.current)), []);
  // Clearing keeps `newest`, so a reopened stream does not bring the cleared lines back.
  const clear = useCallback(() => setState((s) => ({ ...s, entries: [] })), []);
  const setOpen = useCallback((id: string, isOpen: boolean) => setOpenMap((m) => (m[id] === isOpen ? m : { ...m, [id]: isOpen })), []);
  return { state, add, clear, open, setOpen, tail: Math.min(1000, settings.logLineLimit) };
}

/**
 * One member's `containers:logs` stream with timestamps, through the same plumbing as the
 * container's Logs tab. Mounted per container and per run: when a stopped member starts again its
 * key changes and the stream reopens (the replayed tail is dropped by the merge).
 */
export function useMemberLogStream(hostId: string, source: LogSource, follow: boolean, logs: Pick<StackLogs, 'add' | 'setOpen' | 'tail'>): void {
  const latest = useRef({ source, logs });
  latest.current = { source, logs };
  useStream(
    'containers:logs',
    { hostId, id: source.containerId, follow, timestamps: true, tail: logs.tail },
    {
      onOpen: () => latest.current.logs.setOpen(latest.current.source.containerId, true),
      onEvent: (batch) => latest.current.logs.add(latest.current.source, batch.lines),
      onEnd: () => latest.current.logs.setOpen(latest.current.source.containerId, false),
    },
  );
}
