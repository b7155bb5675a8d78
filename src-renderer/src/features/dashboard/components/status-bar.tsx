import type { ReactNode } from 'react';
import { Cpu, MemoryStick, Server } from 'lucide-react';
import { useActiveHost } from '../../../lib/active-host';
import { useUsage } from '../hooks/use-usage';

/** Bottom bar: the active engine's name and version, and its containers' CPU and memory. */
export function StatusBar(): ReactNode {
  const { hostId } = useActiveHost();
  const { info, usage } = useUsage(hostId, true);
  const d = info.data;
  return (
    <footer className="status-bar" aria-label="Engine status" data-testid="status-bar">
      <span className="status-item" data-testid="status-engine">
        <Server size={13} aria-hidden="true" />
        {d ? `${d.isBerth ? 'berthd' : 'Docker Engine'} ${d.serverVersion} · API ${d.apiVersion}` : info.isError ? 'Engine not reachable' : 'Engine…'}
      </span>
      {d ? (
        <>
          <span className="status-item" title={`${d.ncpu} CPUs; containers' share of the whole machine`} data-testid="status-cpu">
            <Cpu size={13} aria-hidden="true" />
            CPU {usage.cpuLabel}
          </span>
          <span className="status-item" title="Memory used by running containers / the engine's total" data-testid="status-memory">
            <MemoryStick size={13} aria-hidden="true" />
            Memory {usage.memoryLabel}
          </span>
          <span className="status-item">
            {d.containersRunning} running · {d.containersStopped} stopped · {d.images} images
          </span>
        </>
      ) : null}
    </footer>
  );
}
