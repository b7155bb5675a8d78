import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { BerthBridge } from '../../../../../src-shared/ipc/bridge';
import type { HostStatusView } from '../../../../../src-shared/ipc/models/hosts';
import { useBridge } from '../../../lib/bridge-context';
import { mergeHostStatus } from '../model/host-mapper';
import { getHostStatusesQueryOptions } from '../../../lib/host-status';

/** `fingerprint` is the one the user was shown: main refuses if the pending key differs. */
export function acceptHostKey(bridge: BerthBridge, hostId: string, fingerprint: string): Promise<HostStatusView> {
  return bridge.invoke('hosts:acceptHostKey', { hostId, fingerprint });
}

export function useAcceptHostKey() {
  const bridge = useBridge();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (args: { hostId: string; fingerprint: string }) => acceptHostKey(bridge, args.hostId, args.fingerprint),
    onSuccess: (status) => qc.setQueryData(getHostStatusesQueryOptions(bridge).queryKey, (old) => mergeHostStatus(old, status)),
  });
}
