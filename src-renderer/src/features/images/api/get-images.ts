import { queryOptions, useQuery } from '@tanstack/react-query';
import type { BerthBridge } from '../../../../../src-shared/ipc/bridge';
import type { ImageView } from '../../../../../src-shared/ipc/models/images';
import { useBridge } from '../../../lib/bridge-context';
import { hostScope } from '../../../lib/query-keys';

/** The prefix of every image query of a host: list, inspect, history, layers. */
export function imagesScope(hostId: string) {
  return [...hostScope(hostId), 'images'] as const;
}

export function getImages(bridge: BerthBridge, hostId: string): Promise<ImageView[]> {
  return bridge.invoke('images:list', { hostId });
}

/** Refreshed by image events (use-image-events), not polled. */
export function getImagesQueryOptions(bridge: BerthBridge, hostId: string) {
  return queryOptions({ queryKey: [...imagesScope(hostId), 'list'] as const, queryFn: () => getImages(bridge, hostId), staleTime: 30_000 });
}

export function useImages(hostId: string) {
  return useQuery(getImagesQueryOptions(useBridge(), hostId));
}
