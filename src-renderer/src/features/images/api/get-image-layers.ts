import { queryOptions, useQuery } from '@tanstack/react-query';
import type { BerthBridge } from '../../../../../src-shared/ipc/bridge';
import type { ImageLayersView } from '../../../../../src-shared/ipc/models/images';
import { useBridge } from '../../../lib/bridge-context';
import { imagesScope } from '../../../lib/image-queries';

/** The layers, bottom first, with the other images that share each one. */
export function getImageLayers(bridge: BerthBridge, hostId: string, ref: string): Promise<ImageLayersView> {
  return bridge.invoke('images:layers', { hostId, ref });
}

export function getImageLayersQueryOptions(bridge: BerthBridge, hostId: string, ref: string) {
  return queryOptions({ queryKey: [...imagesScope(hostId), 'layers', ref] as const, queryFn: () => getImageLayers(bridge, hostId, ref), staleTime: 60_000 });
}

export function useImageLayers(hostId: string, ref: string) {
  return useQuery(getImageLayersQueryOptions(useBridge(), hostId, ref));
}
