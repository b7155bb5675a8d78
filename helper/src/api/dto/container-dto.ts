import { normalizeBindings, portKeys } from '../../engine/networks/port-spec';
import { publishesPorts } from '../../engine/containers/container-publish';
import type {
  BerthContainerProcessesResponse,
  ContainerConfigDto,
  ContainerCreateRequest,
  ContainerInspectResponse,
  ContainerStatsResponse,
  ContainerSummaryDto,
  CpuStatsDto,
  EventMessageDto,
  ExecCreateRequest,
  ExecInspectResponse,
  HostConfigDto,
  MountPointDto,
} from '../../../../src-shared/docker-api/containers';
import { defaultHostConfig, type BindMount, type ContainerConfig, type ContainerRecord, type HostConfig, type ThrottleDevice, type WeightDevice } from '../../store/containers/container-record';
import { invalidArgument } from '../../lib/errors';
import type { ContainerCreateInput, ContainerStats, ContainerView, ProcessMap, StatsSample } from '../../engine/containers/container-service';
import { checkCreateSupport } from './create-support';
import { mountsEcho } from './mount-echo';
import { toHealthcheckDto, toHealthConfig, toHealthStateDto } from './health-dto';
import { healthSuffix } from '../../engine/containers/health-config';

const withHealth = (h: ContainerConfig['healthcheck']): Pick<ContainerConfig, 'healthcheck'> => (h ? { healthcheck: h } : {});
import type { ExecCreateInput, ExecRecord } from '../../engine/exec/exec-service';
import type { EngineEvent } from '../../engine/events/events-service';

const ZERO_TIME = '0001-01-01T00:00:00Z';

const toSlice = (v: string[] | string | null | undefined): string[] | null => (v === undefined || v === null ? null : typeof v === 'string' ? [v] : v);

type MountRequestDto = NonNullable<HostConfigDto['Mounts']>[number];

/** HostConfig lists dockerd echoes exactly as decoded: `[]` stays `[]`, absent or null is null. */
const ECHOED_LISTS = ['Binds', 'VolumesFrom', 'Dns', 'DnsOptions', 'DnsSearch', 'Ulimits', 'Devices', 'BlkioWeightDevice', 'BlkioDeviceReadBps', 'BlkioDeviceWriteBps', 'BlkioDeviceReadIOps', 'BlkioDeviceWriteIOps'] as const;
type EchoedList = (typeof ECHOED_LISTS)[number];

/** One posted HostConfig.Mounts entry; a type berthd cannot mount is refused, never turned into another. */
function toMount(m: MountRequestDto): BindMount {
  const base = { destination: m.Target ?? '', readOnly: m.ReadOnly ?? false };
  switch (m.Type) {
    case 'bind':
      return {
        ...base,
        type: 'bind',
        source: m.Source ?? '',
        // dockerd keeps Mode empty for a Mounts entry (ReadOnly shows as RW: false), unlike `-v …:ro`.
        mode: '',
        ...(m.BindOptions?.Propagation ? { propagation: m.BindOptions.Propagation as BindMount['propagation'] } : {}),
      };
    case 'tmpfs':
      return {
        ...base,
        type: 'tmpfs',
        source: m.Source ?? '',
        mode: '',
        ...(m.TmpfsOptions ? { tmpfsOptions: { sizeBytes: m.TmpfsOptions.SizeBytes ?? 0, mode: m.TmpfsOptions.Mode ?? 0 } } : {}),
      };
    case 'volume': {
      const o = m.VolumeOptions ?? {};
      const driver = o.DriverConfig?.Name ?? '';
      if (driver !== '' && driver !== 'local') throw invalidArgument('VOLUME_DRIVER_UNSUPPORTED', `error looking up volume plugin ${driver}: plugin "${driver}" not found`);
      return {
        ...base,
        type: 'volume',
        source: '',
        ...(m.Source ? { name: m.Source } : { anonymous: true }),
        mode: 'z',
        noCopy: o.NoCopy ?? false,
        volumeOptions: { labels: o.Labels ?? {}, driverOpts: o.DriverConfig?.Options ?? {} },
      };
    }
    default:
      throw invalidArgument('MOUNT_TYPE_UNSUPPORTED', `invalid mount config: mount type "${m.Type ?? ''}" is not supported by berthd (bind, volume, tmpfs)`);
  }
}

/** The create body as the engine's input, with dockerd's defaults filled (fields not applied are refused before, in create-support.ts). */
export function toContainerCreateInput(body: ContainerCreateRequest, name: string | undefined): ContainerCreateInput {
  const warnings = checkCreateSupport(body);
  const endpoints: NonNullable<ContainerCreateInput['endpoints']> = {};
  for (const [net, ep] of Object.entries(body.NetworkingConfig?.EndpointsConfig ?? {})) {
    endpoints[net] = {
      aliases: ep?.Aliases ?? [],
      ...(ep?.IPAMConfig?.IPv4Address ? { ipv4Address: ep.IPAMConfig.IPv4Address } : {}),
      ...(ep?.MacAddress ? { macAddress: ep.MacAddress } : {}),
    };
  }
  const hc: HostConfigDto = body.HostConfig ?? {};
  const links = [...(hc.Links ?? []), ...Object.values(body.NetworkingConfig?.EndpointsConfig ?? {}).flatMap((ep) => ep?.Links ?? [])];
  if (hc.VolumeDriver && hc.VolumeDriver !== 'local') throw invalidArgument('VOLUME_DRIVER_UNSUPPORTED', `error looking up volume plugin ${hc.VolumeDriver}: plugin "${hc.VolumeDriver}" not found`);
  const [h = 0, w = 0] = hc.ConsoleSize ?? [];
  const config: ContainerConfig = {
    hostname: body.Hostname ?? '',
    domainname: body.Domainname ?? '',
    user: body.User ?? '',
    attachStdin: body.AttachStdin ?? false,
    attachStdout: body.AttachStdout ?? false,
    attachStderr: body.AttachStderr ?? false,
    tty: body.Tty ?? false,
    openStdin: body.OpenStdin ?? false,
    stdinOnce: body.StdinOnce ?? false,
    env: body.Env ?? [],
    cmd: toSlice(body.Cmd),
    entrypoint: toSlice(body.Entrypoint),
    image: body.Image ?? '',
    workingDir: body.WorkingDir ?? '',
    labels: body.Labels ?? {},
    stopSignal: body.StopSignal || undefined,
    stopTimeout: body.StopTimeout ?? undefined,
    exposedPorts: body.ExposedPorts ?? undefined,
    volumes: body.Volumes ?? null,
    // Posted ONBUILD triggers and SHELL are kept, reported and committed into an image, as by dockerd.
    onBuild: body.OnBuild && body.OnBuild.length > 0 ? body.OnBuild : null,
    ...(body.Shell && body.Shell.length > 0 ? { shell: body.Shell } : {}),
    ...withHealth(toHealthConfig(body.Healthcheck)),
  };
  const d = defaultHostConfig();
  const hostConfig: HostConfig = {
    ...d,
    binds: hc.Binds ?? [],
    postedLists: ECHOED_LISTS.filter((k) => Array.isArray(hc[k])),
    mounts: (hc.Mounts ?? []).map(toMount),
    ...(hc.Mounts ? { postedMounts: hc.Mounts } : {}),
    ...(hc.VolumesFrom && hc.VolumesFrom.length > 0 ? { volumesFrom: hc.VolumesFrom } : {}),
    networkMode: hc.NetworkMode || d.networkMode,
    portBindings: normalizeBindings(hc.PortBindings),
    publishAllPorts: hc.PublishAllPorts ?? false,
    autoRemove: hc.AutoRemove ?? false,
    init: hc.Init ?? false,
    initSet: hc.Init !== undefined && hc.Init !== null,
    privileged: hc.Privileged ?? false,
    readonlyRootfs: hc.ReadonlyRootfs ?? false,
    memory: hc.Memory ?? 0,
    memorySwap: hc.MemorySwap ?? 0,
    memoryReservation: hc.MemoryReservation ?? 0,
    nanoCpus: hc.NanoCpus ?? 0,
    cpuShares: hc.CpuShares ?? 0,
    cpuQuota: hc.CpuQuota ?? 0,
    cpuPeriod: hc.CpuPeriod ?? 0,
    cpusetCpus: hc.CpusetCpus ?? '',
    cpusetMems: hc.CpusetMems ?? '',
    pidsLimit: hc.PidsLimit ?? 0,
    oomKillDisable: hc.OomKillDisable ?? false,
    // -1 is the CLI's "unset".
    memorySwappiness: hc.MemorySwappiness === undefined || hc.MemorySwappiness === null || hc.MemorySwappiness === -1 ? null : hc.MemorySwappiness,
    kernelMemoryTcp: hc.KernelMemoryTCP ?? 0,
    oomScoreAdj: hc.OomScoreAdj ?? 0,
    groupAdd: hc.GroupAdd ?? [],
    blkioWeight: hc.BlkioWeight ?? 0,
    cpuRealtimePeriod: hc.CpuRealtimePeriod ?? 0,
    cpuRealtimeRuntime: hc.CpuRealtimeRuntime ?? 0,
    blkioWeightDevice: (hc.BlkioWeightDevice ?? []).map((x) => ({ path: x.Path, weight: x.Weight })),
    blkioDeviceReadBps: (hc.BlkioDeviceReadBps ?? []).map((x) => ({ path: x.Path, rate: x.Rate })),
    blkioDeviceWriteBps: (hc.BlkioDeviceWriteBps ?? []).map((x) => ({ path: x.Path, rate: x.Rate })),
    blkioDeviceReadIOps: (hc.BlkioDeviceReadIOps ?? []).map((x) => ({ path: x.Path, rate: x.Rate })),
    blkioDeviceWriteIOps: (hc.BlkioDeviceWriteIOps ?? []).map((x) => ({ path: x.Path, rate: x.Rate })),
    devices: (hc.Devices ?? []).map((x) => ({ pathOnHost: x.PathOnHost ?? '', pathInContainer: x.PathInContainer ?? '', cgroupPermissions: x.CgroupPermissions ?? '' })),
    deviceCgroupRules: hc.DeviceCgroupRules ?? [],
    pidMode: hc.PidMode ?? '',
    // dockerd's default-ipc-mode: private.
    ipcMode: hc.IpcMode || d.ipcMode,
    utsMode: hc.UTSMode ?? '',
    // '' takes dockerd's default for the cgroup version at create (engine/containers/container-create.ts).
    cgroupnsMode: hc.CgroupnsMode ?? '',
    cgroupParent: hc.CgroupParent ?? '',
    ulimits: (hc.Ulimits ?? []).map((u) => ({ name: u.Name, soft: u.Soft, hard: u.Hard })),
    capAdd: hc.CapAdd ?? [],
    capDrop: hc.CapDrop ?? [],
    consoleSize: [h, w],
    shmSize: hc.ShmSize && hc.ShmSize > 0 ? hc.ShmSize : d.shmSize,
    restartPolicy: { name: hc.RestartPolicy?.Name || 'no', maximumRetryCount: hc.RestartPolicy?.MaximumRetryCount ?? 0 },
    // An empty Type takes daemon.json's log-driver/log-opts at create (engine/containers/log-driver.ts).
    logConfig: { type: hc.LogConfig?.Type ?? '', config: hc.LogConfig?.Config ?? {} },
    dns: hc.Dns ?? [],
    // The CLI sends --link in the endpoint of a user network (API >= 1.44), older clients in HostConfig.
    ...(links.length > 0 ? { links: links.map(normalizeLink) } : {}),
    dnsSearch: hc.DnsSearch ?? [],
    dnsOptions: hc.DnsOptions ?? [],
    extraHosts: hc.ExtraHosts ?? [],
    sysctls: hc.Sysctls ?? {},
    tmpfs: hc.Tmpfs ?? {},
    maskedPaths: hc.MaskedPaths ?? [],
    readonlyPaths: hc.ReadonlyPaths ?? [],
    runtime: hc.Runtime || d.runtime,
    containerIdFile: hc.ContainerIDFile ?? '',
    securityOpt: hc.SecurityOpt ?? [],
    usernsMode: hc.UsernsMode ?? '',
  };
  if (!publishesPorts(hostConfig.networkMode) && (Object.keys(hostConfig.portBindings ?? {}).length > 0 || hostConfig.publishAllPorts === true)) {
    warnings.push('Published ports are discarded when using host network mode');
  }
  return { name, config, hostConfig, warnings, endpoints, ...(hc.StorageOpt && Object.keys(hc.StorageOpt).length > 0 ? { storageOpt: hc.StorageOpt } : {}) };
}

const weightDto = (l: WeightDevice[]): Array<{ Path: string; Weight: number }> => l.map((x) => ({ Path: x.path, Weight: x.weight }));
const rateDto = (l: ThrottleDevice[]): Array<{ Path: string; Rate: number }> => l.map((x) => ({ Path: x.path, Rate: x.rate }));
const orNull = <T>(l: T[]): T[] | null => (l.length > 0 ? l : null);

/** An empty ECHOED_LISTS field as dockerd shows it: `[]` if posted so, else null; `legacy` for records from before postedLists. */
const echoList = <T>(hc: HostConfig, key: EchoedList, l: T[], legacy: T[] | null): T[] | null =>
  l.length > 0 ? l : hc.postedLists === undefined ? legacy : hc.postedLists.includes(key) ? [] : null;

/** Inspect's HostConfig: every field dockerd reports, each with the value in force. */
export function toHostConfigDto(hc: HostConfig): Record<string, unknown> {
  return {
    Binds: echoList(hc, 'Binds', hc.binds, null),
    ContainerIDFile: hc.containerIdFile,
    LogConfig: { Type: hc.logConfig.type, Config: hc.logConfig.config },
    NetworkMode: hc.networkMode,
    PortBindings: portBindingsDto(hc.portBindings ?? {}),
    RestartPolicy: { Name: hc.restartPolicy.name, MaximumRetryCount: hc.restartPolicy.maximumRetryCount },
    AutoRemove: hc.autoRemove,
    VolumeDriver: '',
    VolumesFrom: echoList(hc, 'VolumesFrom', hc.volumesFrom ?? [], hc.volumesFrom ?? null),
    ConsoleSize: hc.consoleSize,
    CapAdd: orNull(hc.capAdd),
    CapDrop: orNull(hc.capDrop),
    CgroupnsMode: hc.cgroupnsMode,
    Dns: echoList(hc, 'Dns', hc.dns, []),
    DnsOptions: echoList(hc, 'DnsOptions', hc.dnsOptions ?? [], []),
    DnsSearch: echoList(hc, 'DnsSearch', hc.dnsSearch ?? [], []),
    ExtraHosts: orNull(hc.extraHosts),
    GroupAdd: orNull(hc.groupAdd),
    IpcMode: hc.ipcMode,
    Cgroup: '',
    Links: hc.links && hc.links.length > 0 ? hc.links : null,
    OomScoreAdj: hc.oomScoreAdj,
    PidMode: hc.pidMode,
    Privileged: hc.privileged,
    PublishAllPorts: hc.publishAllPorts ?? false,
    ReadonlyRootfs: hc.readonlyRootfs,
    SecurityOpt: orNull(hc.securityOpt),
    ...(Object.keys(hc.tmpfs).length > 0 ? { Tmpfs: hc.tmpfs } : {}),
    UTSMode: hc.utsMode,
    UsernsMode: hc.usernsMode,
    ShmSize: hc.shmSize,
    ...(Object.keys(hc.sysctls).length > 0 ? { Sysctls: hc.sysctls } : {}),
    Runtime: hc.runtime,
    Isolation: '',
    CpuShares: hc.cpuShares,
    Memory: hc.memory,
    NanoCpus: hc.nanoCpus,
    CgroupParent: hc.cgroupParent,
    BlkioWeight: hc.blkioWeight,
    BlkioWeightDevice: echoList(hc, 'BlkioWeightDevice', weightDto(hc.blkioWeightDevice), []),
    BlkioDeviceReadBps: echoList(hc, 'BlkioDeviceReadBps', rateDto(hc.blkioDeviceReadBps), []),
    BlkioDeviceWriteBps: echoList(hc, 'BlkioDeviceWriteBps', rateDto(hc.blkioDeviceWriteBps), []),
    BlkioDeviceReadIOps: echoList(hc, 'BlkioDeviceReadIOps', rateDto(hc.blkioDeviceReadIOps), []),
    BlkioDeviceWriteIOps: echoList(hc, 'BlkioDeviceWriteIOps', rateDto(hc.blkioDeviceWriteIOps), []),
    CpuPeriod: hc.cpuPeriod,
    CpuQuota: hc.cpuQuota,
    CpuRealtimePeriod: hc.cpuRealtimePeriod,
    CpuRealtimeRuntime: hc.cpuRealtimeRuntime,
    CpusetCpus: hc.cpusetCpus,
    CpusetMems: hc.cpusetMems,
    Devices: echoList(hc, 'Devices', hc.devices.map((x) => ({ PathOnHost: x.pathOnHost, PathInContainer: x.pathInContainer, CgroupPermissions: x.cgroupPermissions })), []),
    DeviceCgroupRules: orNull(hc.deviceCgroupRules),
    DeviceRequests: null,
    MemoryReservation: hc.memoryReservation,
    MemorySwap: hc.memorySwap,
    MemorySwappiness: hc.memorySwappiness,
    ...(hc.kernelMemoryTcp ? { KernelMemoryTCP: hc.kernelMemoryTcp } : {}),
    OomKillDisable: hc.oomKillDisable,
    PidsLimit: hc.pidsLimit > 0 ? hc.pidsLimit : null,
    Ulimits: echoList(hc, 'Ulimits', hc.ulimits.map((u) => ({ Name: u.name, Hard: u.hard, Soft: u.soft })), []),
    CpuCount: 0,
    CpuPercent: 0,
    IOMaximumIOps: 0,
    IOMaximumBandwidth: 0,
    // Binds are parsed into the front of `mounts`; the rest came from the posted Mounts.
    ...(hc.postedMounts !== undefined
      ? { Mounts: mountsEcho(hc.postedMounts) }
      : hc.mounts.length > hc.binds.length
        ? { Mounts: hc.mounts.slice(hc.binds.length).map((m) => ({ Type: m.type, Source: m.source, Target: m.destination, ReadOnly: m.readOnly })) }
        : {}),
    MaskedPaths: hc.privileged ? null : hc.maskedPaths.length > 0 ? hc.maskedPaths : DEFAULT_MASKED_PATHS,
    ReadonlyPaths: hc.privileged ? null : hc.readonlyPaths.length > 0 ? hc.readonlyPaths : DEFAULT_READONLY_PATHS,
    // A *bool with omitempty in moby: shown only when posted (docker run --init, compose init:).
    ...(hc.initSet === false ? {} : { Init: hc.init }),
  };
}

/** dockerd's defaults, echoed in inspect as it does (engine-api.md §5.1). */
const DEFAULT_MASKED_PATHS = [
  '/proc/asound', '/proc/acpi', '/proc/interrupts', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
];
const DEFAULT_READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

export function toContainerConfigDto(c: ContainerConfig): ContainerConfigDto {
  return {
    Hostname: c.hostname,
    Domainname: c.domainname,
    User: c.user,
    AttachStdin: c.attachStdin,
    AttachStdout: c.attachStdout,
    AttachStderr: c.attachStderr,
    ...(c.exposedPorts ? { ExposedPorts: c.exposedPorts } : {}),
    Tty: c.tty,
    OpenStdin: c.openStdin,
    StdinOnce: c.stdinOnce,
    Env: c.env,
    Cmd: c.cmd,
    Image: c.image,
    Volumes: c.volumes,
    WorkingDir: c.workingDir,
    Entrypoint: c.entrypoint,
    OnBuild: c.onBuild,
    Labels: c.labels,
    ...(c.shell ? { Shell: c.shell } : {}),
    ...(c.stopSignal !== undefined ? { StopSignal: c.stopSignal } : {}),
    ...(c.stopTimeout !== undefined ? { StopTimeout: c.stopTimeout } : {}),
    ...(c.healthcheck ? { Healthcheck: toHealthcheckDto(c.healthcheck) } : {}),
  };
}

function toMountsDto(rec: ContainerRecord): MountPointDto[] {
  return rec.hostConfig.mounts.map((m) => ({
    Type: m.type,
    ...(m.type === 'volume' ? { Name: m.name ?? '' } : {}),
    Source: m.source,
    Destination: m.destination,
    ...(m.type === 'volume' ? { Driver: 'local' } : {}),
    Mode: m.mode,
    RW: !m.readOnly,
    Propagation: m.type === 'bind' ? 'rprivate' : '',
  }));
}

/** ISO time with dockerd's RFC3339Nano look; null = Go's zero time. */
const timeOrZero = (t: string | null): string => t ?? ZERO_TIME;

export function toContainerInspectDto(v: ContainerView, paths: { dir: string; logPath: string }): ContainerInspectResponse {
  // dockerd's deprecated top-level fields describe the default bridge endpoint only.
  const bridgeEp = v.networks?.find((e) => e.networkName === 'bridge');
  const r = v.record;
  const s = r.state;
  return {
    Id: r.id,
    Created: r.created,
    Path: r.path,
    Args: r.args,
    State: {
      Status: s.status,
      // moby: a paused or restarting container is still "running".
      Running: s.status === 'running' || s.status === 'paused' || s.status === 'restarting',
      Paused: s.status === 'paused',
      Restarting: s.status === 'restarting',
      OOMKilled: s.oomKilled,
      Dead: s.status === 'dead',
      Pid: s.pid,
      ExitCode: s.exitCode,
      Error: s.error,
      StartedAt: timeOrZero(s.startedAt),
      FinishedAt: timeOrZero(s.finishedAt),
      ...(s.health ? { Health: toHealthStateDto(s.health) } : {}),
    },
    Image: r.imageId,
    ResolvConfPath: `${paths.dir}/resolv.conf`,
    HostnamePath: `${paths.dir}/hostname`,
    HostsPath: `${paths.dir}/hosts`,
    LogPath: paths.logPath,
    Name: `/${r.name}`,
    RestartCount: r.restartCount,
    Driver: 'overlay2',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: v.apparmorProfile,
    ExecIDs: v.execIds.length > 0 ? v.execIds : null,
    HostConfig: toHostConfigDto(r.hostConfig),
    GraphDriver: {
      Name: 'overlay2',
      Data: {
        ID: r.rootfs.mountId,
        LowerDir: r.rootfs.lowerDirs.join(':'),
        UpperDir: r.rootfs.upperDir,
        MergedDir: r.rootfs.mergedDir,
        WorkDir: r.rootfs.workDir,
      },
    },
    ...(v.sizeRw !== undefined ? { SizeRw: v.sizeRw, SizeRootFs: v.sizeRootFs ?? v.sizeRw } : {}),
    Mounts: toMountsDto(r),
    Config: toContainerConfigDto(r.config),
    NetworkSettings: {
      Bridge: '',
      SandboxID: '',
      SandboxKey: '',
      Ports: portsDto(v),
      HairpinMode: false,
      LinkLocalIPv6Address: '',
      LinkLocalIPv6PrefixLen: 0,
      SecondaryIPAddresses: null,
      SecondaryIPv6Addresses: null,
      EndpointID: bridgeEp?.ipv4 ? bridgeEp.endpointId : '',
      Gateway: bridgeEp?.gateway ?? '',
      GlobalIPv6Address: '',
      GlobalIPv6PrefixLen: 0,
      IPAddress: bridgeEp?.ipv4 ?? '',
      IPPrefixLen: bridgeEp?.prefixLen ?? 0,
      IPv6Gateway: '',
      MacAddress: bridgeEp?.mac ?? '',
      Networks: networksOf(v),
    },
  };
}

/** `name` or `name:alias` (the alias defaults to the name), without dockerd's leading slashes. */
function normalizeLink(link: string): string {
  const [target = '', alias] = link.split(':');
  const name = target.replace(/^\//, '');
  const a = (alias ?? name).replace(/^.*\//, '');
  if (name === '' || a === '') throw invalidArgument('INVALID_LINK', `invalid link: ${JSON.stringify(link)}`);
  return `${name}:${a}`;
}

function portBindingsDto(b: Record<string, { hostIp: string; hostPort: string }[]>): Record<string, { HostIp: string; HostPort: string }[]> {
  return Object.fromEntries(Object.entries(b).map(([k, list]) => [k, list.map((x) => ({ HostIp: x.hostIp, HostPort: x.hostPort }))]));
}

/** NetworkSettings.Ports: while running, every exposed or bound port, with its host bindings or null (as dockerd). */
function portsDto(v: ContainerView): Record<string, { HostIp: string; HostPort: string }[] | null> {
  const r = v.record;
  const running = r.state.status === 'running' || r.state.status === 'paused' || r.state.status === 'restarting';
  if (!running) return {};
  const out: Record<string, { HostIp: string; HostPort: string }[] | null> = {};
  for (const k of portKeys(r.hostConfig.portBindings ?? {}, r.config.exposedPorts)) out[k] = null;
  for (const p of v.ports ?? []) {
    const k = `${p.containerPort}/${p.proto}`;
    (out[k] ??= []).push({ HostIp: p.hostIp === '' ? '0.0.0.0' : p.hostIp, HostPort: String(p.hostPort) });
  }
  return out;
}

/** `docker ps` Ports: published ones with their host side, exposed ones alone. */
function portsListDto(v: ContainerView): Record<string, unknown>[] {
  const dto = portsDto(v);
  const out: Record<string, unknown>[] = [];
  for (const [k, list] of Object.entries(dto)) {
    const [port, type] = k.split('/');
    if (list === null) out.push({ PrivatePort: Number(port), Type: type });
    else for (const b of list) out.push({ IP: b.HostIp, PrivatePort: Number(port), PublicPort: Number(b.HostPort), Type: type });
  }
  return out;
}

function networksOf(v: ContainerView): Record<string, unknown> {
  const r = v.record;
  if (!v.networks) {
    const mode = r.hostConfig.networkMode === 'host' ? 'host' : 'none';
    return { [mode]: { IPAMConfig: null, Links: null, Aliases: null, MacAddress: '', NetworkID: '', EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, DriverOpts: null, DNSNames: null } };
  }
  const out: Record<string, unknown> = {};
  for (const e of v.networks) {
    const running = e.ipv4 !== '';
    const userNet = e.networkName !== 'bridge' && e.networkName !== 'host' && e.networkName !== 'none';
    out[e.networkName] = {
      IPAMConfig: e.staticIp !== undefined ? { IPv4Address: e.staticIp } : null,
      Links: null,
      Aliases: e.aliases.length > 0 ? e.aliases : null,
      MacAddress: e.mac,
      DriverOpts: null,
      NetworkID: e.networkId,
      EndpointID: running ? e.endpointId : '',
      Gateway: e.gateway,
      IPAddress: e.ipv4,
      IPPrefixLen: e.prefixLen,
      IPv6Gateway: '',
      GlobalIPv6Address: '',
      GlobalIPv6PrefixLen: 0,
      // moby's buildEndpointDNSNames: name, aliases, short ID, hostname, without repeats.
      DNSNames: userNet ? [...new Set([r.name, ...e.aliases, r.id.slice(0, 12), r.config.hostname].filter((x) => x !== ''))] : null,
    };
  }
  return out;
}

/** go-units `HumanDuration`, which `docker ps` shows in STATUS. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(ms / 3_600_000);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(ms / 3_600_000 / 24 / 365)} years`;
}

/** moby `State.String()`: "Up 3 minutes", "Exited (3) 2 seconds ago", "Created"… */
export function statusText(r: ContainerRecord, now: number): string {
  const s = r.state;
  switch (s.status) {
    case 'running':
      return `Up ${humanDuration(now - Date.parse(s.startedAt ?? r.created))}${healthSuffix(s)}`;
    case 'paused':
      return `Up ${humanDuration(now - Date.parse(s.startedAt ?? r.created))} (Paused)`;
    case 'restarting':
      return `Restarting (${s.exitCode}) ${humanDuration(now - Date.parse(s.finishedAt ?? r.created))} ago`;
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
    default:
      if (s.startedAt === null) return 'Created';
      if (s.finishedAt === null) return '';
      return `Exited (${s.exitCode}) ${humanDuration(now - Date.parse(s.finishedAt))} ago`;
  }
}

/** `Command` in `docker ps`, as moby's list.go: arguments with spaces in single quotes. */
export function commandText(path: string, args: string[]): string {
  return args.length === 0 ? path : `${path} ${args.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}`;
}

export function toContainerSummaryDto(v: ContainerView, now: number): ContainerSummaryDto {
  const r = v.record;
  return {
    Id: r.id,
    Names: [`/${r.name}`],
    Image: r.config.image,
    ImageID: r.imageId,
    Command: commandText(r.path, r.args),
    Created: Math.floor(Date.parse(r.created) / 1000),
    Ports: portsListDto(v),
    ...(v.sizeRw !== undefined ? { SizeRw: v.sizeRw, SizeRootFs: v.sizeRootFs ?? v.sizeRw } : {}),
    Labels: r.config.labels,
    State: r.state.status,
    Status: statusText(r, now),
    HostConfig: { NetworkMode: r.hostConfig.networkMode },
    NetworkSettings: { Networks: networksOf(v) },
    Mounts: toMountsDto(r),
  };
}

const emptyCpu = (): CpuStatsDto => ({ cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } });

function toCpuDto(s: ContainerStats | undefined): CpuStatsDto {
  if (!s) return emptyCpu();
  return {
    cpu_usage: {
      total_usage: s.cpu.totalNs,
      usage_in_kernelmode: s.cpu.systemNs,
      usage_in_usermode: s.cpu.userNs,
      ...(s.cpu.perCpuNs ? { percpu_usage: s.cpu.perCpuNs } : {}),
    },
    system_cpu_usage: s.systemCpuNs,
    online_cpus: s.onlineCpus,
    throttling_data: { periods: s.cpu.throttling.periods, throttled_periods: s.cpu.throttling.throttledPeriods, throttled_time: s.cpu.throttling.throttledNs },
  };
}

/**
 * docker's stats JSON. `memory_stats.stats` carries memory.stat as read, so the CLI subtracts
 * `total_inactive_file` (v1) or `inactive_file` (v2) itself. An unlimited cgroup reports the
 * host's memory as the limit, as dockerd does.
 */
export function toStatsDto(sample: StatsSample, hostMemTotal: number): ContainerStatsResponse {
  const cur = sample.current;
  const prev = sample.previous;
  const zero = '0001-01-01T00:00:00Z';
  return {
    name: `/${sample.record.name}`,
    id: sample.record.id,
    read: cur ? cur.readAt.toISOString() : zero,
    preread: prev ? prev.readAt.toISOString() : zero,
    num_procs: 0,
    pids_stats: cur ? { current: cur.pids.current, ...(cur.pids.limit !== undefined ? { limit: cur.pids.limit } : {}) } : {},
    cpu_stats: toCpuDto(cur),
    precpu_stats: toCpuDto(prev),
    memory_stats: cur
      ? {
          usage: cur.memory.usage,
          ...(cur.memory.maxUsage !== undefined ? { max_usage: cur.memory.maxUsage } : {}),
          ...(cur.memory.failcnt !== undefined ? { failcnt: cur.memory.failcnt } : {}),
          limit: cur.memory.limit ?? hostMemTotal,
          stats: cur.memory.stat,
        }
      : {},
    blkio_stats: { io_service_bytes_recursive: cur ? cur.blkio.ioServiceBytesRecursive.map((b) => ({ major: b.major, minor: b.minor, op: b.op, value: b.value })) : null },
    storage_stats: {},
    ...(cur?.networks ? { networks: netDto(cur.networks) } : {}),
  };
}

function netDto(n: NonNullable<ContainerStats['networks']>): Record<string, Record<string, number>> {
  return Object.fromEntries(
    Object.entries(n).map(([name, x]) => [
      name,
      { rx_bytes: x.rxBytes, rx_packets: x.rxPackets, rx_errors: x.rxErrors, rx_dropped: x.rxDropped, tx_bytes: x.txBytes, tx_packets: x.txPackets, tx_errors: x.txErrors, tx_dropped: x.txDropped },
    ]),
  );
}

export function toProcessesDto(m: ProcessMap): BerthContainerProcessesResponse {
  const hc = m.record.hostConfig;
  const cpuLimit = hc.nanoCpus > 0 ? hc.nanoCpus / 1e9 : hc.cpuQuota > 0 && hc.cpuPeriod > 0 ? hc.cpuQuota / hc.cpuPeriod : null;
  return {
    Id: m.record.id,
    Processes: m.processes.map((p) => ({ HostPid: p.hostPid, ContainerPid: p.containerPid || null, PPid: p.hostPpid, User: p.user, Command: p.args.join(' ') })),
    Cgroup: {
      Version: m.cgroupVersion,
      Memory: { Limit: m.stats?.memory.limit ?? (hc.memory > 0 ? hc.memory : null), Usage: m.stats?.memory.usage ?? null },
      Pids: { Limit: m.stats?.pids.limit ?? (hc.pidsLimit > 0 ? hc.pidsLimit : null), Usage: m.stats?.pids.current ?? null },
      Cpu: { Limit: cpuLimit, Usage: m.stats ? m.stats.cpu.totalNs / 1e9 : null, Shares: hc.cpuShares > 0 ? hc.cpuShares : null },
    },
  };
}

export function toExecCreateInput(body: ExecCreateRequest): ExecCreateInput {
  const [h = 0, w = 0] = body.ConsoleSize ?? [];
  return {
    cmd: body.Cmd ?? [],
    user: body.User ?? '',
    privileged: body.Privileged ?? false,
    tty: body.Tty ?? false,
    consoleSize: h > 0 && w > 0 ? { rows: h, cols: w } : undefined,
    attachStdin: body.AttachStdin ?? false,
    attachStdout: body.AttachStdout ?? false,
    attachStderr: body.AttachStderr ?? false,
    detachKeys: body.DetachKeys ?? '',
    env: body.Env ?? [],
    workingDir: body.WorkingDir ?? '',
  };
}

export function toExecInspectDto(e: ExecRecord): ExecInspectResponse {
  return {
    ID: e.id,
    Running: e.running,
    ExitCode: e.exitCode,
    ProcessConfig: { tty: e.input.tty, entrypoint: e.input.cmd[0] ?? '', arguments: e.input.cmd.slice(1), privileged: e.input.privileged, user: e.input.user },
    OpenStdin: e.input.attachStdin,
    OpenStderr: e.input.attachStderr,
    OpenStdout: e.input.attachStdout,
    CanRemove: false,
    ContainerID: e.containerId,
    DetachKeys: e.input.detachKeys,
    Pid: e.pid,
  };
}

export function toEventDto(e: EngineEvent): EventMessageDto {
  const time = Number(e.timeNano / 1_000_000_000n);
  const legacy = e.type === 'container' || e.type === 'image' ? { status: e.action, id: e.actorId, ...(e.attributes.image ? { from: e.attributes.image } : {}) } : {};
  return { ...legacy, Type: e.type, Action: e.action, Actor: { ID: e.actorId, Attributes: e.attributes }, scope: 'local', time, timeNano: Number(e.timeNano) };
}
