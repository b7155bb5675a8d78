import { useState, type ReactNode } from 'react';
import { QueryClientProvider } from '@tanstack/react-query';
import { Tooltip } from 'radix-ui';
import type { BerthBridge } from '../../../src-shared/ipc/bridge';
import { ConfirmProvider } from '../components/confirm';
import { ThemeRoot } from '../components/theme/theme-root';
import { ToastProvider } from '../components/toast';
import { ActiveHostProvider } from '../lib/active-host';
import { BridgeProvider } from '../lib/bridge-context';
import { ExtensionsProvider } from '../lib/extension-points';
import { createQueryClient } from '../lib/query-client';
import { SettingsProvider } from '../lib/settings';
import { Layout } from './layout';
import { EXTENSIONS, VIEWS } from './registry/registry';

export function App({ bridge }: { bridge: BerthBridge }): ReactNode {
  const [queryClient] = useState(createQueryClient);
  return (
    <BridgeProvider bridge={bridge}>
      <QueryClientProvider client={queryClient}>
        <SettingsProvider>
          <ThemeRoot>
            <ActiveHostProvider>
              <ExtensionsProvider value={EXTENSIONS}>
                <Tooltip.Provider delayDuration={400}>
                  <ToastProvider>
                    <ConfirmProvider>
                      <Layout views={VIEWS} />
                    </ConfirmProvider>
                  </ToastProvider>
                </Tooltip.Provider>
              </ExtensionsProvider>
            </ActiveHostProvider>
          </ThemeRoot>
        </SettingsProvider>
      </QueryClientProvider>
    </BridgeProvider>
  );
}
