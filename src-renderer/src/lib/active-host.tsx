import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { LOCAL_HOST_ID } from '../../../src-shared/ipc/models/hosts';
import { useSettings } from './settings';

export interface ActiveHost {
  hostId: string;
  setHostId: (hostId: string) => void;
}

const ActiveHostContext = createContext<ActiveHost | undefined>(undefined);
const STORAGE_KEY = 'berth.activeHost';

function initialHost(): string {
  try {
    return window.localStorage.getItem(STORAGE_KEY) ?? LOCAL_HOST_ID;
  } catch {
    return LOCAL_HOST_ID;
  }
}

/** Which host the views show. Shared state, so it lives here and not in the hosts feature. */
export function ActiveHostProvider({ children, initial }: { children: ReactNode; initial?: string }): ReactNode {
  // The person's default host (Settings) wins over the last one used, at start only.
  const { settings } = useSettings();
  const [hostId, setState] = useState(() => initial ?? settings.defaultHost ?? initialHost());
  const setHostId = useCallback((id: string) => {
    setState(id);
    try {
      window.localStorage.setItem(STORAGE_KEY, id);
    } catch {
      // Storage can be disabled; the choice then lasts for this page only.
    }
  }, []);
  const value = useMemo(() => ({ hostId, setHostId }), [hostId, setHostId]);
  return <ActiveHostContext.Provider value={value}>{children}</ActiveHostContext.Provider>;
}

export function useActiveHost(): ActiveHost {
  const value = useContext(ActiveHostContext);
  if (!value) throw new Error('useActiveHost outside ActiveHostProvider');
  return value;
}
