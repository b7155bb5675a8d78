import type { SystemInfoResponse, VersionResponse } from '../../../../src-shared/docker-api/system';
import type { HostInfo, VersionInfo } from '../../engine/system/system-service';
import type { DaemonConfig } from '../../config/daemon-config';

const BUILD_TIME = new Date().toISOString();

export function toVersionResponse(v: VersionInfo): VersionResponse {
  const details = {
    ApiVersion: v.apiVersion,
    MinAPIVersion: v.minApiVersion,
    GitCommit: 'berth',
    GoVersion: `node${v.nodeVersion}`,
    Os: v.os,
    Arch: v.arch,
    KernelVersion: v.kernelVersion,
    BuildTime: BUILD_TIME,
  };
  return {
    Platform: { Name: 'Berth' },
    Components: [{ Name: 'Engine', Version: v.version, Details: details }],
    Version: v.version,
    ...details,
  };
}

/**
 * `/info` as the CLI prints it. Fields owned by later services (mirrors, cgroup version, data
 * root) are passed in through `extra` so this mapper stays the single place for the shape.
 */
export function toInfoResponse(
  v: VersionInfo,
  host: HostInfo,
  containers: { total: number; running: number; paused: number; stopped: number },
  images: number,
  extra: Partial<SystemInfoResponse> = {},
): SystemInfoResponse {
  return {
    ID: host.name,
    Containers: containers.total,
    ContainersRunning: containers.running,
    ContainersPaused: containers.paused,
    ContainersStopped: containers.stopped,
    Images: images,
    Driver: 'overlay2',
    DriverStatus: [['Backing Filesystem', 'extfs'], ['Supports d_type', 'true']],
    Plugins: { Volume: ['local'], Network: ['host', 'none'], Log: ['json-file', 'local'] },
    MemoryLimit: true,
    SwapLimit: true,
    CpuCfsPeriod: true,
    CpuCfsQuota: true,
    CPUShares: true,
    CPUSet: false,
    PidsLimit: true,
    LoggingDriver: 'json-file',
    CgroupDriver: 'cgroupfs',
    CgroupVersion: '1',
    KernelVersion: host.kernelVersion,
    OperatingSystem: host.operatingSystem,
    OSVersion: host.osVersion,
    OSType: 'linux',
    Architecture: host.architecture,
    NCPU: host.ncpu,
    MemTotal: host.memTotal,
    DockerRootDir: '',
    Name: host.name,
    ServerVersion: v.version,
    IndexServerAddress: 'https://index.docker.io/v1/',
    RegistryConfig: {
      IndexConfigs: { 'docker.io': { Name: 'docker.io', Mirrors: [], Secure: true, Official: true } },
      InsecureRegistryCIDRs: ['127.0.0.0/8', '::1/128'],
      Mirrors: [],
    },
    Runtimes: { berth: { path: 'berth-shim' } },
    DefaultRuntime: 'berth',
    Swarm: { LocalNodeState: 'inactive' },
    SecurityOptions: [],
    Warnings: [],
    ...extra,
  };
}

/** Loopback is always plain HTTP, as in dockerd's default InsecureRegistryCIDRs. */
const LOOPBACK_CIDRS = ['::1/128', '127.0.0.0/8'];

/**
 * `RegistryConfig` of `/info` from the live config, shaped like dockerd's: Hub mirrors keep
 * dockerd's trailing slash ("Registry Mirrors:" in `docker info`), CIDR insecure entries go to
 * InsecureRegistryCIDRs and host entries become non-secure IndexConfigs (the CLI lists both under
 * "Insecure Registries:"). Berth's per-registry `mirrors` appear as those registries' IndexConfigs.
 */
export function toRegistryConfigDto(config: DaemonConfig): SystemInfoResponse['RegistryConfig'] {
  const slash = (url: string): string => `${url}/`;
  const hubMirrors = config.registryMirrors.map(slash);
  const indexConfigs: SystemInfoResponse['RegistryConfig']['IndexConfigs'] = {
    'docker.io': { Name: 'docker.io', Mirrors: hubMirrors, Secure: true, Official: true },
  };
  const cidrs = [...LOOPBACK_CIDRS];
  for (const entry of config.insecureRegistries) {
    if (entry.includes('/')) {
      if (!cidrs.includes(entry)) cidrs.push(entry);
    } else {
      indexConfigs[entry] = { Name: entry, Mirrors: [], Secure: false, Official: false };
    }
  }
  for (const [host, urls] of Object.entries(config.mirrors)) {
    const existing = indexConfigs[host];
    indexConfigs[host] = { Name: host, Mirrors: urls.map(slash), Secure: existing?.Secure ?? true, Official: false };
  }
  return { IndexConfigs: indexConfigs, InsecureRegistryCIDRs: cidrs, Mirrors: hubMirrors };
}
