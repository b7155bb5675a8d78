import { useState, type ReactNode } from 'react';
import { QueryClientProvider } from '@tanstack/react-query';
import type { BerthBridge } from '../../../src-shared/ipc/bridge';
import { ContainersRoute } from '../features/containers/components/containers-route';
import { HostsView } from '../features/hosts/components/hosts-view';
import { ImagesRoute } from '../features/images/components/images-route';
import { MirrorsView } from '../features/mirrors/components/mirrors-view';
import { ActiveHostProvider } from '../lib/active-host';
import { BridgeProvider } from '../lib/bridge-context';
import { createQueryClient } from '../lib/query-client';
import { Layout } from './layout';
import type { RouteId } from './routes';

const VIEWS: Record<RouteId, () => ReactNode> = {
  containers: ContainersRoute,
  images: ImagesRoute,
  mirrors: MirrorsView,
  hosts: HostsView,
};

export function App({ bridge }: { bridge: BerthBridge }): ReactNode {
  const [queryClient] = useState(createQueryClient);
  return (
    <BridgeProvider bridge={bridge}>
      <QueryClientProvider client={queryClient}>
        <ActiveHostProvider>
          <Layout views={VIEWS} />
        </ActiveHostProvider>
      </QueryClientProvider>
    </BridgeProvider>
  );
}
