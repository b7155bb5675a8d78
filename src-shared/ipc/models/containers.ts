/**
 * Container view models (camelCase). Built in main from the Engine API DTOs
 * (src-shared/docker-api/containers.ts) so the renderer never sees wire shapes except in `raw`.
 */
import type { ContainerAddressView } from './networks';

/** Engine states as in `State.Status`. */
export type ContainerState = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface ContainerView {
  id: string;
  /** First 12 hex chars. */
  shortId: string;
  /** Without the leading slash. */
  name: string;
  image: string;
  imageId: string;
  command: string;
  /** Epoch ms. */
  created: number;
  state: ContainerState;
  /** Engine's human status, e.g. `Up 3 minutes`, `Exited (0) 2 seconds ago`. */
  status: string;
  labels: Record<string, string>;
  networkMode: string;
  /** Published ports (running containers): where the engine's host listens for each container port. */
  ports: PublishedPortView[];
}

export interface PublishedPortView {
  /** '0.0.0.0' for every address of the engine's host. */
  hostIp: string;
  hostPort: number;
  containerPort: number;
  proto: string;
}

/**
 * Flag for a command in shell form: `/bin/sh -c "..."` as PID 1 does not forward SIGTERM, so
 * `docker stop` waits the whole timeout and then SIGKILLs. Null when exec form or `--init`.
 */
export interface Pid1WarningView {
  /** Which field is in shell form. */
  field: 'Cmd' | 'Entrypoint';
  /** The command as stored, e.g. `/bin/sh -c "redis-server"`. */
  command: string;
  /** Why it matters (one sentence). */
  reason: string;
  /** What to do: exec form, or run with `--init`. */
  fix: string;
}

/** The overlay directories of the container's rootfs (`GraphDriver.Data`). */
export interface OverlayDirsView {
  driver: string;
  lowerDir?: string;
  upperDir?: string;
  mergedDir?: string;
  workDir?: string;
}

export interface ContainerDetailView {
  id: string;
  name: string;
  image: string;
  imageId: string;
  /** Epoch ms. */
  created: number;
  state: {
    status: ContainerState;
    running: boolean;
    pid: number;
    exitCode: number;
    oomKilled: boolean;
    error: string;
    /** ISO strings as on the wire (`0001-01-01T00:00:00Z` when never). */
    startedAt: string;
    finishedAt: string;
  };
  path: string;
  args: string[];
  config: {
    cmd: string[] | null;
    entrypoint: string[] | null;
    env: string[];
    tty: boolean;
    openStdin: boolean;
    workingDir: string;
    user: string;
    hostname: string;
    labels: Record<string, string>;
    stopSignal?: string;
  };
  hostConfig: {
    /** Bytes; 0 = unlimited. */
    memory: number;
    /** CPU cores (NanoCpus / 1e9); 0 = unlimited. */
    cpus: number;
    /** null/0/-1 = unlimited. */
    pidsLimit: number | null;
    init: boolean;
    autoRemove: boolean;
    networkMode: string;
    binds: string[];
  };
  overlay: OverlayDirsView;
  mounts: { type: string; source: string; destination: string; rw: boolean }[];
  pid1Warning: Pid1WarningView | null;
  /** Its address on each network it is attached to (empty when not running on a bridge). */
  addresses: ContainerAddressView[];
  /** Published ports while it runs (`NetworkSettings.Ports`). */
  ports: PublishedPortView[];
  /** Null without a healthcheck. */
  health: HealthView | null;
  restartPolicy: RestartPolicySpec;
  /** `RestartCount`. */
  restartCount: number;
  /** `HostConfig.LogConfig`. */
  logConfig: { type: string; config: Record<string, string> };
  /** The full inspect JSON as the engine returned it, for the JSON tab. */
  raw: unknown;
}

/** What the run dialog sends. Maps to POST /containers/create (+ /start). */
export interface RunSpec {
  image: string;
  name?: string;
  /** Exec form: argv. Empty/absent = image default. */
  cmd?: string[];
  entrypoint?: string[];
  /** `KEY=value` entries. */
  env?: string[];
  /** Bytes; absent/0 = unlimited. */
  memoryBytes?: number;
  /** CPU cores (e.g. 0.5); absent/0 = unlimited. */
  cpus?: number;
  pidsLimit?: number;
  /** Allocate a TTY (and keep stdin open, like `-it`). */
  tty?: boolean;
  /** Keep stdin open (`-i`). Default: same as `tty`. */
  openStdin?: boolean;
  /** `--init`. */
  init?: boolean;
  /** `--rm`. */
  autoRemove?: boolean;
  /** `default` = the engine's default bridge; else `none`, `host` or a network's name. */
  network?: string;
  /** `--network-alias`: more names the container answers to on a user-defined network. */
  aliases?: string[];
  /** `-p`: host port 0 = one the engine picks; hostIp '' = every address. */
  ports?: PortPublishSpec[];
  /** `-P`: every port the image exposes, on a port the engine picks. */
  publishAll?: boolean;
  healthcheck?: HealthcheckSpec;
  /** json-file rotation (`--log-opt max-size=10m --log-opt max-file=3`). */
  logRotation?: { maxSize: string; maxFile: number };
  /** `host:container[:ro]`. */
  binds?: string[];
  workingDir?: string;
  user?: string;
  labels?: Record<string, string>;
  /** `--restart`; absent = `no`. `maximumRetryCount` only with `on-failure`. */
  restartPolicy?: RestartPolicySpec;
}

/** `docker update`: only the fields given change. */
export interface ContainerUpdateSpec {
  /** Bytes; 0 = unlimited. */
  memoryBytes?: number;
  /** Cores; 0 = unlimited. */
  cpus?: number;
  /** 0 or -1 = unlimited. */
  pidsLimit?: number;
  restartPolicy?: RestartPolicySpec;
}

/** `--health-cmd` and its timings, as the run dialog sets them. */
export interface HealthcheckSpec {
  /** Run by /bin/sh -c in the container; exit 0 = healthy. */
  command: string;
  intervalSeconds?: number;
  timeoutSeconds?: number;
  retries?: number;
  startPeriodSeconds?: number;
}

/** `State.Health` of a container with a healthcheck. */
export interface HealthView {
  status: 'starting' | 'healthy' | 'unhealthy' | 'none';
  failingStreak: number;
  /** Newest last, as the engine keeps them (up to 5). */
  log: { start: string; end: string; exitCode: number; output: string }[];
}

export interface PortPublishSpec {
  hostIp: string;
  hostPort: number;
  containerPort: number;
  proto: 'tcp' | 'udp';
}

export type RestartPolicyName = 'no' | 'always' | 'unless-stopped' | 'on-failure';
export interface RestartPolicySpec {
  name: RestartPolicyName;
  maximumRetryCount?: number;
}

export interface RunResultView {
  id: string;
  warnings: string[];
  started: boolean;
}

export interface PruneResultView {
  /** IDs of the items removed (for images: image IDs only, not their layers). */
  deleted: string[];
  /** Image prune: references untagged on the way. */
  untagged?: string[];
  /** Image prune: layers removed with the images (dockerd lists them among `Deleted`). */
  layersDeleted?: number;
  spaceReclaimed: number;
}

/** One process of a container. */
export interface ProcessView {
  /** PID in the host's PID namespace. */
  hostPid: number;
  /** PID inside the container's PID namespace; null when not known (non-Berth daemon). */
  containerPid: number | null;
  ppid: number | null;
  user: string;
  command: string;
}

export interface CgroupResourceView {
  limit: number | null;
  usage: number | null;
}

export interface ContainerProcessesView {
  /** `berth`: from Berth's process map (host and container PIDs); `top`: from the standard `/top` (host PIDs only). */
  source: 'berth' | 'top';
  processes: ProcessView[];
  /** Cgroup limits beside live usage (Berth only). */
  cgroup: {
    version: 1 | 2;
    memory: CgroupResourceView;
    pids: CgroupResourceView;
    /** Limit in cores, usage in cumulative CPU seconds. */
    cpu: CgroupResourceView & { shares: number | null };
  } | null;
}

/** One sample of a container's resource usage (computed like `docker stats`). */
export interface StatsView {
  id: string;
  /** Epoch ms of the sample. */
  at: number;
  /** Percent of ONE cpu times online cpus, as docker stats (can exceed 100). */
  cpuPercent: number;
  onlineCpus: number;
  /** Bytes, minus page cache like docker stats. */
  memoryUsage: number;
  /** Bytes; the host memory when unlimited. */
  memoryLimit: number;
  memoryPercent: number;
  pids: number;
  pidsLimit: number | null;
  netRx: number;
  netTx: number;
  blockRead: number;
  blockWrite: number;
}

/** Latest CPU/memory per running container, for the list's columns. */
export interface StatsSummaryView {
  /** Keyed by container id; containers not running are absent. */
  byId: Record<string, { cpuPercent: number; memoryUsage: number; memoryLimit: number }>;
}

export interface LogLineView {
  stream: 'stdout' | 'stderr';
  /** One line without its trailing newline (a TTY container's output is all `stdout`). */
  text: string;
  /** RFC3339Nano from the engine when `timestamps` was asked for. */
  timestamp?: string;
}

/** Log lines come in batches to keep the message rate low on busy containers. */
export interface LogBatchView {
  lines: LogLineView[];
}

export interface LogsArgs {
  hostId: string;
  id: string;
  /** Keep streaming new lines. */
  follow: boolean;
  /** Number of lines from the end to start with; absent = all. */
  tail?: number;
  timestamps?: boolean;
  /** Epoch seconds. */
  since?: number;
}
