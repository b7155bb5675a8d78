import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { BerthBridge } from '../../../../../src-shared/ipc/bridge';
import type { PruneResultView } from '../../../../../src-shared/ipc/models/containers';
import { useBridge } from '../../../lib/bridge-context';
import { imagesScope } from '../../../lib/image-queries';

export interface PruneImagesArgs {
  hostId: string;
  /** Also unused tagged images, not only dangling ones. */
  all: boolean;
}

export function pruneImages(bridge: BerthBridge, args: PruneImagesArgs): Promise<PruneResultView> {
  return bridge.invoke('images:prune', args);
}

export function usePruneImages() {
  const bridge = useBridge();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (args: PruneImagesArgs) => pruneImages(bridge, args),
    onSettled: (_r, _e, args) => qc.invalidateQueries({ queryKey: imagesScope(args.hostId) }),
  });
}
