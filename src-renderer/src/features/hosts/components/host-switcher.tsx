import type { ReactNode } from 'react';
import { useActiveHost } from '../../../lib/active-host';
import { useHostRows } from '../hooks/use-host-rows';

/** The sidebar's host picker: every host with its status, the active one selected. */
export function HostSwitcher(): ReactNode {
  const { rows } = useHostRows();
  const { hostId, setHostId } = useActiveHost();
  const active = rows?.find((r) => r.id === hostId);
  return (
    <div className="host-switcher">
      <label>
        <span className="hint">Host</span>
        <select aria-label="Active host" value={hostId} onChange={(e) => setHostId(e.target.value)}>
          {(rows ?? [{ id: hostId, name: hostId, stateLabel: '…' }]).map((r) => (
            <option key={r.id} value={r.id}>
              {r.name} — {r.stateLabel}
            </option>
          ))}
        </select>
      </label>
      {active ? (
        <div className={`hint host-state-${active.state}`} data-testid="active-host-state">
          {active.stateLabel}
        </div>
      ) : null}
    </div>
  );
}
