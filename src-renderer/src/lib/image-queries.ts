import { queryOptions, useQuery } from '@tanstack/react-query';
import type { BerthBridge } from '../../../src-shared/ipc/bridge';
import type { ImageDetailView, ImageView } from '../../../src-shared/ipc/models/images';
import { useBridge } from './bridge-context';
import { hostScope } from './query-keys';

/**
 * The image reads more than one feature needs: the Images view and the run dialog (local images
 * to suggest, and the chosen image's command for the PID 1 warning) share one cache entry each.
 */

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

/** The image config, including the command that becomes PID 1. */
export function inspectImage(bridge: BerthBridge, hostId: string, ref: string): Promise<ImageDetailView> {
  return bridge.invoke('images:inspect', { hostId, ref });
}

export function getImageQueryOptions(bridge: BerthBridge, hostId: string, ref: string) {
  return queryOptions({ queryKey: [...imagesScope(hostId), 'inspect', ref] as const, queryFn: () => inspectImage(bridge, hostId, ref), staleTime: 60_000 });
}

/** `ref` null: nothing to inspect (the query stays idle). */
export function useImage(hostId: string, ref: string | null) {
  return useQuery({ ...getImageQueryOptions(useBridge(), hostId, ref ?? ''), enabled: ref !== null && ref !== '' });
}
