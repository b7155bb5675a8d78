/**
 * The container engine's public models and dependencies (camelCase; the API layer maps them to
 * Docker DTOs). Re-exported by container-service.ts, which callers import.
 */
import type { PublishedPort } from '../networks/port-spec';
import type { RootfsGate } from './rootfs-gate';
import type { Logger } from '../../lib/logger';
import type { ContainerStore } from '../../store/containers/container-store';
import type { ContainerConfig, ContainerRecord, HostConfig } from '../../store/containers/container-record';
import type { ContainerProcessInfo, ContainerStats, Runtime } from '../../runtime/runtime';
import type { EventsService } from '../events/events-service';
import type { ContainerEndpoint, ContainerImageSource, ContainerLayerSource, ContainerNetworks, ContainerVolumeSource } from './container-ports';
import type { HostLsm } from '../../platform/lsm';
import type { SecurityDefaults } from './security-opts';
import type { HealthProber } from './health-monitor';
import type { LogConfig } from './log-driver';

/** What `docker create` asks for, already mapped from the wire and with defaults filled. */
export interface ContainerCreateInput {
  name?: string;
  config: ContainerConfig;
  hostConfig: HostConfig;
  /** Warnings of the API layer (fields dockerd discards on Linux), returned with the engine's own. */
  warnings?: string[];
  /** HostConfig.StorageOpt: never stored, always refused at create (storage-opt.ts). */
  storageOpt?: Record<string, string>;
  /** NetworkingConfig.EndpointsConfig, by network name or ID. */
  endpoints?: Record<string, { aliases?: string[]; ipv4Address?: string; macAddress?: string }>;
}

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';

export interface WaitResult {
  statusCode: number;
  error?: string;
}

export interface ContainerListOptions {
  all: boolean;
  limit?: number;
  size: boolean;
  filters: Map<string, string[]>;
}

export interface ContainerView {
  record: ContainerRecord;
  execIds: string[];
  /** "berth-default", a custom profile, "unconfined", or "" where AppArmor is off. */
  apparmorProfile: string;
  /** Its network attachments (with the network engine). */
  networks?: ContainerEndpoint[];
  /** Published ports in force (running containers). */
  ports?: PublishedPort[];
  sizeRw?: number;
  sizeRootFs?: number;
}

export interface StatsSample {
  current: ContainerStats | undefined;
  previous: ContainerStats | undefined;
  record: ContainerRecord;
}

export interface ProcessMap {
  record: ContainerRecord;
  processes: (ContainerProcessInfo & { user: string })[];
  stats: ContainerStats | undefined;
  cgroupVersion: 1 | 2;
}

export interface ContainerServiceDeps {
  store: ContainerStore;
  runtime: Runtime;
  images: ContainerImageSource;
  layers: ContainerLayerSource;
  /** Volumes (engine/volumes); absent in tests that need none: then only host binds are accepted. */
  volumes?: ContainerVolumeSource;
  /** Networks (engine/networks); absent in tests that need none: then only none/host/default (as none). */
  networks?: ContainerNetworks;
  events: EventsService;
  log: Logger;
  /** Host LSMs, for refusing `--security-opt apparmor=/label=` the host cannot honour. */
  hostLsm?: HostLsm;
  /** daemon.json's security defaults (seccomp-profile, no-new-privileges), read at each start. */
  securityDefaults?: () => SecurityDefaults;
  /** Keeps a start apart from `docker cp` views of the stopped rootfs (shared with container-data). */
  rootfsGate?: RootfsGate;
  /** Runs healthcheck probes (the exec engine, late-bound); absent: healthchecks never run. */
  healthProber?: () => HealthProber | undefined;
  /** daemon.json's log-driver/log-opts, read at each create; absent: json-file without options. */
  logDefaults?: () => LogConfig;
}
