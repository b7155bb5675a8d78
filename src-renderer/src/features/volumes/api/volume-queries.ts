import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { BerthBridge } from '../../../../../src-shared/ipc/bridge';
import type { PruneResultView } from '../../../../../src-shared/ipc/models/containers';
import type { VolumeCreateArgs, VolumeFilesView, VolumeFileView, VolumeView } from '../../../../../src-shared/ipc/models/volumes';
import { useBridge } from '../../../lib/bridge-context';
import { hostScope } from '../../../lib/query-keys';

/** The prefix of every volume query of a host: list, files. */
export function volumesScope(hostId: string) {
  return [...hostScope(hostId), 'volumes'] as const;
}

export function getVolumes(bridge: BerthBridge, hostId: string): Promise<VolumeView[]> {
  return bridge.invoke('volumes:list', { hostId });
}

/**
 * Refreshed by volume and container events (use-volume-events) while the view is open, and on
 * every visit: sizes change while the view is closed (a container writing) without any event.
 */
export function getVolumesQueryOptions(bridge: BerthBridge, hostId: string) {
  return queryOptions({ queryKey: [...volumesScope(hostId), 'list'] as const, queryFn: () => getVolumes(bridge, hostId), staleTime: 0 });
}

export function useVolumes(hostId: string) {
  return useQuery(getVolumesQueryOptions(useBridge(), hostId));
}

export function getVolumeFilesQueryOptions(bridge: BerthBridge, hostId: string, name: string, path: string) {
  return queryOptions({
    queryKey: [...volumesScope(hostId), 'files', name, path] as const,
    queryFn: (): Promise<VolumeFilesView> => bridge.invoke('volumes:files', { hostId, name, path }),
    staleTime: 5_000,
  });
}

export function useVolumeFiles(hostId: string, name: string, path: string) {
  return useQuery(getVolumeFilesQueryOptions(useBridge(), hostId, name, path));
}

/** `path` null: nothing open (the query stays idle). */
export function useVolumeFile(hostId: string, name: string, path: string | null) {
  const bridge = useBridge();
  return useQuery({
    queryKey: [...volumesScope(hostId), 'file', name, path ?? ''] as const,
    queryFn: (): Promise<VolumeFileView> => bridge.invoke('volumes:read', { hostId, name, path: path ?? '/' }),
    enabled: path !== null,
    staleTime: 5_000,
  });
}

export function useCreateVolume() {
  const bridge = useBridge();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (args: VolumeCreateArgs): Promise<VolumeView> => bridge.invoke('volumes:create', args),
    onSettled: (_r, _e, args) => qc.invalidateQueries({ queryKey: volumesScope(args.hostId) }),
  });
}

export interface RemoveVolumeArgs {
  hostId: string;
  name: string;
}

/** A volume a container uses comes back as Conflict (the engine's 409). */
export function useRemoveVolume() {
  const bridge = useBridge();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (args: RemoveVolumeArgs): Promise<void> => bridge.invoke('volumes:remove', args),
    onSettled: (_r, _e, args) => qc.invalidateQueries({ queryKey: volumesScope(args.hostId) }),
  });
}

export function usePruneVolumes() {
  const bridge = useBridge();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (args: { hostId: string; all: boolean }): Promise<PruneResultView> => bridge.invoke('volumes:prune', args),
    onSettled: (_r, _e, args) => qc.invalidateQueries({ queryKey: volumesScope(args.hostId) }),
  });
}
