import type { DiskUsageView, EngineInfoView } from '../../src-shared/ipc/models/system';
import { toDiskUsageView } from './disk-usage';
import type { HostsService } from './hosts-service';

export class SystemService {
  constructor(private readonly hosts: HostsService) {}

  async info(hostId: string): Promise<EngineInfoView> {
    const client = this.hosts.client(hostId);
    const [info, version, mirrors] = await Promise.all([client.info(), client.version(), client.mirrorsConfig().catch(() => null)]);
    return {
      hostId,
      name: info.Name,
      serverVersion: info.ServerVersion,
      apiVersion: version.ApiVersion,
      os: info.OSType,
      operatingSystem: info.OperatingSystem,
      kernelVersion: info.KernelVersion,
      architecture: info.Architecture,
      ncpu: info.NCPU,
      memTotal: info.MemTotal,
      storageDriver: info.Driver,
      cgroupVersion: info.CgroupVersion,
      dockerRootDir: info.DockerRootDir,
      containers: info.Containers,
      containersRunning: info.ContainersRunning,
      containersPaused: info.ContainersPaused ?? 0,
      containersStopped: info.ContainersStopped,
      images: info.Images,
      registryMirrors: info.RegistryConfig?.Mirrors ?? [],
      ...(info.BerthDefaultBridge ? { defaultBridge: { subnet: info.BerthDefaultBridge.Subnet, gateway: info.BerthDefaultBridge.Gateway } } : {}),
      isBerth: mirrors !== null,
      warnings: info.Warnings ?? [],
    };
  }

  /** `docker system df`'s numbers, computed as the CLI does. */
  async diskUsage(hostId: string): Promise<DiskUsageView> {
    return toDiskUsageView(await this.hosts.client(hostId).systemDf());
  }
}
