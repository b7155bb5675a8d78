import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { BerthBridge } from '../../../../../src-shared/ipc/bridge';
import type { StackActionResultView } from '../../../../../src-shared/ipc/models/stacks';
import { useBridge } from '../../../lib/bridge-context';
import { containersScope } from './get-containers';

export type StackAction = 'start' | 'stop' | 'restart' | 'remove';

export interface StackActionArgs {
  hostId: string;
  project: string;
  action: StackAction;
}

/** One stack-wide action: every container of the project (remove also drops its networks, as `docker-compose down`). */
export function runStackAction(bridge: BerthBridge, { hostId, project, action }: StackActionArgs): Promise<StackActionResultView> {
  const args = { hostId, project };
  switch (action) {
    case 'start':
      return bridge.invoke('stacks:start', args);
    case 'stop':
      return bridge.invoke('stacks:stop', args);
    case 'restart':
      return bridge.invoke('stacks:restart', args);
    case 'remove':
      return bridge.invoke('stacks:remove', args);
  }
}

/** Invalidates the host's container queries when done; engine events would too, this is just sooner. */
export function useStackAction() {
  const bridge = useBridge();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (args: StackActionArgs) => runStackAction(bridge, args),
    onSettled: (_r, _e, args) => qc.invalidateQueries({ queryKey: containersScope(args.hostId) }),
  });
}
