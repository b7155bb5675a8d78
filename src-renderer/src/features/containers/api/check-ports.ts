import { useQuery } from '@tanstack/react-query';
import type { PortCheckView } from '../../../../../src-shared/ipc/models/networks';
import { useBridge } from '../../../lib/bridge-context';
import { hostScope } from '../../../lib/query-keys';

/**
 * Whether the run dialog's fixed host ports can be published now (another container's port, or a
 * host process on a Berth host). Asked again when the ports change; never cached for long, since
 * a port frees up when its container stops.
 */
export function usePortCheck(hostId: string, ports: { port: number; proto: 'tcp' | 'udp'; ip: string }[]) {
  const bridge = useBridge();
  return useQuery({
    queryKey: [...hostScope(hostId), 'port-check', ports] as const,
    queryFn: (): Promise<PortCheckView[]> => bridge.invoke('ports:check', { hostId, ports }),
    enabled: ports.length > 0,
    staleTime: 2_000,
    retry: false,
  });
}
