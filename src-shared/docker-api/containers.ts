/**
 * Engine API wire types and request schemas for containers, exec and events (PascalCase, as on
 * the wire). A wrong type is a 400 naming its path. The create body's schema is closed (see below).
 */
import * as z from 'zod';

const strList = z.array(z.string());
/** Cmd/Entrypoint: an array, or (old clients, dockerode) a single string; null means unset. */
const strSlice = z.union([strList, z.string()]).nullable().optional();
const int = z.number().int();
const optStr = z.string().nullable().optional();
const optInt = int.nullable().optional();
const optBool = z.boolean().nullable().optional();
const optStrList = strList.nullable().optional();
const strMap = z.record(z.string(), z.string()).nullable().optional();

/*
 * The create body is a CLOSED schema (issue 9): every field of Docker's API 1.47 Config and
 * HostConfig is listed with its type, and a key outside the list is a 400 naming it (strict
 * objects). Listing a field here does not mean berthd applies it: fields it does not apply yet
 * are refused with a 400 when they carry a non-default value, in helper/src/api/dto/create-support.ts.
 */

export const RestartPolicySchema = z.strictObject({
  Name: optStr,
  MaximumRetryCount: optInt,
});

export const MountRequestSchema = z.strictObject({
  Type: optStr,
  Source: optStr,
  Target: optStr,
  ReadOnly: optBool,
  Consistency: optStr,
  BindOptions: z
    .strictObject({ Propagation: optStr, NonRecursive: optBool, CreateMountpoint: optBool, ReadOnlyNonRecursive: optBool, ReadOnlyForceRecursive: optBool })
    .nullable()
    .optional(),
  VolumeOptions: z
    .strictObject({ NoCopy: optBool, Labels: strMap, Subpath: optStr, DriverConfig: z.strictObject({ Name: optStr, Options: strMap }).nullable().optional() })
    .nullable()
    .optional(),
  ImageOptions: z.strictObject({ Subpath: optStr }).nullable().optional(),
  TmpfsOptions: z
    .strictObject({ SizeBytes: optInt, Mode: optInt, Options: z.array(z.array(z.string())).nullable().optional() })
    .nullable()
    .optional(),
});
export type MountRequest = z.infer<typeof MountRequestSchema>;

const WeightDevice = z.strictObject({ Path: z.string(), Weight: int });
const ThrottleDevice = z.strictObject({ Path: z.string(), Rate: int });
const optList = <T extends z.ZodType>(t: T) => z.array(t).nullable().optional();

export const HostConfigSchema = z.strictObject({
  Binds: optStrList,
  ContainerIDFile: optStr,
  LogConfig: z.strictObject({ Type: optStr, Config: strMap }).nullable().optional(),
  NetworkMode: optStr,
  PortBindings: z.record(z.string(), z.array(z.strictObject({ HostIp: optStr, HostPort: optStr })).nullable()).nullable().optional(),
  RestartPolicy: RestartPolicySchema.nullable().optional(),
  AutoRemove: optBool,
  VolumeDriver: optStr,
  VolumesFrom: optStrList,
  Mounts: optList(MountRequestSchema),
  ConsoleSize: z.array(int).nullable().optional(),
  Annotations: strMap,
  CapAdd: optStrList,
  CapDrop: optStrList,
  CgroupnsMode: optStr,
  Dns: optStrList,
  DnsOptions: optStrList,
  DnsSearch: optStrList,
  ExtraHosts: optStrList,
  GroupAdd: optStrList,
  IpcMode: optStr,
  Cgroup: optStr,
  Links: optStrList,
  OomScoreAdj: optInt,
  PidMode: optStr,
  Privileged: optBool,
  PublishAllPorts: optBool,
  ReadonlyRootfs: optBool,
  SecurityOpt: optStrList,
  StorageOpt: strMap,
  Tmpfs: strMap,
  UTSMode: optStr,
  UsernsMode: optStr,
  ShmSize: optInt,
  Sysctls: strMap,
  Runtime: optStr,
  Isolation: optStr,
  // Resources
  CpuShares: optInt,
  Memory: optInt,
  CgroupParent: optStr,
  BlkioWeight: optInt,
  BlkioWeightDevice: optList(WeightDevice),
  BlkioDeviceReadBps: optList(ThrottleDevice),
  BlkioDeviceWriteBps: optList(ThrottleDevice),
  BlkioDeviceReadIOps: optList(ThrottleDevice),
  BlkioDeviceWriteIOps: optList(ThrottleDevice),
  CpuPeriod: optInt,
  CpuQuota: optInt,
  CpuRealtimePeriod: optInt,
  CpuRealtimeRuntime: optInt,
  CpusetCpus: optStr,
  CpusetMems: optStr,
  Devices: optList(z.strictObject({ PathOnHost: optStr, PathInContainer: optStr, CgroupPermissions: optStr })),
  DeviceCgroupRules: optStrList,
  DeviceRequests: optList(
    z.strictObject({ Driver: optStr, Count: optInt, DeviceIDs: optStrList, Capabilities: z.array(strList).nullable().optional(), Options: strMap }),
  ),
  KernelMemory: optInt,
  KernelMemoryTCP: optInt,
  MemoryReservation: optInt,
  MemorySwap: optInt,
  MemorySwappiness: optInt,
  NanoCpus: optInt,
  OomKillDisable: optBool,
  Init: optBool,
  PidsLimit: optInt,
  Ulimits: optList(z.strictObject({ Name: z.string(), Soft: int, Hard: int })),
  CpuCount: optInt,
  CpuPercent: optInt,
  IOMaximumIOps: optInt,
  IOMaximumBandwidth: optInt,
  MaskedPaths: optStrList,
  ReadonlyPaths: optStrList,
});
export type HostConfigDto = z.infer<typeof HostConfigSchema>;

export const HealthcheckSchema = z.strictObject({
  Test: optStrList,
  Interval: optInt,
  Timeout: optInt,
  Retries: optInt,
  StartPeriod: optInt,
  StartInterval: optInt,
});
export type HealthcheckDto = z.infer<typeof HealthcheckSchema>;

export const EndpointSettingsSchema = z.strictObject({
  IPAMConfig: z.strictObject({ IPv4Address: optStr, IPv6Address: optStr, LinkLocalIPs: optStrList }).nullable().optional(),
  Links: optStrList,
  Aliases: optStrList,
  MacAddress: optStr,
  DriverOpts: strMap,
  GwPriority: optInt,
  NetworkID: optStr,
  EndpointID: optStr,
  Gateway: optStr,
  IPAddress: optStr,
  IPPrefixLen: optInt,
  IPv6Gateway: optStr,
  GlobalIPv6Address: optStr,
  GlobalIPv6PrefixLen: optInt,
  DNSNames: optStrList,
});

export const ContainerCreateRequestSchema = z.strictObject({
  Hostname: optStr,
  Domainname: optStr,
  User: optStr,
  AttachStdin: optBool,
  AttachStdout: optBool,
  AttachStderr: optBool,
  Tty: optBool,
  OpenStdin: optBool,
  StdinOnce: optBool,
  Env: optStrList,
  Cmd: strSlice,
  Entrypoint: strSlice,
  Image: optStr,
  Labels: strMap,
  WorkingDir: optStr,
  StopSignal: optStr,
  StopTimeout: optInt,
  ExposedPorts: z.record(z.string(), z.unknown()).nullable().optional(),
  Volumes: z.record(z.string(), z.unknown()).nullable().optional(),
  Healthcheck: HealthcheckSchema.nullable().optional(),
  ArgsEscaped: optBool,
  NetworkDisabled: optBool,
  MacAddress: optStr,
  OnBuild: optStrList,
  Shell: optStrList,
  HostConfig: HostConfigSchema.nullable().optional(),
  NetworkingConfig: z.strictObject({ EndpointsConfig: z.record(z.string(), EndpointSettingsSchema.nullable()).nullable().optional() }).nullable().optional(),
});
export type ContainerCreateRequest = z.infer<typeof ContainerCreateRequestSchema>;

/** POST /containers/{id}/update: HostConfig's Resources plus RestartPolicy (closed, as create). */
export const ContainerUpdateRequestSchema = HostConfigSchema.pick({
  CpuShares: true, Memory: true, NanoCpus: true, CgroupParent: true, BlkioWeight: true, BlkioWeightDevice: true, BlkioDeviceReadBps: true,
  BlkioDeviceWriteBps: true, BlkioDeviceReadIOps: true, BlkioDeviceWriteIOps: true, CpuPeriod: true, CpuQuota: true, CpuRealtimePeriod: true,
  CpuRealtimeRuntime: true, CpusetCpus: true, CpusetMems: true, Devices: true, DeviceCgroupRules: true, DeviceRequests: true, KernelMemory: true,
  KernelMemoryTCP: true, MemoryReservation: true, MemorySwap: true, MemorySwappiness: true, OomKillDisable: true, PidsLimit: true, Ulimits: true,
  CpuCount: true, CpuPercent: true, IOMaximumIOps: true, IOMaximumBandwidth: true, RestartPolicy: true,
});
export type ContainerUpdateRequest = z.infer<typeof ContainerUpdateRequestSchema>;

export interface ContainerUpdateResponse {
  Warnings: string[] | null;
}

export interface ContainerCreateResponse {
  Id: string;
  Warnings: string[];
}

export interface ContainerConfigDto {
  Hostname: string;
  Domainname: string;
  User: string;
  AttachStdin: boolean;
  AttachStdout: boolean;
  AttachStderr: boolean;
  ExposedPorts?: Record<string, unknown>;
  Tty: boolean;
  OpenStdin: boolean;
  StdinOnce: boolean;
  Env: string[];
  Cmd: string[] | null;
  Image: string;
  Volumes: Record<string, unknown> | null;
  WorkingDir: string;
  Entrypoint: string[] | null;
  OnBuild: string[] | null;
  Labels: Record<string, string>;
  Shell?: string[];
  StopSignal?: string;
  StopTimeout?: number;
  Healthcheck?: Record<string, unknown>;
}

export interface ContainerStateDto {
  Status: string;
  Running: boolean;
  Paused: boolean;
  Restarting: boolean;
  OOMKilled: boolean;
  Dead: boolean;
  Pid: number;
  ExitCode: number;
  Error: string;
  StartedAt: string;
  FinishedAt: string;
  /** Present once a container with a healthcheck has started. */
  Health?: { Status: string; FailingStreak: number; Log: { Start: string; End: string; ExitCode: number; Output: string }[] };
}

export interface MountPointDto {
  Type: string;
  /** Type volume: the volume's name and driver. */
  Name?: string;
  Driver?: string;
  Source: string;
  Destination: string;
  Mode: string;
  RW: boolean;
  Propagation: string;
}

export interface GraphDriverDto {
  Name: string;
  Data: Record<string, string>;
}

export interface ContainerInspectResponse {
  Id: string;
  Created: string;
  Path: string;
  Args: string[];
  State: ContainerStateDto;
  Image: string;
  ResolvConfPath: string;
  HostnamePath: string;
  HostsPath: string;
  LogPath: string;
  Name: string;
  RestartCount: number;
  Driver: string;
  Platform: string;
  MountLabel: string;
  ProcessLabel: string;
  AppArmorProfile: string;
  ExecIDs: string[] | null;
  HostConfig: Record<string, unknown>;
  GraphDriver: GraphDriverDto;
  SizeRw?: number;
  SizeRootFs?: number;
  Mounts: MountPointDto[];
  Config: ContainerConfigDto;
  NetworkSettings: Record<string, unknown>;
}

export interface ContainerSummaryDto {
  Id: string;
  Names: string[];
  Image: string;
  ImageID: string;
  Command: string;
  Created: number;
  Ports: unknown[];
  SizeRw?: number;
  SizeRootFs?: number;
  Labels: Record<string, string>;
  State: string;
  Status: string;
  HostConfig: { NetworkMode: string };
  NetworkSettings: { Networks: Record<string, unknown> };
  Mounts: MountPointDto[];
}

export interface ContainerWaitResponse {
  StatusCode: number;
  Error: { Message: string } | null;
}

export interface ContainerTopResponse {
  Titles: string[];
  Processes: string[][];
}

export interface ContainerPruneResponse {
  ContainersDeleted: string[] | null;
  SpaceReclaimed: number;
}

export const ExecCreateRequestSchema = z.looseObject({
  User: z.string().optional(),
  Privileged: z.boolean().optional(),
  Tty: z.boolean().optional(),
  ConsoleSize: z.array(int).nullable().optional(),
  AttachStdin: z.boolean().optional(),
  AttachStdout: z.boolean().optional(),
  AttachStderr: z.boolean().optional(),
  DetachKeys: z.string().optional(),
  Env: strList.nullable().optional(),
  WorkingDir: z.string().optional(),
  Cmd: strList.nullable().optional(),
});
export type ExecCreateRequest = z.infer<typeof ExecCreateRequestSchema>;

export const ExecStartRequestSchema = z.looseObject({
  Detach: z.boolean().optional(),
  Tty: z.boolean().optional(),
  ConsoleSize: z.array(int).nullable().optional(),
});
export type ExecStartRequest = z.infer<typeof ExecStartRequestSchema>;

export interface ExecInspectResponse {
  ID: string;
  Running: boolean;
  ExitCode: number | null;
  ProcessConfig: { tty: boolean; entrypoint: string; arguments: string[]; privileged: boolean; user: string };
  OpenStdin: boolean;
  OpenStderr: boolean;
  OpenStdout: boolean;
  CanRemove: boolean;
  ContainerID: string;
  DetachKeys: string;
  Pid: number;
}

/** docker's stats JSON (engine-api.md §5.6). */
export interface CpuStatsDto {
  cpu_usage: { total_usage: number; usage_in_kernelmode: number; usage_in_usermode: number; percpu_usage?: number[] };
  system_cpu_usage?: number;
  online_cpus?: number;
  throttling_data: { periods: number; throttled_periods: number; throttled_time: number };
}

export interface ContainerStatsResponse {
  name: string;
  id: string;
  read: string;
  preread: string;
  num_procs: number;
  pids_stats: { current?: number; limit?: number };
  cpu_stats: CpuStatsDto;
  precpu_stats: CpuStatsDto;
  memory_stats: { usage?: number; max_usage?: number; limit?: number; failcnt?: number; stats?: Record<string, number> };
  blkio_stats: { io_service_bytes_recursive: { major: number; minor: number; op: string; value: number }[] | null };
  storage_stats: Record<string, never>;
  networks?: Record<string, unknown>;
}

export interface EventMessageDto {
  status?: string;
  id?: string;
  from?: string;
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'local';
  time: number;
  timeNano: number;
}

/** Berth extension: `GET /berth/v1/containers/{id}/processes`. */
export interface BerthProcessDto {
  HostPid: number;
  ContainerPid: number | null;
  PPid: number;
  User: string;
  Command: string;
}

export interface BerthCgroupResourceDto {
  Limit: number | null;
  Usage: number | null;
}

export interface BerthContainerProcessesResponse {
  Id: string;
  Processes: BerthProcessDto[];
  Cgroup: {
    Version: 1 | 2;
    Memory: BerthCgroupResourceDto;
    Pids: BerthCgroupResourceDto;
    /** CPU limit in cores (NanoCpus / 1e9), usage as cumulative CPU seconds. */
    Cpu: BerthCgroupResourceDto & { Shares: number | null };
  };
}
