import { useMemo } from 'react';
import { useActiveHost } from '../../../lib/active-host';
import { useNow } from '../../../lib/use-now';
import { useHosts } from '../api/get-hosts';
import { useHostStatuses } from '../../../lib/host-status';
import { toHostBanner, toHostRowViews, type HostBannerView, type HostRowView } from '../model/host-mapper';

/** Hosts joined with their live status; ticks each second only while a retry countdown shows. */
export function useHostRows() {
  const hosts = useHosts();
  const statuses = useHostStatuses();
  const { hostId } = useActiveHost();
  const counting = (statuses.data ?? []).some((s) => s.state === 'reconnecting');
  const now = useNow(1000, counting);
  const rows = useMemo<HostRowView[] | undefined>(
    () => (hosts.data ? toHostRowViews(hosts.data, statuses.data, hostId, now) : undefined),
    [hosts.data, statuses.data, hostId, now],
  );
  return { hosts, statuses, rows };
}

export function useActiveHostBanner(): HostBannerView | null {
  const hosts = useHosts();
  const statuses = useHostStatuses();
  const { hostId } = useActiveHost();
  const status = statuses.data?.find((s) => s.hostId === hostId);
  const now = useNow(1000, status?.state === 'reconnecting');
  return toHostBanner(
    hosts.data?.find((h) => h.id === hostId),
    status,
    now,
  );
}
