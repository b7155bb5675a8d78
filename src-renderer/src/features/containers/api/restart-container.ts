import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { BerthBridge } from '../../../../../src-shared/ipc/bridge';
import { useBridge } from '../../../lib/bridge-context';
import { containersScope } from './get-containers';

export interface RestartContainerArgs {
  hostId: string;
  id: string;
  timeoutSeconds?: number;
}

/** Stops (with the timeout) and starts again. */
export function restartContainer(bridge: BerthBridge, args: RestartContainerArgs): Promise<void> {
  return bridge.invoke('containers:restart', args);
}

/** Invalidates the list (and, by prefix, open details); engine events would too, this is just sooner. */
export function useRestartContainer() {
  const bridge = useBridge();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (args: RestartContainerArgs) => restartContainer(bridge, args),
    onSettled: (_r, _e, args) => qc.invalidateQueries({ queryKey: containersScope(args.hostId) }),
  });
}
