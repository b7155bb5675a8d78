import { queryOptions, useQuery } from '@tanstack/react-query';
import type { BerthBridge } from '../../../src-shared/ipc/bridge';
import type { NetworkView } from '../../../src-shared/ipc/models/networks';
import { useBridge } from './bridge-context';
import { hostScope } from './query-keys';

/** The prefix of every network query of a host. */
export function networksScope(hostId: string) {
  return [...hostScope(hostId), 'networks'] as const;
}

/** Refreshed by network and container events (use-network-events) while a view that shows them is open. */
export function getNetworksQueryOptions(bridge: BerthBridge, hostId: string) {
  return queryOptions({ queryKey: [...networksScope(hostId), 'list'] as const, queryFn: (): Promise<NetworkView[]> => bridge.invoke('networks:list', { hostId }), staleTime: 0 });
}

export function useNetworks(hostId: string) {
  return useQuery(getNetworksQueryOptions(useBridge(), hostId));
}

