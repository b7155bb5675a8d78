/**
 * The container-wide `MacAddress` of the create body (deprecated in API 1.44, where the address moved
 * to `EndpointsConfig[net].MacAddress`), as moby's `handleMACAddressBC` treats it: clients older than
 * 1.44 (docker-compose 1.29's `mac_address:`, old SDKs) send only the container-wide field, which is
 * moved to the main network's endpoint; newer ones get it moved too, with dockerd's deprecation
 * warning, or a 400 where the main network cannot be told. The network engine then applies the
 * endpoint address like any other.
 */
import type * as z from 'zod';
import type { ContainerCreateRequest, EndpointSettingsSchema } from '../../../../src-shared/docker-api/containers';
import { invalidArgument } from '../../lib/errors';
import { compareApiVersions } from '../../lib/version';

type EndpointSettingsDto = z.infer<typeof EndpointSettingsSchema>;

const DEPRECATED = 'The container-wide MacAddress field is now deprecated. It should be specified in EndpointsConfig instead.';

/** NetworkMode names that are not a bridge-driver network of the container's own. */
const NOT_A_NETWORK = new Set(['host', 'none']);

/** The network the container-wide address belongs to, or null when the mode has no endpoint of its own. */
function mainNetwork(networkMode: string | null | undefined): string | null {
  // '' and 'default' are the default bridge on Linux, where dockerd resolves them.
  const mode = !networkMode || networkMode === 'default' ? 'bridge' : networkMode;
  return NOT_A_NETWORK.has(mode) || mode.startsWith('container:') ? null : mode;
}

/** Returns the body with the address moved to its endpoint, and the warning dockerd gives, if any. */
export function migrateContainerMacAddress(body: ContainerCreateRequest, apiVersion: string): { body: ContainerCreateRequest; warnings: string[] } {
  const mac = body.MacAddress ?? '';
  const endpoints: Record<string, EndpointSettingsDto | null> = { ...(body.NetworkingConfig?.EndpointsConfig ?? {}) };
  const old = compareApiVersions(apiVersion, '1.44') < 0;
  if (mac === '') {
    if (!old) return { body, warnings: [] };
    // An old client could not have set an endpoint address: dockerd discards one.
    for (const [k, ep] of Object.entries(endpoints)) if (ep?.MacAddress) endpoints[k] = { ...ep, MacAddress: '' };
    return { body: { ...body, NetworkingConfig: { ...body.NetworkingConfig, EndpointsConfig: endpoints } }, warnings: [] };
  }
  const net = mainNetwork(body.HostConfig?.NetworkMode);
  const { MacAddress: _moved, ...rest } = body;
  if (old) {
    if (net === null) throw invalidArgument('MAC_ADDRESS_NETWORK_MODE', 'conflicting options: mac-address and the network mode');
    // An old client sends at most one endpoint: the address is that one's.
    const keys = Object.keys(endpoints);
    if (keys.length === 0) endpoints[net] = { MacAddress: mac };
    for (const k of keys) endpoints[k] = { ...endpoints[k], MacAddress: mac };
  } else if (net !== null) {
    const ep = endpoints[net];
    if (Object.keys(endpoints).length === 0) endpoints[net] = { MacAddress: mac };
    else if (ep === undefined) throw invalidArgument('MAC_ADDRESS_NETWORK_MODE', 'if a container-wide MAC address is supplied, HostConfig.NetworkMode must match the identity of a network in NetworkSettings.Networks');
    else if (!ep?.MacAddress) endpoints[net] = { ...ep, MacAddress: mac };
    else if (ep.MacAddress !== mac) throw invalidArgument('MAC_ADDRESS_MISMATCH', 'the container-wide MAC address must match the endpoint-specific MAC address for the main network, or be left empty');
  }
  return { body: { ...rest, NetworkingConfig: { ...body.NetworkingConfig, EndpointsConfig: endpoints } }, warnings: old ? [] : [DEPRECATED] };
}
