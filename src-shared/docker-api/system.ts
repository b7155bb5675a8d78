/** Engine API wire types for the system endpoints (PascalCase, as on the wire). */
import type { ContainerSummaryDto } from './containers';
import type { ImageSummaryDto } from './images';
import type { VolumeDto } from './volumes';

export interface VersionComponentDto {
  Name: string;
  Version: string;
  Details: Record<string, string>;
}

export interface VersionResponse {
  Platform: { Name: string };
  Components: VersionComponentDto[];
  Version: string;
  ApiVersion: string;
  MinAPIVersion: string;
  GitCommit: string;
  GoVersion: string;
  Os: string;
  Arch: string;
  KernelVersion: string;
  BuildTime: string;
}

export interface IndexConfigDto {
  Name: string;
  Mirrors: string[];
  Secure: boolean;
  Official: boolean;
}

export interface SystemInfoResponse {
  ID: string;
  Containers: number;
  ContainersRunning: number;
  ContainersPaused: number;
  ContainersStopped: number;
  Images: number;
  Driver: string;
  DriverStatus: [string, string][];
  Plugins: { Volume: string[]; Network: string[]; Log: string[] };
  MemoryLimit: boolean;
  SwapLimit: boolean;
  CpuCfsPeriod: boolean;
  CpuCfsQuota: boolean;
  CPUShares: boolean;
  CPUSet: boolean;
  PidsLimit: boolean;
  LoggingDriver: string;
  CgroupDriver: string;
  CgroupVersion: string;
  KernelVersion: string;
  OperatingSystem: string;
  OSVersion: string;
  OSType: string;
  Architecture: string;
  NCPU: number;
  MemTotal: number;
  DockerRootDir: string;
  /** Berth: the default bridge's device, subnet and gateway (chosen to avoid the host's routes); absent with --bridge=none. */
  BerthDefaultBridge?: { Bridge: string; Subnet: string; Gateway: string };
  Name: string;
  ServerVersion: string;
  IndexServerAddress: string;
  RegistryConfig: {
    IndexConfigs: Record<string, IndexConfigDto>;
    InsecureRegistryCIDRs: string[];
    Mirrors: string[];
  };
  Runtimes: Record<string, { path: string }>;
  DefaultRuntime: string;
  Swarm: { LocalNodeState: string };
  SecurityOptions: string[];
  Warnings: string[];
}

/** POST /build/prune (`docker builder prune`). */
export interface BuildCachePruneResponse {
  CachesDeleted: string[] | null;
  SpaceReclaimed: number;
}

/** GET /system/df BuildCache item. */
export interface BuildCacheRecordDto {
  ID: string;
  Type: string;
  Description: string;
  InUse: boolean;
  Shared: boolean;
  /** Bytes. */
  Size: number;
  CreatedAt: string;
  LastUsedAt: string | null;
  UsageCount: number;
}

/**
 * GET /system/df as a client reads it: the images part is `SystemDfResponse`'s, the other sections
 * typed (each may be null on dockerd when empty).
 */
export interface SystemDfDto {
  /** Bytes on disk of every image layer, each counted once (what `docker system df` calls the images' size). */
  LayersSize: number;
  Images: ImageSummaryDto[] | null;
  Containers: ContainerSummaryDto[] | null;
  Volumes: VolumeDto[] | null;
  BuildCache: BuildCacheRecordDto[] | null;
}
