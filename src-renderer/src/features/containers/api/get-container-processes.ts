import { queryOptions, useQuery } from '@tanstack/react-query';
import type { BerthBridge } from '../../../../../src-shared/ipc/bridge';
import type { ContainerProcessesView } from '../../../../../src-shared/ipc/models/containers';
import { useBridge } from '../../../lib/bridge-context';
import { containersScope } from './get-containers';

export function getContainerProcesses(bridge: BerthBridge, hostId: string, id: string): Promise<ContainerProcessesView> {
  return bridge.invoke('containers:processes', { hostId, id });
}

/** Processes change without engine events; refreshed every few seconds only while the tab is open. */
export function getContainerProcessesQueryOptions(bridge: BerthBridge, hostId: string, id: string) {
  return queryOptions({
    queryKey: [...containersScope(hostId), 'processes', id] as const,
    queryFn: () => getContainerProcesses(bridge, hostId, id),
  });
}

export function useContainerProcesses(hostId: string, id: string, refetchInterval: number | false) {
  return useQuery({ ...getContainerProcessesQueryOptions(useBridge(), hostId, id), refetchInterval });
}
