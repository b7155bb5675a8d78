import { queryOptions, useQuery } from '@tanstack/react-query';
import type { BerthBridge } from '../../../../../src-shared/ipc/bridge';
import { useBridge } from '../../../lib/bridge-context';
import { hostScope } from '../../../lib/query-keys';

export const engineInfoQueryOptions = (bridge: BerthBridge, hostId: string) =>
  queryOptions({
    queryKey: [...hostScope(hostId), 'system', 'info'] as const,
    queryFn: () => bridge.invoke('system:info', { hostId }),
    staleTime: 30_000,
  });

export function useEngineInfo(hostId: string) {
  const bridge = useBridge();
  return useQuery(engineInfoQueryOptions(bridge, hostId));
}
