import { queryOptions, useQuery } from '@tanstack/react-query';
import type { BerthBridge } from '../../../src-shared/ipc/bridge';
import type { DiskUsageView } from '../../../src-shared/ipc/models/system';
import { useBridge } from './bridge-context';
import { imagesScope } from './image-queries';

/**
 * `docker system df` for a host, shared by the Images header and the dashboard. It sits under the
 * images scope so the image events that refresh the list (pull, delete, container create/destroy)
 * refresh it too.
 */
export function getDiskUsage(bridge: BerthBridge, hostId: string): Promise<DiskUsageView> {
  return bridge.invoke('system:df', { hostId });
}

export function diskUsageQueryOptions(bridge: BerthBridge, hostId: string) {
  return queryOptions({ queryKey: [...imagesScope(hostId), 'df'] as const, queryFn: () => getDiskUsage(bridge, hostId), staleTime: 30_000 });
}

export function useDiskUsage(hostId: string) {
  return useQuery(diskUsageQueryOptions(useBridge(), hostId));
}
