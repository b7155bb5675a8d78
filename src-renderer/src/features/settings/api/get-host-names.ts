import { useQuery } from '@tanstack/react-query';
import { useBridge } from '../../../lib/bridge-context';

/** The hosts, for the default-host choice (same query key as the hosts feature's list, so one cache). */
export function useHosts() {
  const bridge = useBridge();
  return useQuery({ queryKey: ['hosts', 'list'], queryFn: () => bridge.invoke('hosts:list', {}) });
}
