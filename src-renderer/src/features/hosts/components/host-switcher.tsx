import type { ReactNode } from 'react';
import { useActiveHost } from '../../../lib/active-host';
import { useHostRows } from '../hooks/use-host-rows';

/**
 * The sidebar's host picker: names in the list, and the active host's status once, below it
 * (the full name is in the tooltip and wraps there, so a long name is never cut).
 */
export function HostSwitcher(): ReactNode {
  const { rows } = useHostRows();
  const { hostId, setHostId } = useActiveHost();
  const active = rows?.find((r) => r.id === hostId);
  return (
    <div className="host-switcher">
      <label className="field-label" htmlFor="active-host">
        Host
      </label>
      <select id="active-host" aria-label="Active host" value={hostId} title={active?.name} onChange={(e) => setHostId(e.target.value)}>
        {(rows ?? [{ id: hostId, name: hostId }]).map((r) => (
          <option key={r.id} value={r.id}>
            {r.name}
          </option>
        ))}
      </select>
      {active ? (
        <div className={`host-state host-state-${active.state}`} data-testid="active-host-state" title={active.detail || active.stateLabel}>
          <span className={`status-dot tone-${active.tone}`} aria-hidden="true" />
          {active.stateLabel}
        </div>
      ) : null}
    </div>
  );
}
