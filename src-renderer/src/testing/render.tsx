import type { ReactElement, ReactNode } from 'react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import { ActiveHostProvider } from '../lib/active-host';
import { BridgeProvider } from '../lib/bridge-context';
import { FakeBridge } from './fake-bridge';

export function renderWithApp(ui: ReactElement, bridge: FakeBridge = new FakeBridge()) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false }, mutations: { retry: false } } });
  const wrapper = ({ children }: { children: ReactNode }): ReactNode => (
    <BridgeProvider bridge={bridge}>
      <QueryClientProvider client={queryClient}>
        <ActiveHostProvider initial="local">{children}</ActiveHostProvider>
      </QueryClientProvider>
    </BridgeProvider>
  );
  return { ...render(ui, { wrapper }), bridge, queryClient };
}
