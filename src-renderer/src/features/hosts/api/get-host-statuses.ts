import { queryOptions, useQuery } from '@tanstack/react-query';
import type { BerthBridge } from '../../../../../src-shared/ipc/bridge';
import type { HostStatusView } from '../../../../../src-shared/ipc/models/hosts';
import { useBridge } from '../../../lib/bridge-context';

export function getHostStatuses(bridge: BerthBridge): Promise<HostStatusView[]> {
  return bridge.invoke('hosts:statuses', {});
}

/** Kept current by the `host:status` stream (see use-host-status-stream), never polled. */
export function getHostStatusesQueryOptions(bridge: BerthBridge) {
  return queryOptions({ queryKey: ['hosts', 'statuses'] as const, queryFn: () => getHostStatuses(bridge), staleTime: Infinity });
}

export function useHostStatuses() {
  return useQuery(getHostStatusesQueryOptions(useBridge()));
}
