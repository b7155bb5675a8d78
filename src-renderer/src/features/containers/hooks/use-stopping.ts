import { useCallback } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { hostScope } from '../../../lib/query-keys';

/** Containers being stopped on a host: id -> epoch ms when the engine will SIGKILL. */
export type StoppingMap = Readonly<Record<string, number>>;

const key = (hostId: string) => [...hostScope(hostId), 'containers', 'stopping'] as const;

/**
 * The "Stopping… N s" state, shared by the list and the details through the query cache (the
 * list and a details page show the same countdown). Set when a stop is sent, cleared when the
 * stop call returns (the engine answers once the container is down).
 */
export function useStopping(hostId: string): { stopping: StoppingMap; begin: (id: string, timeoutSeconds: number) => void; end: (id: string) => void } {
  const qc = useQueryClient();
  const { data } = useQuery({ queryKey: key(hostId), queryFn: () => ({}) as StoppingMap, initialData: {} as StoppingMap, staleTime: Infinity, gcTime: Infinity });
  const begin = useCallback(
    (id: string, timeoutSeconds: number) => qc.setQueryData<StoppingMap>(key(hostId), (m) => ({ ...(m ?? {}), [id]: Date.now() + timeoutSeconds * 1000 })),
    [qc, hostId],
  );
  const end = useCallback(
    (id: string) =>
      qc.setQueryData<StoppingMap>(key(hostId), (m) => {
        const next = { ...(m ?? {}) };
        delete next[id];
        return next;
      }),
    [qc, hostId],
  );
  return { stopping: data, begin, end };
}
