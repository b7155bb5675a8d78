import type { ContainerRecord } from '../../store/containers/container-record';
import { portRequests, type PortRequest } from '../networks/port-spec';

/** Network modes whose container has no address of its own to publish on (dockerd warns at create and discards). */
export function publishesPorts(networkMode: string): boolean {
  return networkMode !== 'host' && networkMode !== 'none' && !networkMode.startsWith('container:');
}

/** What a start publishes: PortBindings, plus every exposed port with -P. */
export function publishedPortRequests(rec: ContainerRecord): PortRequest[] {
  if (!publishesPorts(rec.hostConfig.networkMode)) return [];
  return portRequests(rec.hostConfig.portBindings ?? {}, rec.hostConfig.publishAllPorts ?? false, rec.config.exposedPorts);
}
