import type { ReactElement, ReactNode } from 'react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import { ConfirmProvider } from '../components/confirm';
import { ToastProvider } from '../components/toast';
import { ActiveHostProvider } from '../lib/active-host';
import { BridgeProvider } from '../lib/bridge-context';
import { SettingsProvider, type Settings } from '../lib/settings';
import { FakeBridge } from './fake-bridge';

export function renderWithApp(ui: ReactElement, bridge: FakeBridge = new FakeBridge(), opts: { settings?: Settings } = {}) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false }, mutations: { retry: false } } });
  const wrapper = ({ children }: { children: ReactNode }): ReactNode => (
    <BridgeProvider bridge={bridge}>
      <QueryClientProvider client={queryClient}>
        <SettingsProvider {...(opts.settings ? { initial: opts.settings } : {})}>
          <ActiveHostProvider initial="local">
            <ToastProvider>
              <ConfirmProvider>{children}</ConfirmProvider>
            </ToastProvider>
          </ActiveHostProvider>
        </SettingsProvider>
      </QueryClientProvider>
    </BridgeProvider>
  );
  return { ...render(ui, { wrapper }), bridge, queryClient };
}
