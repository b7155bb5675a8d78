import { createContext, useContext, type ReactNode } from 'react';
import { Tabs as RTabs } from 'radix-ui';

const ActiveTab = createContext<string | undefined>(undefined);

export interface TabDef<T extends string> {
  id: T;
  label: string;
}

/**
 * Tabs (Radix: arrow keys move between tabs, Home/End, roving focus). Wraps its panels:
 * `<Tabs ...><TabPanel id="logs">…</TabPanel></Tabs>`. A panel with `keepMounted` stays mounted
 * (hidden) while another tab shows: the terminal keeps its buffer and the stats their history.
 */
export function Tabs<T extends string>({
  tabs,
  active,
  onChange,
  label,
  children,
}: {
  tabs: readonly TabDef<T>[];
  active: T;
  onChange: (id: T) => void;
  label: string;
  children?: ReactNode;
}): ReactNode {
  return (
    <RTabs.Root value={active} onValueChange={(v) => onChange(v as T)} activationMode="manual">
      <RTabs.List className="tabs" aria-label={label}>
        {tabs.map((t) => (
          <RTabs.Trigger key={t.id} value={t.id} className="tab">
            {t.label}
          </RTabs.Trigger>
        ))}
      </RTabs.List>
      <ActiveTab.Provider value={active}>{children}</ActiveTab.Provider>
    </RTabs.Root>
  );
}

export function TabPanel({ id, children, keepMounted }: { id: string; children: ReactNode; keepMounted?: boolean }): ReactNode {
  const active = useContext(ActiveTab);
  // Radix leaves a force-mounted inactive panel visible; hide it ourselves.
  return (
    <RTabs.Content value={id} className="tab-panel" forceMount={keepMounted ? true : undefined} hidden={keepMounted ? active !== id : undefined}>
      {children}
    </RTabs.Content>
  );
}
