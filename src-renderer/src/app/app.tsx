import type { ReactNode } from 'react';
import { QueryClientProvider } from '@tanstack/react-query';
import type { BerthBridge } from '../../../src-shared/ipc/bridge';
import { BridgeProvider } from '../lib/bridge-context';
import { createQueryClient } from '../lib/query-client';
import { Layout } from './layout';
import type { RouteId } from './routes';

const placeholder = (title: string) =>
  function Placeholder(): ReactNode {
    return (
      <section>
        <h1>{title}</h1>
        <p className="empty">Nothing here yet.</p>
      </section>
    );
  };

const VIEWS: Record<RouteId, () => ReactNode> = {
  containers: placeholder('Containers'),
  images: placeholder('Images'),
  mirrors: placeholder('Mirrors'),
  hosts: placeholder('Hosts'),
};

export function App({ bridge }: { bridge: BerthBridge }): ReactNode {
  return (
    <BridgeProvider bridge={bridge}>
      <QueryClientProvider client={createQueryClient()}>
        <Layout views={VIEWS} />
      </QueryClientProvider>
    </BridgeProvider>
  );
}
