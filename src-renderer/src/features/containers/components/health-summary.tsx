import type { ReactNode } from 'react';
import type { HealthView } from '../../../../../src-shared/ipc/models/containers';
import { Badge, type BadgeTone } from '../../../components/badge';

const TONES: Record<HealthView['status'], BadgeTone> = { healthy: 'ok', unhealthy: 'danger', starting: 'info', none: 'muted' };

export function HealthBadge({ health }: { health: HealthView }): ReactNode {
  return (
    <span data-testid="health-badge" data-health={health.status}>
      <Badge tone={TONES[health.status]} title={health.failingStreak > 0 ? `${health.failingStreak} failing check${health.failingStreak === 1 ? '' : 's'} in a row` : undefined}>
        {health.status}
      </Badge>
    </span>
  );
}

/** The healthcheck's last results (the engine keeps five), newest first, with what the check printed. */
export function HealthResults({ health }: { health: HealthView }): ReactNode {
  if (health.log.length === 0) return <p className="hint">No check has run yet.</p>;
  return (
    <table className="list" aria-label="Last health checks" data-testid="health-results">
      <thead>
        <tr>
          <th>Ended</th>
          <th>Exit code</th>
          <th>Output</th>
        </tr>
      </thead>
      <tbody>
        {[...health.log].reverse().map((l) => (
          <tr key={`${l.start}${l.end}`}>
            <td>{l.end ? new Date(l.end).toLocaleTimeString() : '—'}</td>
            <td className="mono">{l.exitCode}</td>
            <td className="mono">{l.output.trim() || '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
