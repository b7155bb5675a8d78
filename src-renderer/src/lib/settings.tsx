import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import * as z from 'zod';

/**
 * A person's preferences. Kept in the browser profile's localStorage (Electron keeps one profile
 * per OS user, a browser one per person), validated on read so a hand-edited or older value falls
 * back field by field to the defaults instead of breaking the app.
 */
export const ConfirmKindSchema = z.enum(['remove', 'prune', 'stop', 'bulk']);
export type ConfirmKind = z.infer<typeof ConfirmKindSchema>;

export const SettingsSchema = z.object({
  theme: z.enum(['system', 'light', 'dark']).catch('system'),
  /** The host the app opens on; null = the last one used. */
  defaultHost: z.string().nullable().catch(null),
  terminalFontFamily: z.string().min(1).max(200).catch("ui-monospace, 'DejaVu Sans Mono', monospace"),
  terminalFontSize: z.number().int().min(8).max(32).catch(13),
  /** How many log lines the Logs tab keeps (older ones are dropped). */
  logLineLimit: z.number().int().min(100).max(100_000).catch(5000),
  /** Which destructive actions ask first. */
  confirm: z
    .object({
      remove: z.boolean().catch(true),
      prune: z.boolean().catch(true),
      stop: z.boolean().catch(false),
      bulk: z.boolean().catch(true),
    })
    .catch({ remove: true, prune: true, stop: false, bulk: true }),
});
export type Settings = z.infer<typeof SettingsSchema>;

export const DEFAULT_SETTINGS: Settings = SettingsSchema.parse({});
export const SETTINGS_STORAGE_KEY = 'berth.settings';

export function parseSettings(raw: string | null): Settings {
  if (raw === null) return DEFAULT_SETTINGS;
  try {
    return SettingsSchema.parse(JSON.parse(raw));
  } catch {
    return DEFAULT_SETTINGS;
  }
}

function load(): Settings {
  try {
    return parseSettings(window.localStorage.getItem(SETTINGS_STORAGE_KEY));
  } catch {
    return DEFAULT_SETTINGS;
  }
}

export interface SettingsApi {
  settings: Settings;
  update: (patch: Partial<Settings>) => void;
  reset: () => void;
}

const SettingsContext = createContext<SettingsApi | undefined>(undefined);

export function SettingsProvider({ children, initial }: { children: ReactNode; initial?: Settings }): ReactNode {
  const [settings, setSettings] = useState<Settings>(() => initial ?? load());
  const persist = useCallback((next: Settings) => {
    try {
      window.localStorage.setItem(SETTINGS_STORAGE_KEY, JSON.stringify(next));
    } catch {
      // Storage disabled: the settings last for this page only.
    }
  }, []);
  const update = useCallback(
    (patch: Partial<Settings>) =>
      setSettings((s) => {
        const next = SettingsSchema.parse({ ...s, ...patch });
        persist(next);
        return next;
      }),
    [persist],
  );
  const reset = useCallback(() => {
    persist(DEFAULT_SETTINGS);
    setSettings(DEFAULT_SETTINGS);
  }, [persist]);
  const value = useMemo(() => ({ settings, update, reset }), [settings, update, reset]);
  return <SettingsContext.Provider value={value}>{children}</SettingsContext.Provider>;
}

/** Outside a provider (isolated component tests) the defaults apply and updates are ignored. */
export function useSettings(): SettingsApi {
  return useContext(SettingsContext) ?? { settings: DEFAULT_SETTINGS, update: () => undefined, reset: () => undefined };
}
