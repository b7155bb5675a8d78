import type { ReactNode } from 'react';
import { ArrowLeft } from 'lucide-react';
import { KeyValueList } from '../../../components/key-value-list';
import { EmptyState, QueryView } from '../../../components/state-views';
import { useActiveHost } from '../../../lib/active-host';
import { hrefFor } from '../../../lib/navigation';
import { useNetworks } from '../../../lib/network-queries';
import { useNetworkEvents } from '../hooks/use-network-events';

/** One network, as `docker network inspect` tells it: addressing, options, and who is attached at which address. */
export function NetworkDetails({ name }: { name: string }): ReactNode {
  const { hostId } = useActiveHost();
  const query = useNetworks(hostId);
  useNetworkEvents(hostId);
  return (
    <section>
      <div className="view-header">
        <a className="btn ghost small" href={hrefFor('networks')}>
          <ArrowLeft size={14} aria-hidden="true" /> Networks
        </a>
        <h1 className="mono">{name}</h1>
      </div>
      <QueryView query={query} loadingLabel="Loading network…">
        {(list) => {
          const n = list.find((x) => x.name === name || x.id === name);
          if (!n) return <EmptyState title={`No network ${name} on this host`}>It may have been removed.</EmptyState>;
          const items = [
            { key: 'ID', value: n.id },
            { key: 'Driver', value: n.driver },
            ...n.subnets.flatMap((s) => [
              { key: 'Subnet', value: s.subnet || '—' },
              { key: 'Gateway', value: s.gateway || '—' },
              ...(s.ipRange ? [{ key: 'IP range', value: s.ipRange }] : []),
            ]),
            { key: 'Internal', value: n.internal ? 'yes: no route out of the host' : 'no' },
            ...Object.entries(n.options).map(([k, v]) => ({ key: k, value: v })),
            ...Object.entries(n.labels).map(([k, v]) => ({ key: `label ${k}`, value: v })),
          ];
          return (
            <>
              <KeyValueList items={items} label="Network settings" />
              <h2>Containers</h2>
              {n.endpoints.length === 0 ? (
                <p className="hint">No container is attached.</p>
              ) : (
                <table className="list" aria-label="Attached containers">
                  <thead>
                    <tr>
                      <th>Container</th>
                      <th>IPv4 address</th>
                      <th>MAC address</th>
                    </tr>
                  </thead>
                  <tbody>
                    {n.endpoints.map((e) => (
                      <tr key={e.containerId} data-endpoint={e.containerName}>
                        <td>
                          <a className="link-button" href={hrefFor('containers', e.containerId)}>
                            {e.containerName}
                          </a>
                        </td>
                        <td className="mono">{e.ipv4 || '—'}</td>
                        <td className="mono">{e.mac || '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </>
          );
        }}
      </QueryView>
    </section>
  );
}
