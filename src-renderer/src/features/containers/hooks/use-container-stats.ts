import { useState } from 'react';
import type { StatsView } from '../../../../../src-shared/ipc/models/containers';
import type { ErrorEnvelope } from '../../../../../src-shared/errors/error-kind';
import { useStream } from '../../../lib/use-stream';

const KEEP = 60;

/** The last minute of one-second samples, while `enabled` (the Stats tab is open). */
export function useContainerStats(hostId: string, id: string, enabled: boolean): { samples: StatsView[]; ended: ErrorEnvelope | null | undefined } {
  const [samples, setSamples] = useState<StatsView[]>([]);
  const [ended, setEnded] = useState<ErrorEnvelope | null | undefined>(undefined);
  useStream('containers:stats', enabled ? { hostId, id } : null, {
    onOpen: () => setEnded(undefined),
    onEvent: (s) => setSamples((prev) => [...prev.slice(-(KEEP - 1)), s]),
    onEnd: (error) => setEnded(error ?? null),
  });
  return { samples, ended };
}
