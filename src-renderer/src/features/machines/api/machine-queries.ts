import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { BerthBridge } from '../../../../../src-shared/ipc/bridge';
import type { DockerContextView, MachineView } from '../../../../../src-shared/ipc/models/machines';
import { useBridge } from '../../../lib/bridge-context';

/** Machines are the desktop's, not a host's: their key is not host-scoped. */
export const MACHINES_KEY = ['machines'] as const;

export function getMachinesQueryOptions(bridge: BerthBridge) {
  return queryOptions({ queryKey: [...MACHINES_KEY, 'list'] as const, queryFn: (): Promise<MachineView[]> => bridge.invoke('machines:list', {}), refetchInterval: 5_000 });
}

export function useMachines() {
  return useQuery(getMachinesQueryOptions(useBridge()));
}

export function useStopMachine() {
  const bridge = useBridge();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string): Promise<MachineView> => bridge.invoke('machines:stop', { name }),
    onSettled: () => qc.invalidateQueries({ queryKey: MACHINES_KEY }),
  });
}

export function useRemoveMachine() {
  const bridge = useBridge();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string): Promise<void> => bridge.invoke('machines:remove', { name }),
    onSettled: () => qc.invalidateQueries({ queryKey: MACHINES_KEY }),
  });
}

export function useDockerContext() {
  const bridge = useBridge();
  return useMutation({ mutationFn: (args: { hostId: string; context: string }): Promise<DockerContextView> => bridge.invoke('hosts:dockerContext', args) });
}
