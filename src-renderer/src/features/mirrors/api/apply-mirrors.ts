import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { BerthBridge } from '../../../../../src-shared/ipc/bridge';
import type { MirrorsConfigView, MirrorsUpdate } from '../../../../../src-shared/ipc/models/mirrors';
import { useBridge } from '../../../lib/bridge-context';
import { getMirrorsQueryOptions, mirrorsScope } from './get-mirrors';

/** berthd hot-reloads the config; running containers are untouched. Invalid: InvalidArgument, old config kept. */
export function applyMirrors(bridge: BerthBridge, hostId: string, update: MirrorsUpdate): Promise<MirrorsConfigView> {
  return bridge.invoke('mirrors:apply', { hostId, update });
}

export function useApplyMirrors() {
  const bridge = useBridge();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (args: { hostId: string; update: MirrorsUpdate }) => applyMirrors(bridge, args.hostId, args.update),
    onSuccess: (config, args) => {
      qc.setQueryData(getMirrorsQueryOptions(bridge, args.hostId).queryKey, config);
      // The health table describes the mirrors in force: re-probe the new ones.
      void qc.invalidateQueries({ queryKey: mirrorsScope(args.hostId) });
    },
  });
}
