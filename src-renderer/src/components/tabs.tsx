import type { ReactNode } from 'react';

export interface TabDef<T extends string> {
  id: T;
  label: string;
}

/**
 * The tab strip only. Panels are rendered by the caller, which may keep inactive ones mounted
 * (the terminal keeps its buffer across tab switches that way).
 */
export function Tabs<T extends string>({ tabs, active, onChange, label }: { tabs: readonly TabDef<T>[]; active: T; onChange: (id: T) => void; label: string }): ReactNode {
  return (
    <div className="tabs" role="tablist" aria-label={label}>
      {tabs.map((t) => (
        <button
          key={t.id}
          type="button"
          role="tab"
          id={`tab-${t.id}`}
          aria-selected={t.id === active}
          aria-controls={`panel-${t.id}`}
          className={t.id === active ? 'tab active' : 'tab'}
          onClick={() => onChange(t.id)}
        >
          {t.label}
        </button>
      ))}
    </div>
  );
}

export function TabPanel({ id, active, children, keepMounted }: { id: string; active: boolean; children: ReactNode; keepMounted?: boolean }): ReactNode {
  if (!active && !keepMounted) return null;
  return (
    <div role="tabpanel" id={`panel-${id}`} aria-labelledby={`tab-${id}`} hidden={!active} className="tab-panel">
      {children}
    </div>
  );
}
