import { queryOptions, useQuery } from '@tanstack/react-query';
import type { BerthBridge } from '../../../../../src-shared/ipc/bridge';
import type { StackResourcesView } from '../../../../../src-shared/ipc/models/stacks';
import { useBridge } from '../../../lib/bridge-context';
import { containersScope } from './get-containers';

export function getStackResources(bridge: BerthBridge, hostId: string, project: string): Promise<StackResourcesView> {
  return bridge.invoke('stacks:resources', { hostId, project });
}

/** Under the containers prefix: container events (a stack going up or down) refresh it too. */
export function getStackResourcesQueryOptions(bridge: BerthBridge, hostId: string, project: string) {
  return queryOptions({
    queryKey: [...containersScope(hostId), 'stack-resources', project] as const,
    queryFn: () => getStackResources(bridge, hostId, project),
    staleTime: 30_000,
  });
}

export function useStackResources(hostId: string, project: string) {
  return useQuery(getStackResourcesQueryOptions(useBridge(), hostId, project));
}
