import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { BerthBridge } from '../../../../../src-shared/ipc/bridge';
import type { HostStatusView } from '../../../../../src-shared/ipc/models/hosts';
import { useBridge } from '../../../lib/bridge-context';
import { mergeHostStatus } from '../model/host-mapper';
import { getHostStatusesQueryOptions } from '../../../lib/host-status';

export function disconnectHost(bridge: BerthBridge, hostId: string): Promise<HostStatusView> {
  return bridge.invoke('hosts:disconnect', { hostId });
}

export function useDisconnectHost() {
  const bridge = useBridge();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (hostId: string) => disconnectHost(bridge, hostId),
    onSuccess: (status) => qc.setQueryData(getHostStatusesQueryOptions(bridge).queryKey, (old) => mergeHostStatus(old, status)),
  });
}
