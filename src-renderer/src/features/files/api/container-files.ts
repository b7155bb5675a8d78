import { queryOptions, useQuery } from '@tanstack/react-query';
import type { BerthBridge } from '../../../../../src-shared/ipc/bridge';
import { useBridge } from '../../../lib/bridge-context';

/** One directory of a container; keyed per host, container and path. */
export function containerFilesQueryOptions(bridge: BerthBridge, hostId: string, id: string, path: string) {
  return queryOptions({
    queryKey: ['hosts', hostId, 'containers', id, 'files', path] as const,
    queryFn: () => bridge.invoke('containers:files', { hostId, id, path }),
  });
}

export function useContainerFiles(hostId: string, id: string, path: string, enabled: boolean) {
  return useQuery({ ...containerFilesQueryOptions(useBridge(), hostId, id, path), enabled });
}
