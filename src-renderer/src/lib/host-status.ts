import { queryOptions, useQuery } from '@tanstack/react-query';
import type { BerthBridge } from '../../../src-shared/ipc/bridge';
import type { HostStatusView } from '../../../src-shared/ipc/models/hosts';
import { useBridge } from './bridge-context';

/**
 * Every host's connection status. Kept current by the `host:status` stream (the hosts feature's
 * use-host-status-sync), never polled. Here, not in the hosts feature, because other features ask
 * whether their host is reachable (a terminal must not call a lost link a stopped container).
 */
export function getHostStatuses(bridge: BerthBridge): Promise<HostStatusView[]> {
  return bridge.invoke('hosts:statuses', {});
}

export function getHostStatusesQueryOptions(bridge: BerthBridge) {
  return queryOptions({ queryKey: ['hosts', 'statuses'] as const, queryFn: () => getHostStatuses(bridge), staleTime: Infinity });
}

export function useHostStatuses() {
  return useQuery(getHostStatusesQueryOptions(useBridge()));
}

/** One host's status; undefined until the statuses are known. */
export function useHostStatus(hostId: string): HostStatusView | undefined {
  return useHostStatuses().data?.find((s) => s.hostId === hostId);
}
