import { createContext, useContext, type ReactNode } from 'react';
import type { BerthBridge } from '../../../src-shared/ipc/bridge';

const BridgeContext = createContext<BerthBridge | undefined>(undefined);

export function BridgeProvider({ bridge, children }: { bridge: BerthBridge; children: ReactNode }): ReactNode {
  return <BridgeContext.Provider value={bridge}>{children}</BridgeContext.Provider>;
}

/** The contract client; injected through context so component tests can pass a fake. */
export function useBridge(): BerthBridge {
  const bridge = useContext(BridgeContext);
  if (!bridge) throw new Error('useBridge outside BridgeProvider');
  return bridge;
}
