import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { BerthBridge } from '../../../../../src-shared/ipc/bridge';
import { useBridge } from '../../../lib/bridge-context';
import { imagesScope } from '../../../lib/image-queries';

export interface TagImageArgs {
  hostId: string;
  ref: string;
  repo: string;
  tag?: string;
}

export function tagImage(bridge: BerthBridge, args: TagImageArgs): Promise<void> {
  return bridge.invoke('images:tag', args);
}

export function useTagImage() {
  const bridge = useBridge();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (args: TagImageArgs) => tagImage(bridge, args),
    onSettled: (_r, _e, args) => qc.invalidateQueries({ queryKey: imagesScope(args.hostId) }),
  });
}
