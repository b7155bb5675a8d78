import type { NetworkContainerDto, NetworkCreateRequest, NetworkDto } from '../../../../src-shared/docker-api/networks';
import type { EndpointView, NetworkCreateInput, NetworkRecord } from '../../engine/networks/network-service';

export function toNetworkCreateInput(body: NetworkCreateRequest): NetworkCreateInput {
  return {
    name: body.Name,
    ...(body.Driver !== undefined ? { driver: body.Driver } : {}),
    internal: body.Internal ?? false,
    attachable: body.Attachable ?? false,
    enableIPv6: body.EnableIPv6 ?? false,
    labels: body.Labels ?? {},
    options: body.Options ?? {},
    ...(body.IPAM?.Driver !== undefined ? { ipamDriver: body.IPAM.Driver } : {}),
    ipam: (body.IPAM?.Config ?? []).map((c) => ({
      ...(c.Subnet ? { subnet: c.Subnet } : {}),
      ...(c.Gateway ? { gateway: c.Gateway } : {}),
      ...(c.IPRange ? { ipRange: c.IPRange } : {}),
    })),
  };
}

/** dockerd's network JSON; `endpoints` fills Containers (inspect only: list leaves it empty, as dockerd). */
export function toNetworkDto(n: NetworkRecord, endpoints: EndpointView[] | undefined, endpointId: (e: EndpointView) => string): NetworkDto {
  const containers: Record<string, NetworkContainerDto> = {};
  for (const e of endpoints ?? []) {
    containers[e.containerId] = {
      Name: e.containerName,
      EndpointID: endpointId(e),
      MacAddress: e.mac,
      IPv4Address: e.ipv4 !== '' ? `${e.ipv4}/${e.prefixLen}` : '',
      IPv6Address: '',
    };
  }
  return {
    Name: n.name,
    Id: n.id,
    Created: n.created,
    Scope: 'local',
    Driver: n.driver,
    EnableIPv4: true,
    EnableIPv6: false,
    IPAM: {
      Driver: 'default',
      Options: null,
      Config: n.ipam.length > 0 ? n.ipam.map((p) => ({ Subnet: p.subnet, Gateway: p.gateway, ...(p.ipRange !== undefined ? { IPRange: p.ipRange } : {}) })) : n.driver === 'bridge' ? [] : null,
    },
    Internal: n.internal,
    Attachable: n.attachable,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: containers,
    Options: { ...n.options },
    Labels: { ...n.labels },
  };
}
