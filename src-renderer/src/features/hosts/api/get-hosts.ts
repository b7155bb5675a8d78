import { queryOptions, useQuery } from '@tanstack/react-query';
import type { BerthBridge } from '../../../../../src-shared/ipc/bridge';
import type { HostView } from '../../../../../src-shared/ipc/models/hosts';
import { useBridge } from '../../../lib/bridge-context';
import { HOSTS_KEY } from '../../../lib/query-keys';

export function getHosts(bridge: BerthBridge): Promise<HostView[]> {
  return bridge.invoke('hosts:list', {});
}

export function getHostsQueryOptions(bridge: BerthBridge) {
  return queryOptions({ queryKey: [...HOSTS_KEY, 'list'] as const, queryFn: () => getHosts(bridge) });
}

export function useHosts() {
  return useQuery(getHostsQueryOptions(useBridge()));
}
