import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { BerthBridge } from '../../../../../src-shared/ipc/bridge';
import { useBridge } from '../../../lib/bridge-context';
import { getHostsQueryOptions } from './get-hosts';
import { getHostStatusesQueryOptions } from '../../../lib/host-status';

export function removeHost(bridge: BerthBridge, hostId: string): Promise<void> {
  return bridge.invoke('hosts:remove', { hostId });
}

export function useRemoveHost() {
  const bridge = useBridge();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (hostId: string) => removeHost(bridge, hostId),
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: getHostsQueryOptions(bridge).queryKey });
      await qc.invalidateQueries({ queryKey: getHostStatusesQueryOptions(bridge).queryKey });
    },
  });
}
