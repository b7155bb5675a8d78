/** Engine API wire types and request schemas for networks (PascalCase, as on the wire). */
import * as z from 'zod';
import { EndpointSettingsSchema } from './containers';

const strMap = z.record(z.string(), z.string()).nullable().optional();

export const NetworkCreateRequestSchema = z.looseObject({
  Name: z.string(),
  CheckDuplicate: z.boolean().optional(),
  Driver: z.string().optional(),
  Scope: z.string().optional(),
  Internal: z.boolean().optional(),
  Attachable: z.boolean().optional(),
  Ingress: z.boolean().optional(),
  ConfigOnly: z.boolean().optional(),
  ConfigFrom: z.unknown().optional(),
  EnableIPv4: z.boolean().nullable().optional(),
  EnableIPv6: z.boolean().nullable().optional(),
  IPAM: z
    .looseObject({
      Driver: z.string().optional(),
      Config: z.array(z.looseObject({ Subnet: z.string().optional(), IPRange: z.string().optional(), Gateway: z.string().optional(), AuxiliaryAddresses: strMap })).nullable().optional(),
      Options: strMap,
    })
    .nullable()
    .optional(),
  Options: strMap,
  Labels: strMap,
});
export type NetworkCreateRequest = z.infer<typeof NetworkCreateRequestSchema>;

export const NetworkConnectRequestSchema = z.looseObject({
  Container: z.string(),
  EndpointConfig: EndpointSettingsSchema.nullable().optional(),
});

export const NetworkDisconnectRequestSchema = z.looseObject({
  Container: z.string(),
  Force: z.boolean().optional(),
});

export interface NetworkContainerDto {
  Name: string;
  EndpointID: string;
  MacAddress: string;
  IPv4Address: string;
  IPv6Address: string;
}

export interface NetworkDto {
  Name: string;
  Id: string;
  Created: string;
  Scope: 'local';
  Driver: string;
  EnableIPv4: boolean;
  EnableIPv6: boolean;
  IPAM: { Driver: string; Options: Record<string, string> | null; Config: { Subnet: string; Gateway: string; IPRange?: string }[] | null };
  Internal: boolean;
  Attachable: boolean;
  Ingress: boolean;
  ConfigFrom: { Network: string };
  ConfigOnly: boolean;
  Containers: Record<string, NetworkContainerDto>;
  Options: Record<string, string>;
  Labels: Record<string, string>;
}

export interface NetworkCreateResponse {
  Id: string;
  Warning: string;
}

export interface NetworkPruneResponse {
  NetworksDeleted: string[] | null;
}

/** Berth's `GET /berth/v1/ports/check?port=&proto=&ip=`: whether a host port can be published now. */
export interface BerthPortCheckResponse {
  Port: number;
  Proto: 'tcp' | 'udp';
  Available: boolean;
  /** Set when a container publishes it (else a host process holds it, when not Available). */
  ContainerId?: string;
  ContainerName?: string;
}
