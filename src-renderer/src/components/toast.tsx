import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { Toast as RToast } from 'radix-ui';
import { CircleAlert, CircleCheck, Info, X } from 'lucide-react';
import { describeError } from '../lib/describe-error';

export type ToastTone = 'success' | 'error' | 'info';

interface ToastItem {
  id: number;
  tone: ToastTone;
  title: string;
  detail?: string;
}

export interface Toaster {
  show: (tone: ToastTone, title: string, detail?: string) => void;
  success: (title: string, detail?: string) => void;
  /** The error's message (describeError) becomes the detail. */
  error: (title: string, error: unknown) => void;
}

const ToastContext = createContext<Toaster | undefined>(undefined);
const ICONS = { success: CircleCheck, error: CircleAlert, info: Info } as const;

/**
 * Toasts for finished and failed actions (Radix Toast: announced politely, errors assertively;
 * F8 moves focus to them; they pause on hover). Errors stay until dismissed, the rest 5 s.
 */
export function ToastProvider({ children }: { children: ReactNode }): ReactNode {
  const [items, setItems] = useState<ToastItem[]>([]);
  const show = useCallback((tone: ToastTone, title: string, detail?: string) => {
    setItems((list) => [...list.slice(-4), { id: Date.now() + Math.random(), tone, title, ...(detail ? { detail } : {}) }]);
  }, []);
  const toaster = useMemo<Toaster>(
    () => ({
      show,
      success: (title, detail) => show('success', title, detail),
      error: (title, error) => show('error', title, describeError(error).message),
    }),
    [show],
  );
  const dismiss = (id: number): void => setItems((list) => list.filter((t) => t.id !== id));
  return (
    <ToastContext.Provider value={toaster}>
      <RToast.Provider swipeDirection="right" label="Notifications">
        {children}
        {items.map((t) => {
          const Icon = ICONS[t.tone];
          return (
            <RToast.Root
              key={t.id}
              className={`toast toast-${t.tone}`}
              type={t.tone === 'error' ? 'foreground' : 'background'}
              duration={t.tone === 'error' ? Infinity : 5000}
              onOpenChange={(open) => (open ? undefined : dismiss(t.id))}
              data-testid="toast"
              data-tone={t.tone}
            >
              <Icon size={18} aria-hidden="true" className="toast-icon" />
              <div className="toast-text">
                <RToast.Title className="toast-title">{t.title}</RToast.Title>
                {t.detail ? <RToast.Description className="toast-detail">{t.detail}</RToast.Description> : null}
              </div>
              <RToast.Close className="btn ghost icon-only small" aria-label="Dismiss">
                <X size={14} aria-hidden="true" />
              </RToast.Close>
            </RToast.Root>
          );
        })}
        <RToast.Viewport className="toast-viewport" />
      </RToast.Provider>
    </ToastContext.Provider>
  );
}

const NO_TOASTS: Toaster = { show: () => undefined, success: () => undefined, error: () => undefined };

/** Outside a ToastProvider (isolated component tests) toasts go nowhere. */
export function useToast(): Toaster {
  return useContext(ToastContext) ?? NO_TOASTS;
}
