import { useEffect, useState, type ReactNode } from 'react';
import { HostStatusBanner } from '../features/hosts/components/host-status-banner';
import { HostSwitcher } from '../features/hosts/components/host-switcher';
import { ROUTES, routeFromHash, type RouteId } from './routes';

function useRoute(): RouteId {
  const [route, setRoute] = useState<RouteId>(() => routeFromHash(window.location.hash));
  useEffect(() => {
    const onHash = (): void => setRoute(routeFromHash(window.location.hash));
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  return route;
}

export function Layout({ views }: { views: Record<RouteId, () => ReactNode> }): ReactNode {
  const route = useRoute();
  const View = views[route];
  return (
    <div className="shell">
      <nav className="sidebar" aria-label="Main">
        <div className="brand">Berth</div>
        <HostSwitcher />
        <ul>
          {ROUTES.map((r) => (
            <li key={r.id}>
              <a href={`#/${r.id}`} aria-current={r.id === route ? 'page' : undefined} className={r.id === route ? 'active' : undefined}>
                {r.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main className="content">
        <HostStatusBanner />
        <View />
      </main>
    </div>
  );
}
