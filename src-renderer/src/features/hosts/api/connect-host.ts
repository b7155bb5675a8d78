import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { BerthBridge } from '../../../../../src-shared/ipc/bridge';
import type { HostStatusView } from '../../../../../src-shared/ipc/models/hosts';
import { useBridge } from '../../../lib/bridge-context';
import { mergeHostStatus } from '../model/host-mapper';
import { getHostStatusesQueryOptions } from '../../../lib/host-status';

export interface ConnectHostArgs {
  hostId: string;
  passphrase?: string;
  savePassphrase?: boolean;
}

export function connectHost(bridge: BerthBridge, args: ConnectHostArgs): Promise<HostStatusView> {
  return bridge.invoke('hosts:connect', args);
}

/** A failed attempt resolves with a `failed` status (not a rejection); it lands in the status cache. */
export function useConnectHost() {
  const bridge = useBridge();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (args: ConnectHostArgs) => connectHost(bridge, args),
    onSuccess: (status) => qc.setQueryData(getHostStatusesQueryOptions(bridge).queryKey, (old) => mergeHostStatus(old, status)),
  });
}
