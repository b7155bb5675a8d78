import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';
import { useSettings, type ConfirmKind } from '../lib/settings';
import { ConfirmDialog } from './confirm-dialog';

export interface ConfirmRequest {
  title: string;
  body: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  /** Which preference (Settings → Confirmations) may skip the question. */
  kind: ConfirmKind;
}

type Confirm = (req: ConfirmRequest) => Promise<boolean>;

const ConfirmContext = createContext<Confirm | undefined>(undefined);

/**
 * `const confirm = useConfirm(); if (await confirm({...})) doIt();` — one question at a time,
 * skipped (answering yes) when the person turned that kind of confirmation off in Settings.
 */
export function ConfirmProvider({ children }: { children: ReactNode }): ReactNode {
  const { settings } = useSettings();
  const [req, setReq] = useState<ConfirmRequest | null>(null);
  const resolver = useRef<((ok: boolean) => void) | null>(null);
  const prefs = settings.confirm;
  const confirm = useCallback<Confirm>(
    (r) => {
      if (!prefs[r.kind]) return Promise.resolve(true);
      resolver.current?.(false);
      return new Promise<boolean>((resolve) => {
        resolver.current = resolve;
        setReq(r);
      });
    },
    [prefs],
  );
  const answer = (ok: boolean): void => {
    resolver.current?.(ok);
    resolver.current = null;
    setReq(null);
  };
  const value = useMemo(() => confirm, [confirm]);
  return (
    <ConfirmContext.Provider value={value}>
      {children}
      {req ? (
        <ConfirmDialog title={req.title} confirmLabel={req.confirmLabel} danger={req.danger} onConfirm={() => answer(true)} onClose={() => answer(false)}>
          {req.body}
        </ConfirmDialog>
      ) : null}
    </ConfirmContext.Provider>
  );
}

/** Outside a ConfirmProvider (isolated component tests) it falls back to window.confirm. */
export function useConfirm(): Confirm {
  return useContext(ConfirmContext) ?? ((r) => Promise.resolve(window.confirm(r.title)));
}
