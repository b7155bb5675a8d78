import { useState, useSyncExternalStore } from 'react';
import type { StatsView } from '../../../../../src-shared/ipc/models/containers';
import type { ErrorEnvelope } from '../../../../../src-shared/errors/error-kind';
import { useStream } from '../../../lib/use-stream';
import { statsHistory, statsKey } from '../model/stats-history';

/**
 * The container's recent samples. The stream runs while `enabled` (the Stats tab is open); the
 * samples go to the app-wide history, so the charts still show them after a tab switch.
 */
export function useContainerStats(hostId: string, id: string, enabled: boolean): { samples: readonly StatsView[]; ended: ErrorEnvelope | null | undefined } {
  const key = statsKey(hostId, id);
  const samples = useSyncExternalStore(statsHistory.subscribe, () => statsHistory.get(key));
  const [ended, setEnded] = useState<ErrorEnvelope | null | undefined>(undefined);
  useStream('containers:stats', enabled ? { hostId, id } : null, {
    onOpen: () => setEnded(undefined),
    onEvent: (s) => statsHistory.append(key, s),
    onEnd: (error) => setEnded(error ?? null),
  });
  return { samples, ended };
}
