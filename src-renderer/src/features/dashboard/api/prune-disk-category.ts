import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { BerthBridge } from '../../../../../src-shared/ipc/bridge';
import type { PruneResultView } from '../../../../../src-shared/ipc/models/containers';
import { useBridge } from '../../../lib/bridge-context';
import { hostScope } from '../../../lib/query-keys';
import type { DiskCategory } from '../model/dashboard-mapper';

export interface PruneCategoryArgs {
  hostId: string;
  category: DiskCategory;
  /** Images: every image no container uses, not only dangling ones. Volumes: named ones too. */
  all: boolean;
}

/** One `system df` row's prune, through the same channels the Containers, Images and Volumes views use. */
export function pruneDiskCategory(bridge: BerthBridge, { hostId, category, all }: PruneCategoryArgs): Promise<PruneResultView> {
  switch (category) {
    case 'containers':
      return bridge.invoke('containers:prune', { hostId });
    case 'images':
      return bridge.invoke('images:prune', { hostId, all });
    case 'volumes':
      return bridge.invoke('volumes:prune', { hostId, all });
    case 'buildCache':
      return bridge.invoke('builds:prune', { hostId });
  }
}

export function usePruneDiskCategory() {
  const bridge = useBridge();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (args: PruneCategoryArgs) => pruneDiskCategory(bridge, args),
    // A prune changes counts, sizes and the lists of other views alike: refresh the whole host
    // rather than knowing every feature's keys (features do not import each other).
    onSettled: (_r, _e, args) => qc.invalidateQueries({ queryKey: hostScope(args.hostId) }),
  });
}
