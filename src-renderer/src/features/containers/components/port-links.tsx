import type { ReactNode } from 'react';
import type { PortLinkView } from '../model/container-mapper';
import { PortLink } from './port-link';

/** Published ports from `portLinks`, one per line (a dash when there are none). */
export function PortLinks({ ports }: { ports: readonly PortLinkView[] }): ReactNode {
  if (ports.length === 0) return <span className="hint">—</span>;
  return (
    <div className="port-links">
      {ports.map((p) => (
        <PortLink key={p.key} port={p} />
      ))}
    </div>
  );
}
