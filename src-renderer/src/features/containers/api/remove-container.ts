import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { BerthBridge } from '../../../../../src-shared/ipc/bridge';
import { useBridge } from '../../../lib/bridge-context';
import { containersScope } from './get-containers';

export interface RemoveContainerArgs {
  hostId: string;
  id: string;
  /** Kill it first if it runs. */
  force?: boolean;
}

/** Removes the container and its read-write layer. */
export function removeContainer(bridge: BerthBridge, args: RemoveContainerArgs): Promise<void> {
  return bridge.invoke('containers:remove', args);
}

/** Invalidates the list (and, by prefix, open details); engine events would too, this is just sooner. */
export function useRemoveContainer() {
  const bridge = useBridge();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (args: RemoveContainerArgs) => removeContainer(bridge, args),
    onSettled: (_r, _e, args) => qc.invalidateQueries({ queryKey: containersScope(args.hostId) }),
  });
}
