import { queryOptions, useQuery } from '@tanstack/react-query';
import type { BerthBridge } from '../../../../../src-shared/ipc/bridge';
import type { ContainerView } from '../../../../../src-shared/ipc/models/containers';
import { useBridge } from '../../../lib/bridge-context';
import { hostScope } from '../../../lib/query-keys';

/** The prefix of every container query of a host: list, details, processes. */
export function containersScope(hostId: string) {
  return [...hostScope(hostId), 'containers'] as const;
}

export function getContainers(bridge: BerthBridge, hostId: string): Promise<ContainerView[]> {
  return bridge.invoke('containers:list', { hostId, all: true });
}

/** Refreshed by engine events (use-container-events), not polled. */
export function getContainersQueryOptions(bridge: BerthBridge, hostId: string) {
  return queryOptions({
    queryKey: [...containersScope(hostId), 'list'] as const,
    queryFn: () => getContainers(bridge, hostId),
    staleTime: 30_000,
  });
}

export function useContainers(hostId: string) {
  return useQuery(getContainersQueryOptions(useBridge(), hostId));
}
