import type { ReactNode } from 'react';
import { Badge, type BadgeTone } from '../../../components/badge';
import { QueryView } from '../../../components/state-views';
import { hrefFor } from '../../../lib/navigation';
import { useStackResources } from '../api/get-stack-resources';
import type { Health, StackView } from '../model/stack-model';
import { PortLinks } from './port-links';

const HEALTH_TONES: Record<Health, BadgeTone> = { healthy: 'ok', unhealthy: 'danger', starting: 'warn' };

/** The stack's services (one row per container), then its networks and volumes found by the project label. */
export function StackServicesPanel({ hostId, stack }: { hostId: string; stack: StackView }): ReactNode {
  const resources = useStackResources(hostId, stack.project);
  return (
    <div data-testid="stack-services">
      <table className="list" aria-label="Services">
        <thead>
          <tr>
            <th>Service</th>
            <th>Container</th>
            <th>State</th>
            <th>Health</th>
            <th>Ports</th>
          </tr>
        </thead>
        <tbody>
          {stack.members.map((m) => (
            <tr key={m.id} data-service={m.service ?? ''} data-state={m.state}>
              <td>
                {m.service || '—'}
                {m.replica !== null && m.replica > 1 ? <span className="hint">{` #${m.replica}`}</span> : null}
              </td>
              <td>
                <a href={hrefFor('containers', m.id)} className="link-button">
                  {m.name}
                </a>
              </td>
              <td>
                <Badge tone={m.tone} title={m.status}>
                  {m.stateLabel}
                </Badge>
              </td>
              <td data-testid="service-health">{m.health ? <Badge tone={HEALTH_TONES[m.health]}>{m.health}</Badge> : <span className="hint">—</span>}</td>
              <td>
                <PortLinks ports={m.ports} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <QueryView query={resources} loadingLabel="Reading networks and volumes…">
        {(r) => (
          <>
            <h3>Networks</h3>
            {r.networks.length === 0 ? (
              <p className="hint">No network carries this stack’s label.</p>
            ) : (
              <table className="list" aria-label="Stack networks">
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>Driver</th>
                    <th>Subnet</th>
                  </tr>
                </thead>
                <tbody>
                  {r.networks.map((n) => (
                    <tr key={n.id} data-network={n.name}>
                      <td className="mono">
                        <a href={hrefFor('networks', n.name)} className="link-button">
                          {n.name}
                        </a>
                        {n.internal ? <span className="hint"> (internal)</span> : null}
                      </td>
                      <td>{n.driver}</td>
                      <td className="mono">{n.subnets.join(', ') || '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            <h3>Volumes</h3>
            {r.volumes.length === 0 ? (
              <p className="hint">No volume carries this stack’s label.</p>
            ) : (
              <table className="list" aria-label="Stack volumes">
                <thead>
                  <tr>
                    <th>Name</th>
                    <th>In the compose file</th>
                    <th>Driver</th>
                  </tr>
                </thead>
                <tbody>
                  {r.volumes.map((v) => (
                    <tr key={v.name} data-volume={v.name}>
                      <td className="mono">
                        <a href={hrefFor('volumes', v.name)} className="link-button">
                          {v.name}
                        </a>
                      </td>
                      <td>{v.composeName}</td>
                      <td>{v.driver}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        )}
      </QueryView>
    </div>
  );
}
