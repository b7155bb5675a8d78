import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { BerthBridge } from '../../../../../src-shared/ipc/bridge';
import type { RemoveImageResultView } from '../../../../../src-shared/ipc/models/images';
import { useBridge } from '../../../lib/bridge-context';
import { imagesScope } from '../../../lib/image-queries';

export interface RemoveImageArgs {
  hostId: string;
  ref: string;
  force?: boolean;
}

/** Untags, and deletes layers no other image uses. A 409 (used by a container) comes back as Conflict. */
export function removeImage(bridge: BerthBridge, args: RemoveImageArgs): Promise<RemoveImageResultView> {
  return bridge.invoke('images:remove', args);
}

export function useRemoveImage() {
  const bridge = useBridge();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (args: RemoveImageArgs) => removeImage(bridge, args),
    onSettled: (_r, _e, args) => qc.invalidateQueries({ queryKey: imagesScope(args.hostId) }),
  });
}
