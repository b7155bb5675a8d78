import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { BerthBridge } from '../../../../../src-shared/ipc/bridge';
import { useBridge } from '../../../lib/bridge-context';
import { containersScope } from './get-containers';

export interface StopContainerArgs {
  hostId: string;
  id: string;
  /** Seconds to wait after SIGTERM before SIGKILL (engine default 10). */
  timeoutSeconds?: number;
}

/** Stops: SIGTERM (or the image's StopSignal), then SIGKILL after the timeout. */
export function stopContainer(bridge: BerthBridge, args: StopContainerArgs): Promise<void> {
  return bridge.invoke('containers:stop', args);
}

/** Invalidates the list (and, by prefix, open details); engine events would too, this is just sooner. */
export function useStopContainer() {
  const bridge = useBridge();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (args: StopContainerArgs) => stopContainer(bridge, args),
    onSettled: (_r, _e, args) => qc.invalidateQueries({ queryKey: containersScope(args.hostId) }),
  });
}
