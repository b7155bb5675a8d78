import { useState, type ReactNode } from 'react';
import { useActiveHost } from '../../../lib/active-host';
import { useBridge } from '../../../lib/bridge-context';
import { describeError } from '../../../lib/describe-error';
import type { PortLinkView } from '../model/container-mapper';

/**
 * One published port: a plain link where the desktop reaches it, else (a remote host) a link that
 * first has the app open an SSH tunnel to the port, then opens the tunnel's local address.
 */
export function PortLink({ port }: { port: PortLinkView }): ReactNode {
  const bridge = useBridge();
  const { hostId } = useActiveHost();
  const [error, setError] = useState<string | null>(null);
  if (port.url !== null) {
    return (
      <a href={port.url} target="_blank" rel="noreferrer noopener" className="link-button mono" title={`Open ${port.url}`} data-port={port.key}>
        {port.label}
      </a>
    );
  }
  const tunnel = port.tunnel;
  if (tunnel === null) {
    return (
      <span className="mono" title="Published on the engine's host" data-port={port.key}>
        {port.label}
      </span>
    );
  }
  const open = (): void => {
    // Opened before the tunnel is up, so the browser counts it as the click's own window (no popup block).
    const win = window.open('about:blank', '_blank');
    bridge.invoke('ports:open', { hostId, port: tunnel.port, ip: tunnel.ip }).then(
      (t) => {
        setError(null);
        if (win) win.location.href = t.url;
        else window.open(t.url, '_blank', 'noopener');
      },
      (err: unknown) => {
        win?.close();
        setError(describeError(err).message);
      },
    );
  };
  return (
    <button type="button" className="link-button mono" onClick={open} title={error ?? 'Open through an SSH tunnel to the host'} data-port={port.key} aria-invalid={error !== null || undefined}>
      {port.label}
    </button>
  );
}
