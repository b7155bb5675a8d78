import { describe, expect, it } from 'vitest';
import type { ContainerCreateRequest } from '../../../../src-shared/docker-api/containers';
import { migrateContainerMacAddress } from './container-mac-address';

const MAC = '02:42:ac:11:00:99';
const body = (b: Partial<ContainerCreateRequest>): ContainerCreateRequest => ({ Image: 'busybox', ...b }) as ContainerCreateRequest;
const endpoints = (r: { body: ContainerCreateRequest }) => r.body.NetworkingConfig?.EndpointsConfig;

describe('migrateContainerMacAddress (moby handleMACAddressBC)', () => {
  it('moves an old client’s address to its only endpoint, or to the network mode’s, without a warning', () => {
    const compose = migrateContainerMacAddress(body({ MacAddress: MAC, HostConfig: { NetworkMode: 'app_default' }, NetworkingConfig: { EndpointsConfig: { app_default: { Aliases: ['web'] } } } }), '1.41');
    expect(endpoints(compose)).toEqual({ app_default: { Aliases: ['web'], MacAddress: MAC } });
    expect(compose.body.MacAddress).toBeUndefined();
    expect(compose.warnings).toEqual([]);
    expect(endpoints(migrateContainerMacAddress(body({ MacAddress: MAC }), '1.41'))).toEqual({ bridge: { MacAddress: MAC } });
  });

  it('refuses an old client’s address with a network mode that has no endpoint of its own', () => {
    for (const mode of ['host', 'none', 'container:db']) {
      expect(() => migrateContainerMacAddress(body({ MacAddress: MAC, HostConfig: { NetworkMode: mode } }), '1.43')).toThrow('conflicting options: mac-address and the network mode');
    }
  });

  it('drops an endpoint address an old client could not have meant', () => {
    const r = migrateContainerMacAddress(body({ NetworkingConfig: { EndpointsConfig: { net: { MacAddress: MAC } } } }), '1.41');
    expect(endpoints(r)).toEqual({ net: { MacAddress: '' } });
  });

  it('moves a new client’s address with dockerd’s deprecation warning, and refuses what cannot be matched', () => {
    const r = migrateContainerMacAddress(body({ MacAddress: MAC, HostConfig: { NetworkMode: 'net' } }), '1.48');
    expect(endpoints(r)).toEqual({ net: { MacAddress: MAC } });
    expect(r.warnings).toEqual(['The container-wide MacAddress field is now deprecated. It should be specified in EndpointsConfig instead.']);
    expect(() => migrateContainerMacAddress(body({ MacAddress: MAC, HostConfig: { NetworkMode: 'net' }, NetworkingConfig: { EndpointsConfig: { other: {} } } }), '1.48')).toThrow(/must match the identity of a network/);
    expect(() => migrateContainerMacAddress(body({ MacAddress: MAC, HostConfig: { NetworkMode: 'net' }, NetworkingConfig: { EndpointsConfig: { net: { MacAddress: '02:42:ac:11:00:01' } } } }), '1.48')).toThrow(/must match the endpoint-specific MAC address/);
  });

  it('leaves a body without the field alone at 1.44 and later', () => {
    const b = body({ NetworkingConfig: { EndpointsConfig: { net: { MacAddress: MAC } } } });
    expect(migrateContainerMacAddress(b, '1.48')).toEqual({ body: b, warnings: [] });
  });
});
