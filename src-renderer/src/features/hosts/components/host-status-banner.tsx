import type { ReactNode } from 'react';
import { useActiveHostBanner } from '../hooks/use-host-rows';
import { useHostStatusSync } from '../hooks/use-host-status-sync';
import { useActiveHostGuard } from '../hooks/use-active-host-guard';

/** Mounted once by the layout: keeps statuses live and says when the active host is not connected. */
export function HostStatusBanner(): ReactNode {
  useHostStatusSync();
  useActiveHostGuard();
  const banner = useActiveHostBanner();
  if (!banner) return null;
  return (
    <div className={`banner banner-${banner.tone}`} role="status" data-testid="host-banner">
      {banner.text}
    </div>
  );
}
