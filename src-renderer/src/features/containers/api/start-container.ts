import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { BerthBridge } from '../../../../../src-shared/ipc/bridge';
import { useBridge } from '../../../lib/bridge-context';
import { containersScope } from './get-containers';

export interface StartContainerArgs {
  hostId: string;
  id: string;
}

/** Starts a created or stopped container. */
export function startContainer(bridge: BerthBridge, args: StartContainerArgs): Promise<void> {
  return bridge.invoke('containers:start', args);
}

/** Invalidates the list (and, by prefix, open details); engine events would too, this is just sooner. */
export function useStartContainer() {
  const bridge = useBridge();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (args: StartContainerArgs) => startContainer(bridge, args),
    onSettled: (_r, _e, args) => qc.invalidateQueries({ queryKey: containersScope(args.hostId) }),
  });
}
