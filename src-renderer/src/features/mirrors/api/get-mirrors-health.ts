import { queryOptions, useQuery } from '@tanstack/react-query';
import type { BerthBridge } from '../../../../../src-shared/ipc/bridge';
import type { MirrorsHealthView } from '../../../../../src-shared/ipc/models/mirrors';
import { useBridge } from '../../../lib/bridge-context';
import { mirrorsScope } from './get-mirrors';

/** berthd probes `GET <mirror>/v2/` for each configured mirror. */
export function getMirrorsHealth(bridge: BerthBridge, hostId: string): Promise<MirrorsHealthView> {
  return bridge.invoke('mirrors:health', { hostId });
}

export function getMirrorsHealthQueryOptions(bridge: BerthBridge, hostId: string) {
  return queryOptions({ queryKey: [...mirrorsScope(hostId), 'health'] as const, queryFn: () => getMirrorsHealth(bridge, hostId), staleTime: 30_000 });
}

export function useMirrorsHealth(hostId: string) {
  return useQuery(getMirrorsHealthQueryOptions(useBridge(), hostId));
}
