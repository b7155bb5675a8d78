import { hostname, cpus, totalmem, release, arch } from 'node:os';
import { readFile } from 'node:fs/promises';
import { API_VERSION, BERTH_VERSION, MIN_API_VERSION } from '../../lib/version';

export interface VersionInfo {
  version: string;
  apiVersion: string;
  minApiVersion: string;
  os: string;
  arch: string;
  kernelVersion: string;
  nodeVersion: string;
}

export interface HostInfo {
  name: string;
  kernelVersion: string;
  operatingSystem: string;
  osVersion: string;
  architecture: string;
  ncpu: number;
  memTotal: number;
}

/** Counts contributed by the other engine services; each is optional until that service exists. */
export interface SystemCounters {
  containers?: () => Promise<{ total: number; running: number; paused: number; stopped: number }>;
  images?: () => Promise<number>;
  /** `/info` SecurityOptions, e.g. "name=seccomp,profile=builtin" (what containers really get). */
  securityOptions?: () => string[];
  /** What the runtime really uses: `docker info` must not claim cgroup v1 on a v2 host. */
  cgroups?: () => { version: 1 | 2; driver: string };
  dataRoot?: string;
  /** The default bridge berthd chose (a subnet free on the host), undefined with --bridge=none. */
  defaultBridge?: () => { bridge: string; subnet: string; gateway: string } | undefined;
}

const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
const UNAME_ARCH: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', arm: 'armv7l', ia32: 'i686', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

/** Facts about this daemon and host, for `/version`, `/info` and `_ping`. */
export class SystemService {
  private osRelease?: Promise<{ pretty: string; version: string }>;

  constructor(private readonly counters: SystemCounters = {}) {}

  version(): VersionInfo {
    return {
      version: BERTH_VERSION,
      apiVersion: API_VERSION,
      minApiVersion: MIN_API_VERSION,
      os: 'linux',
      arch: GO_ARCH[arch()] ?? arch(),
      kernelVersion: release(),
      nodeVersion: process.version,
    };
  }

  async host(): Promise<HostInfo> {
    this.osRelease ??= readOsRelease();
    const os = await this.osRelease;
    return {
      name: hostname(),
      kernelVersion: release(),
      operatingSystem: os.pretty,
      osVersion: os.version,
      architecture: UNAME_ARCH[arch()] ?? arch(),
      ncpu: cpus().length,
      memTotal: totalmem(),
    };
  }

  async containerCounts(): Promise<{ total: number; running: number; paused: number; stopped: number }> {
    return (await this.counters.containers?.()) ?? { total: 0, running: 0, paused: 0, stopped: 0 };
  }

  securityOptions(): string[] {
    return this.counters.securityOptions?.() ?? [];
  }

  /** `/info` fields that come from the runtime and the daemon's options. */
  runtimeFacts(): { CgroupVersion?: string; CgroupDriver?: string; DockerRootDir?: string; BerthDefaultBridge?: { Bridge: string; Subnet: string; Gateway: string } } {
    const cg = this.counters.cgroups?.();
    const br = this.counters.defaultBridge?.();
    return {
      ...(br ? { BerthDefaultBridge: { Bridge: br.bridge, Subnet: br.subnet, Gateway: br.gateway } } : {}),
      ...(cg ? { CgroupVersion: String(cg.version), CgroupDriver: cg.driver } : {}),
      ...(this.counters.dataRoot !== undefined ? { DockerRootDir: this.counters.dataRoot } : {}),
    };
  }

  async imageCount(): Promise<number> {
    return (await this.counters.images?.()) ?? 0;
  }
}

async function readOsRelease(): Promise<{ pretty: string; version: string }> {
  try {
    const text = await readFile('/etc/os-release', 'utf8');
    const get = (key: string): string | undefined => new RegExp(`^${key}="?([^"\\n]*)"?$`, 'm').exec(text)?.[1];
    return { pretty: get('PRETTY_NAME') ?? 'Linux', version: get('VERSION_ID') ?? '' };
  } catch {
    return { pretty: 'Linux', version: '' };
  }
}
