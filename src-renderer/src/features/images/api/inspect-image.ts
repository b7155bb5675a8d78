import { queryOptions, useQuery } from '@tanstack/react-query';
import type { BerthBridge } from '../../../../../src-shared/ipc/bridge';
import type { ImageDetailView } from '../../../../../src-shared/ipc/models/images';
import { useBridge } from '../../../lib/bridge-context';
import { imagesScope } from './get-images';

/** The image config, including the command that becomes PID 1. */
export function inspectImage(bridge: BerthBridge, hostId: string, ref: string): Promise<ImageDetailView> {
  return bridge.invoke('images:inspect', { hostId, ref });
}

export function getImageQueryOptions(bridge: BerthBridge, hostId: string, ref: string) {
  return queryOptions({ queryKey: [...imagesScope(hostId), 'inspect', ref] as const, queryFn: () => inspectImage(bridge, hostId, ref), staleTime: 60_000 });
}

export function useImage(hostId: string, ref: string) {
  return useQuery(getImageQueryOptions(useBridge(), hostId, ref));
}
