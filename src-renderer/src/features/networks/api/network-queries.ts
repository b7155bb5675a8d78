import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { PruneResultView } from '../../../../../src-shared/ipc/models/containers';
import type { NetworkCreateArgs, NetworkView } from '../../../../../src-shared/ipc/models/networks';
import { useBridge } from '../../../lib/bridge-context';
import { networksScope } from '../../../lib/network-queries';

export function useCreateNetwork() {
  const bridge = useBridge();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (args: NetworkCreateArgs): Promise<NetworkView> => bridge.invoke('networks:create', args),
    onSettled: (_r, _e, args) => qc.invalidateQueries({ queryKey: networksScope(args.hostId) }),
  });
}

/** A network with containers attached comes back as Conflict; a predefined one as Forbidden. */
export function useRemoveNetwork() {
  const bridge = useBridge();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (args: { hostId: string; id: string }): Promise<void> => bridge.invoke('networks:remove', args),
    onSettled: (_r, _e, args) => qc.invalidateQueries({ queryKey: networksScope(args.hostId) }),
  });
}

export function usePruneNetworks() {
  const bridge = useBridge();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (args: { hostId: string }): Promise<PruneResultView> => bridge.invoke('networks:prune', args),
    onSettled: (_r, _e, args) => qc.invalidateQueries({ queryKey: networksScope(args.hostId) }),
  });
}
