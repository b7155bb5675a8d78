import { queryOptions, useQuery } from '@tanstack/react-query';
import type { BerthBridge } from '../../../../../src-shared/ipc/bridge';
import type { ContainerDetailView } from '../../../../../src-shared/ipc/models/containers';
import { useBridge } from '../../../lib/bridge-context';
import { containersScope } from './get-containers';

export function inspectContainer(bridge: BerthBridge, hostId: string, id: string): Promise<ContainerDetailView> {
  return bridge.invoke('containers:inspect', { hostId, id });
}

/** Under the list's key prefix, so events that invalidate the list refresh open details too. */
export function getContainerQueryOptions(bridge: BerthBridge, hostId: string, id: string) {
  return queryOptions({
    queryKey: [...containersScope(hostId), 'detail', id] as const,
    queryFn: () => inspectContainer(bridge, hostId, id),
    staleTime: 30_000,
  });
}

export function useContainer(hostId: string, id: string) {
  return useQuery(getContainerQueryOptions(useBridge(), hostId, id));
}
