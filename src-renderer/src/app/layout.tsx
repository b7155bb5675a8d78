import { useEffect, useState, type ReactNode } from 'react';
import { StatusBar } from '../features/dashboard/components/status-bar';
import { HostStatusBanner } from '../features/hosts/components/host-status-banner';
import { HostSwitcher } from '../features/hosts/components/host-switcher';
import { viewFromHash } from './registry/registry';
import type { ViewDef } from './registry/view-def';

function useHash(): string {
  const [hash, setHash] = useState(() => window.location.hash);
  useEffect(() => {
    const onHash = (): void => setHash(window.location.hash);
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return hash;
}

function NavGroup({ views, current, label }: { views: readonly ViewDef[]; current: string | undefined; label: string }): ReactNode {
  return (
    <ul aria-label={label}>
      {views.map((v) => (
        <li key={v.id}>
          <a href={`#/${v.id}`} aria-current={v.id === current ? 'page' : undefined} className={v.id === current ? 'active' : undefined}>
            <v.icon size={16} aria-hidden="true" />
            <span>{v.label}</span>
          </a>
        </li>
      ))}
    </ul>
  );
}

/** The shell: sidebar (host picker + views from the registry), the active view, the status bar. */
export function Layout({ views }: { views: readonly ViewDef[] }): ReactNode {
  const hash = useHash();
  const view = viewFromHash(hash, views);
  const View = view?.Component;
  useEffect(() => {
    document.title = view ? `${view.label} — Berth` : 'Berth';
  }, [view]);
  return (
    <div className="shell">
      <a href="#main-content" className="skip-link" onClick={(e) => (e.preventDefault(), document.getElementById('main-content')?.focus())}>
        Skip to content
      </a>
      <nav className="sidebar" aria-label="Main">
        <div className="brand">Berth</div>
        <HostSwitcher />
        <NavGroup label="Resources" views={views.filter((v) => v.group === 'main')} current={view?.id} />
        <div className="nav-separator" role="separator" />
        <NavGroup label="Configuration" views={views.filter((v) => v.group === 'config')} current={view?.id} />
      </nav>
      <div className="main-column">
        <main className="content" id="main-content" tabIndex={-1}>
          <HostStatusBanner />
          {View ? <View /> : null}
        </main>
        <StatusBar />
      </div>
    </div>
  );
}
