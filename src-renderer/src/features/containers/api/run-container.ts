import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { BerthBridge } from '../../../../../src-shared/ipc/bridge';
import type { RunResultView, RunSpec } from '../../../../../src-shared/ipc/models/containers';
import { useBridge } from '../../../lib/bridge-context';
import { containersScope } from './get-containers';

export interface RunContainerArgs {
  hostId: string;
  spec: RunSpec;
}

/** Creates and starts a container (`docker run -d`). */
export function runContainer(bridge: BerthBridge, args: RunContainerArgs): Promise<RunResultView> {
  return bridge.invoke('containers:run', { hostId: args.hostId, spec: args.spec, start: true });
}

export function useRunContainer() {
  const bridge = useBridge();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (args: RunContainerArgs) => runContainer(bridge, args),
    onSettled: (_r, _e, args) => qc.invalidateQueries({ queryKey: containersScope(args.hostId) }),
  });
}
