import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { BerthBridge } from '../../../../../src-shared/ipc/bridge';
import type { PruneResultView } from '../../../../../src-shared/ipc/models/containers';
import { useBridge } from '../../../lib/bridge-context';
import { containersScope } from './get-containers';

/** Removes every stopped container of the host. */
export function pruneContainers(bridge: BerthBridge, hostId: string): Promise<PruneResultView> {
  return bridge.invoke('containers:prune', { hostId });
}

export function usePruneContainers() {
  const bridge = useBridge();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (hostId: string) => pruneContainers(bridge, hostId),
    onSettled: (_r, _e, hostId) => qc.invalidateQueries({ queryKey: containersScope(hostId) }),
  });
}
