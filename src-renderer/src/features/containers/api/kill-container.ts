import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { BerthBridge } from '../../../../../src-shared/ipc/bridge';
import { useBridge } from '../../../lib/bridge-context';
import { containersScope } from './get-containers';

export interface KillContainerArgs {
  hostId: string;
  id: string;
  /** Default SIGKILL. */
  signal?: string;
}

/** Sends a signal to PID 1. */
export function killContainer(bridge: BerthBridge, args: KillContainerArgs): Promise<void> {
  return bridge.invoke('containers:kill', args);
}

/** Invalidates the list (and, by prefix, open details); engine events would too, this is just sooner. */
export function useKillContainer() {
  const bridge = useBridge();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (args: KillContainerArgs) => killContainer(bridge, args),
    onSettled: (_r, _e, args) => qc.invalidateQueries({ queryKey: containersScope(args.hostId) }),
  });
}
