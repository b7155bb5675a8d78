import { queryOptions, useQuery } from '@tanstack/react-query';
import type { BerthBridge } from '../../../../../src-shared/ipc/bridge';
import type { MirrorsConfigView } from '../../../../../src-shared/ipc/models/mirrors';
import { useBridge } from '../../../lib/bridge-context';
import { hostScope } from '../../../lib/query-keys';

export function mirrorsScope(hostId: string) {
  return [...hostScope(hostId), 'mirrors'] as const;
}

/** The config in force on the daemon (the daemon.json text and its mirror settings). */
export function getMirrors(bridge: BerthBridge, hostId: string): Promise<MirrorsConfigView> {
  return bridge.invoke('mirrors:get', { hostId });
}

export function getMirrorsQueryOptions(bridge: BerthBridge, hostId: string) {
  return queryOptions({ queryKey: [...mirrorsScope(hostId), 'config'] as const, queryFn: () => getMirrors(bridge, hostId), staleTime: Infinity });
}

export function useMirrors(hostId: string) {
  return useQuery(getMirrorsQueryOptions(useBridge(), hostId));
}
