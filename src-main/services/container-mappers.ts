import type {
  BerthContainerProcessesResponse,
  ContainerInspectResponse,
  ContainerStatsResponse,
  ContainerSummaryDto,
  ContainerTopResponse,
} from '../../src-shared/docker-api/containers';
import type {
  ContainerDetailView,
  ContainerProcessesView,
  ContainerState,
  ContainerView,
  HealthcheckSpec,
  HealthView,
  PortPublishSpec,
  RestartPolicySpec,
  PublishedPortView,
  RunSpec,
  StatsView,
} from '../../src-shared/ipc/models/containers';
import type { ContainerCreateRequest } from '../../src-shared/docker-api/containers';
import { pid1Warning } from './pid1';
import type { ContainerAddressView } from '../../src-shared/ipc/models/networks';

const STATES: readonly ContainerState[] = ['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead'];
const asState = (s: string): ContainerState => (STATES.includes(s as ContainerState) ? (s as ContainerState) : 'dead');

export function toContainerView(c: ContainerSummaryDto): ContainerView {
  return {
    id: c.Id,
    shortId: c.Id.slice(0, 12),
    name: (c.Names?.[0] ?? '').replace(/^\//, ''),
    image: c.Image,
    imageId: c.ImageID,
    command: c.Command,
    created: c.Created * 1000,
    state: asState(c.State),
    status: c.Status,
    labels: c.Labels ?? {},
    networkMode: c.HostConfig?.NetworkMode ?? '',
    ports: publishedPorts(c.Ports),
  };
}

/** `docker ps` Ports entries that are published (an exposed-only port has no PublicPort), each once. */
function publishedPorts(raw: unknown[] | undefined): PublishedPortView[] {
  const out: PublishedPortView[] = [];
  for (const p of raw ?? []) {
    const e = p as { IP?: string; PublicPort?: number; PrivatePort?: number; Type?: string };
    if (!e.PublicPort || !e.PrivatePort) continue;
    // dockerd lists a port once per address family; the desktop opens it on IPv4.
    if (e.IP !== undefined && e.IP.includes(':')) continue;
    if (out.some((o) => o.hostPort === e.PublicPort && o.proto === (e.Type ?? 'tcp'))) continue;
    out.push({ hostIp: e.IP ?? '0.0.0.0', hostPort: e.PublicPort, containerPort: e.PrivatePort, proto: e.Type ?? 'tcp' });
  }
  return out.sort((a, b) => a.containerPort - b.containerPort);
}

/** `NetworkSettings.Networks` of an inspect: one address per attached network that gave one. */
export function containerAddresses(ns: Record<string, unknown> | undefined): ContainerAddressView[] {
  const nets = (ns?.Networks ?? {}) as Record<string, { IPAddress?: string; IPPrefixLen?: number; Gateway?: string; MacAddress?: string; Aliases?: string[] | null } | null>;
  const out: ContainerAddressView[] = [];
  for (const [network, e] of Object.entries(nets)) {
    if (!e?.IPAddress) continue;
    out.push({ network, ipv4: e.IPAddress, prefixLen: e.IPPrefixLen ?? 0, gateway: e.Gateway ?? '', mac: e.MacAddress ?? '', aliases: e.Aliases ?? [] });
  }
  return out.sort((a, b) => a.network.localeCompare(b.network));
}

/** `NetworkSettings.Ports` (`{"80/tcp": [{"HostIp":"0.0.0.0","HostPort":"8080"}]}`) as published ports, IPv4 only. */
export function inspectPorts(ns: Record<string, unknown> | undefined): PublishedPortView[] {
  const ports = (ns?.Ports ?? {}) as Record<string, { HostIp?: string; HostPort?: string }[] | null>;
  const raw: unknown[] = [];
  for (const [key, binds] of Object.entries(ports)) {
    const [port, proto] = key.split('/');
    for (const b of binds ?? []) raw.push({ IP: b.HostIp ?? '', PublicPort: Number(b.HostPort), PrivatePort: Number(port), Type: proto ?? 'tcp' });
  }
  return publishedPorts(raw);
}

function healthOf(raw: unknown): HealthView | null {
  const h = raw as { Status?: string; FailingStreak?: number; Log?: { Start?: string; End?: string; ExitCode?: number; Output?: string }[] | null } | undefined;
  if (!h?.Status) return null;
  const status = (['starting', 'healthy', 'unhealthy', 'none'] as const).find((x) => x === h.Status) ?? 'none';
  return {
    status,
    failingStreak: h.FailingStreak ?? 0,
    log: (h.Log ?? []).map((l) => ({ start: l.Start ?? '', end: l.End ?? '', exitCode: l.ExitCode ?? 0, output: l.Output ?? '' })),
  };
}

function restartPolicyOf(raw: unknown): RestartPolicySpec {
  const p = raw as { Name?: string; MaximumRetryCount?: number } | undefined;
  const name = (['always', 'unless-stopped', 'on-failure'] as const).find((x) => x === p?.Name) ?? 'no';
  return name === 'on-failure' ? { name, maximumRetryCount: p?.MaximumRetryCount ?? 0 } : { name };
}

function logConfigOf(raw: unknown): { type: string; config: Record<string, string> } {
  const l = raw as { Type?: string; Config?: Record<string, string> | null } | undefined;
  return { type: l?.Type ?? '', config: l?.Config ?? {} };
}

const NS = 1e9;

/** `--health-cmd` and friends as the create body's Healthcheck (nanoseconds). */
function healthcheckBody(h: HealthcheckSpec): Record<string, unknown> {
  return {
    Test: ['CMD-SHELL', h.command],
    ...(h.intervalSeconds ? { Interval: Math.round(h.intervalSeconds * NS) } : {}),
    ...(h.timeoutSeconds ? { Timeout: Math.round(h.timeoutSeconds * NS) } : {}),
    ...(h.retries ? { Retries: h.retries } : {}),
    ...(h.startPeriodSeconds ? { StartPeriod: Math.round(h.startPeriodSeconds * NS) } : {}),
  };
}

export function toContainerDetailView(c: ContainerInspectResponse): ContainerDetailView {
  const hc = (c.HostConfig ?? {}) as Record<string, unknown>;
  const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
  const data = c.GraphDriver?.Data ?? {};
  const init = hc.Init === true;
  return {
    id: c.Id,
    name: c.Name.replace(/^\//, ''),
    image: c.Config?.Image ?? '',
    imageId: c.Image,
    created: Date.parse(c.Created) || 0,
    state: {
      status: asState(c.State.Status),
      running: c.State.Running,
      pid: c.State.Pid,
      exitCode: c.State.ExitCode,
      oomKilled: c.State.OOMKilled,
      error: c.State.Error,
      startedAt: c.State.StartedAt,
      finishedAt: c.State.FinishedAt,
    },
    path: c.Path,
    args: c.Args ?? [],
    config: {
      cmd: c.Config?.Cmd ?? null,
      entrypoint: c.Config?.Entrypoint ?? null,
      env: c.Config?.Env ?? [],
      tty: c.Config?.Tty ?? false,
      openStdin: c.Config?.OpenStdin ?? false,
      workingDir: c.Config?.WorkingDir ?? '',
      user: c.Config?.User ?? '',
      hostname: c.Config?.Hostname ?? '',
      labels: c.Config?.Labels ?? {},
      ...(c.Config?.StopSignal ? { stopSignal: c.Config.StopSignal } : {}),
    },
    hostConfig: {
      memory: num(hc.Memory),
      cpus: num(hc.NanoCpus) / 1e9,
      pidsLimit: typeof hc.PidsLimit === 'number' ? hc.PidsLimit : null,
      init,
      autoRemove: hc.AutoRemove === true,
      networkMode: typeof hc.NetworkMode === 'string' ? hc.NetworkMode : '',
      binds: Array.isArray(hc.Binds) ? (hc.Binds as string[]) : [],
    },
    overlay: {
      driver: c.GraphDriver?.Name ?? '',
      ...(data.LowerDir ? { lowerDir: data.LowerDir } : {}),
      ...(data.UpperDir ? { upperDir: data.UpperDir } : {}),
      ...(data.MergedDir ? { mergedDir: data.MergedDir } : {}),
      ...(data.WorkDir ? { workDir: data.WorkDir } : {}),
    },
    mounts: (c.Mounts ?? []).map((m) => ({ type: m.Type, source: m.Source, destination: m.Destination, rw: m.RW })),
    // The argv actually run is Path + Args (Entrypoint ++ Cmd after the merge with the image).
    pid1Warning: pid1Warning(null, [c.Path, ...(c.Args ?? [])], init),
    addresses: containerAddresses(c.NetworkSettings),
    ports: inspectPorts(c.NetworkSettings),
    health: healthOf((c.State as { Health?: unknown }).Health),
    restartPolicy: restartPolicyOf(hc.RestartPolicy),
    restartCount: typeof (c as { RestartCount?: unknown }).RestartCount === 'number' ? (c as unknown as { RestartCount: number }).RestartCount : 0,
    logConfig: logConfigOf(hc.LogConfig),
    raw: c,
  };
}

/** `-p` entries as HostConfig.PortBindings (several host ports for one container port are a list). */
function portBindings(ports: PortPublishSpec[]): Record<string, { HostIp: string; HostPort: string }[]> {
  const out: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of ports) (out[`${p.containerPort}/${p.proto}`] ??= []).push({ HostIp: p.hostIp, HostPort: p.hostPort === 0 ? '' : String(p.hostPort) });
  return out;
}

/** The run dialog's spec as a create body. Exec form only: argv goes through untouched. */
export function toCreateRequest(spec: RunSpec): ContainerCreateRequest {
  const tty = spec.tty ?? false;
  const openStdin = spec.openStdin ?? tty;
  const hostConfig: Record<string, unknown> = {
    AutoRemove: spec.autoRemove ?? false,
    Init: spec.init ?? false,
    ...(spec.memoryBytes ? { Memory: Math.round(spec.memoryBytes) } : {}),
    ...(spec.cpus ? { NanoCpus: Math.round(spec.cpus * 1e9) } : {}),
    ...(spec.pidsLimit ? { PidsLimit: spec.pidsLimit } : {}),
    ...(spec.network && spec.network !== 'default' ? { NetworkMode: spec.network } : {}),
    ...(spec.ports && spec.ports.length > 0 ? { PortBindings: portBindings(spec.ports) } : {}),
    ...(spec.publishAll ? { PublishAllPorts: true } : {}),
    ...(spec.logRotation ? { LogConfig: { Type: 'json-file', Config: { 'max-size': spec.logRotation.maxSize, 'max-file': String(spec.logRotation.maxFile) } } } : {}),
    ...(spec.binds && spec.binds.length > 0 ? { Binds: spec.binds } : {}),
    ...(spec.restartPolicy && spec.restartPolicy.name !== 'no'
      ? { RestartPolicy: { Name: spec.restartPolicy.name, MaximumRetryCount: spec.restartPolicy.name === 'on-failure' ? (spec.restartPolicy.maximumRetryCount ?? 0) : 0 } }
      : {}),
  };
  return {
    Image: spec.image,
    Tty: tty,
    OpenStdin: openStdin,
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    ...(spec.cmd && spec.cmd.length > 0 ? { Cmd: spec.cmd } : {}),
    ...(spec.entrypoint && spec.entrypoint.length > 0 ? { Entrypoint: spec.entrypoint } : {}),
    ...(spec.env && spec.env.length > 0 ? { Env: spec.env } : {}),
    ...(spec.workingDir ? { WorkingDir: spec.workingDir } : {}),
    ...(spec.user ? { User: spec.user } : {}),
    ...(spec.labels ? { Labels: spec.labels } : {}),
    ...(spec.healthcheck ? { Healthcheck: healthcheckBody(spec.healthcheck) } : {}),
    // A published port is exposed too, as `docker run -p` does.
    ...(spec.ports && spec.ports.length > 0 ? { ExposedPorts: Object.fromEntries(spec.ports.map((p) => [`${p.containerPort}/${p.proto}`, {}])) } : {}),
    HostConfig: hostConfig,
    ...(spec.aliases && spec.aliases.length > 0 && spec.network && !['default', 'none', 'host', 'bridge'].includes(spec.network)
      ? { NetworkingConfig: { EndpointsConfig: { [spec.network]: { Aliases: spec.aliases } } } }
      : {}),
  };
}

export function fromBerthProcesses(p: BerthContainerProcessesResponse): ContainerProcessesView {
  const res = (r: { Limit: number | null; Usage: number | null }): { limit: number | null; usage: number | null } => ({ limit: r.Limit, usage: r.Usage });
  return {
    source: 'berth',
    processes: p.Processes.map((x) => ({ hostPid: x.HostPid, containerPid: x.ContainerPid, ppid: x.PPid, user: x.User, command: x.Command })),
    cgroup: p.Cgroup
      ? {
          version: p.Cgroup.Version,
          memory: res(p.Cgroup.Memory),
          pids: res(p.Cgroup.Pids),
          cpu: { ...res(p.Cgroup.Cpu), shares: p.Cgroup.Cpu.Shares },
        }
      : null,
  };
}

/** `/top` (ps -ef columns): host PIDs only. */
export function fromTop(t: ContainerTopResponse): ContainerProcessesView {
  const col = (name: string): number => t.Titles.findIndex((x) => x.toUpperCase() === name);
  const pid = col('PID');
  const ppid = col('PPID');
  const user = Math.max(col('UID'), col('USER'));
  const cmd = Math.max(col('CMD'), col('COMMAND'));
  return {
    source: 'top',
    processes: t.Processes.map((row) => ({
      hostPid: Number(row[pid] ?? 0),
      containerPid: null,
      ppid: ppid >= 0 ? Number(row[ppid]) : null,
      user: user >= 0 ? (row[user] ?? '') : '',
      command: cmd >= 0 ? (row[cmd] ?? '') : row.join(' '),
    })),
    cgroup: null,
  };
}

/** docker stats' arithmetic (engine-api.md §5.6). */
export function toStatsView(s: ContainerStatsResponse): StatsView {
  const cpuDelta = s.cpu_stats.cpu_usage.total_usage - (s.precpu_stats?.cpu_usage?.total_usage ?? 0);
  const sysDelta = (s.cpu_stats.system_cpu_usage ?? 0) - (s.precpu_stats?.system_cpu_usage ?? 0);
  const cpus = s.cpu_stats.online_cpus ?? s.cpu_stats.cpu_usage.percpu_usage?.length ?? 1;
  // The first sample of a stream has no previous one (precpu zeroed): no rate to compute yet.
  const hasPrevious = (s.precpu_stats?.system_cpu_usage ?? 0) > 0;
  const cpuPercent = hasPrevious && sysDelta > 0 && cpuDelta > 0 ? (cpuDelta / sysDelta) * cpus * 100 : 0;
  const stats = s.memory_stats.stats ?? {};
  const cache = stats.total_inactive_file ?? stats.inactive_file ?? 0;
  const usage = Math.max(0, (s.memory_stats.usage ?? 0) - cache);
  const limit = s.memory_stats.limit ?? 0;
  let netRx = 0;
  let netTx = 0;
  for (const n of Object.values(s.networks ?? {}) as { rx_bytes?: number; tx_bytes?: number }[]) {
    netRx += n.rx_bytes ?? 0;
    netTx += n.tx_bytes ?? 0;
  }
  let blockRead = 0;
  let blockWrite = 0;
  for (const b of s.blkio_stats?.io_service_bytes_recursive ?? []) {
    if (b.op.toLowerCase() === 'read') blockRead += b.value;
    if (b.op.toLowerCase() === 'write') blockWrite += b.value;
  }
  return {
    id: s.id,
    at: Date.parse(s.read) || Date.now(),
    cpuPercent,
    onlineCpus: cpus,
    memoryUsage: usage,
    memoryLimit: limit,
    memoryPercent: limit > 0 ? (usage / limit) * 100 : 0,
    pids: s.pids_stats?.current ?? 0,
    pidsLimit: s.pids_stats?.limit ?? null,
    netRx,
    netTx,
    blockRead,
    blockWrite,
  };
}
