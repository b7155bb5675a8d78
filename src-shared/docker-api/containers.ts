/**
 * Engine API wire types and request schemas for containers, exec and events (PascalCase, as on
 * the wire). Request schemas accept the whole body the docker CLI v28 sends: fields berthd does not
 * model pass through untouched (loose objects), fields it does model are type-checked so a wrong
 * type is a 400 naming its path.
 */
import * as z from 'zod';

const strList = z.array(z.string());
/** Cmd/Entrypoint: an array, or (old clients, dockerode) a single string; null means unset. */
const strSlice = z.union([strList, z.string()]).nullable().optional();
const int = z.number().int();

export const RestartPolicySchema = z.looseObject({
  Name: z.string().optional(),
  MaximumRetryCount: int.optional(),
});

export const MountRequestSchema = z.looseObject({
  Type: z.string().optional(),
  Source: z.string().optional(),
  Target: z.string().optional(),
  ReadOnly: z.boolean().optional(),
});

export const HostConfigSchema = z.looseObject({
  Binds: strList.nullable().optional(),
  NetworkMode: z.string().optional(),
  AutoRemove: z.boolean().optional(),
  Init: z.boolean().nullable().optional(),
  Privileged: z.boolean().optional(),
  ReadonlyRootfs: z.boolean().optional(),
  Memory: int.optional(),
  MemorySwap: int.optional(),
  MemoryReservation: int.optional(),
  NanoCpus: int.optional(),
  CpuShares: int.optional(),
  CpuQuota: int.optional(),
  CpuPeriod: int.optional(),
  CpusetCpus: z.string().optional(),
  PidsLimit: int.nullable().optional(),
  OomKillDisable: z.boolean().nullable().optional(),
  CapAdd: strList.nullable().optional(),
  CapDrop: strList.nullable().optional(),
  ConsoleSize: z.array(int).nullable().optional(),
  ShmSize: int.optional(),
  LogConfig: z.looseObject({ Type: z.string().optional(), Config: z.record(z.string(), z.string()).nullable().optional() }).optional(),
  RestartPolicy: RestartPolicySchema.optional(),
  Mounts: z.array(MountRequestSchema).nullable().optional(),
  Tmpfs: z.record(z.string(), z.string()).nullable().optional(),
  Dns: strList.nullable().optional(),
  ExtraHosts: strList.nullable().optional(),
  Sysctls: z.record(z.string(), z.string()).nullable().optional(),
  MaskedPaths: strList.nullable().optional(),
  ReadonlyPaths: strList.nullable().optional(),
});
export type HostConfigDto = z.infer<typeof HostConfigSchema>;

export const ContainerCreateRequestSchema = z.looseObject({
  Hostname: z.string().optional(),
  Domainname: z.string().optional(),
  User: z.string().optional(),
  AttachStdin: z.boolean().optional(),
  AttachStdout: z.boolean().optional(),
  AttachStderr: z.boolean().optional(),
  Tty: z.boolean().optional(),
  OpenStdin: z.boolean().optional(),
  StdinOnce: z.boolean().optional(),
  Env: strList.nullable().optional(),
  Cmd: strSlice,
  Entrypoint: strSlice,
  Image: z.string().optional(),
  Labels: z.record(z.string(), z.string()).nullable().optional(),
  WorkingDir: z.string().optional(),
  StopSignal: z.string().optional(),
  StopTimeout: int.nullable().optional(),
  ExposedPorts: z.record(z.string(), z.unknown()).nullable().optional(),
  Volumes: z.record(z.string(), z.unknown()).nullable().optional(),
  HostConfig: HostConfigSchema.nullable().optional(),
  NetworkingConfig: z.unknown().optional(),
});
export type ContainerCreateRequest = z.infer<typeof ContainerCreateRequestSchema>;

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
  StopSignal?: string;
  StopTimeout?: number;
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
}

export interface MountPointDto {
  Type: string;
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
