import type { ReactNode } from 'react';
import type { ContainerRowView } from '../model/container-mapper';

/** Published ports from `portLinks`: a link where the desktop can open the service, else the label only. */
export function PortLinks({ ports }: { ports: ContainerRowView['ports'] }): ReactNode {
  if (ports.length === 0) return <span className="hint">—</span>;
  return (
    <div className="port-links">
      {ports.map((p) =>
        p.url !== null ? (
          <a key={p.key} href={p.url} target="_blank" rel="noreferrer noopener" className="link-button mono" title={`Open ${p.url}`}>
            {p.label}
          </a>
        ) : (
          <span key={p.key} className="mono" title="Published on the engine's host">
            {p.label}
          </span>
        ),
      )}
    </div>
  );
}
