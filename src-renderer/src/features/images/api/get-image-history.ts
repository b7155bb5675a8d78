import { queryOptions, useQuery } from '@tanstack/react-query';
import type { BerthBridge } from '../../../../../src-shared/ipc/bridge';
import type { ImageHistoryEntryView } from '../../../../../src-shared/ipc/models/images';
import { useBridge } from '../../../lib/bridge-context';
import { imagesScope } from '../../../lib/image-queries';

/** docker history: one row per build step, newest first. */
export function getImageHistory(bridge: BerthBridge, hostId: string, ref: string): Promise<ImageHistoryEntryView[]> {
  return bridge.invoke('images:history', { hostId, ref });
}

export function getImageHistoryQueryOptions(bridge: BerthBridge, hostId: string, ref: string) {
  return queryOptions({ queryKey: [...imagesScope(hostId), 'history', ref] as const, queryFn: () => getImageHistory(bridge, hostId, ref), staleTime: 60_000 });
}

export function useImageHistory(hostId: string, ref: string) {
  return useQuery(getImageHistoryQueryOptions(useBridge(), hostId, ref));
}
