/**
 * `--network container:<name|id>` (dockerd's container network mode): the container joins another
 * running container's network namespace at start and shares its /etc/hosts, resolv.conf and
 * hostname. Options that would need a network of its own conflict, as dockerd says at create.
 */
import { conflict, invalidArgument } from '../../lib/errors';
import type { ContainerStore } from '../../store/containers/container-store';
import type { HostConfig, ContainerConfig } from '../../store/containers/container-record';

const PREFIX = 'container:';

export function isContainerNetworkMode(mode: string): boolean {
  return mode.startsWith(PREFIX);
}

/**
 * Create-time: the other container must exist (the mode is stored with its full ID, as dockerd)
 * and the options dockerd refuses with this mode are 400s. Returns the normalised mode.
 */
export function checkContainerNetworkMode(store: ContainerStore, hc: HostConfig, config: ContainerConfig, endpoints: Record<string, unknown>): string {
  const ref = hc.networkMode.slice(PREFIX.length);
  if (ref === '') throw invalidArgument('INVALID_NETWORK_MODE', 'invalid network mode: container: needs a container name or ID');
  const target = store.find(ref);
  if (!target) throw invalidArgument('NETWORK_CONTAINER_NOT_FOUND', `No such container: ${ref}`);
  const clash = (what: string): never => {
    throw invalidArgument('NETWORK_MODE_CONFLICT', `conflicting options: ${what} and the network mode`);
  };
  if (config.hostname !== '') clash('hostname');
  if (hc.dns.length > 0 || (hc.dnsSearch ?? []).length > 0 || (hc.dnsOptions ?? []).length > 0) clash('dns and the network mode');
  if (hc.extraHosts.length > 0) clash('custom host-to-IP mapping');
  if (Object.keys(hc.portBindings ?? {}).length > 0 || hc.publishAllPorts === true) clash('port publishing');
  if ((hc.links ?? []).length > 0) clash('container type network can\'t be used with links. This would result in undefined behavior');
  if (Object.keys(endpoints).length > 0) throw invalidArgument('NETWORK_MODE_CONFLICT', 'container sharing network namespace with another container or host cannot be connected to any other network');
  return `${PREFIX}${target.id}`;
}

/** Start-time: the joined container's netns and shared files; a 409 when it does not run. */
export function joinedNetwork(
  store: ContainerStore,
  mode: string,
  runningPid: (id: string) => number | undefined,
  etcFilesOf: (id: string) => { hosts: string; resolvConf: string },
): { netns: string; hostname: string; hosts: string; resolvConf: string } {
  const ref = mode.slice(PREFIX.length);
  const target = store.find(ref);
  if (!target) throw invalidArgument('NETWORK_CONTAINER_NOT_FOUND', `No such container: ${ref}`);
  const pid = runningPid(target.id);
  if (pid === undefined) throw conflict('NETWORK_CONTAINER_NOT_RUNNING', `cannot join network namespace of a non running container: ${target.id}`);
  const files = etcFilesOf(target.id);
  return { netns: `/proc/${pid}/ns/net`, hostname: target.config.hostname, hosts: files.hosts, resolvConf: files.resolvConf };
}
