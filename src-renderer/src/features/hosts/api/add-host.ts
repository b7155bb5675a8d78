import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { BerthBridge } from '../../../../../src-shared/ipc/bridge';
import type { AddSshHostArgs, HostView } from '../../../../../src-shared/ipc/models/hosts';
import { useBridge } from '../../../lib/bridge-context';
import { getHostsQueryOptions } from './get-hosts';

export function addHost(bridge: BerthBridge, args: AddSshHostArgs): Promise<HostView> {
  return bridge.invoke('hosts:add', args);
}

export function useAddHost() {
  const bridge = useBridge();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (args: AddSshHostArgs) => addHost(bridge, args),
    onSuccess: () => qc.invalidateQueries({ queryKey: getHostsQueryOptions(bridge).queryKey }),
  });
}
