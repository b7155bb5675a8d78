/**
 * The persisted model of a container (camelCase; the wire shape is built in api/dto). A record is
 * created by `docker create`, mutated by lifecycle operations and deleted by `docker rm`. Its
 * identifiers: `id` (64 lowercase hex, immutable), `name` (unique, without the leading "/"), and
 * `rootfs.mountId` (the overlay2 directory of its read-write layer).
 */

export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface ContainerConfig {
  hostname: string;
  domainname: string;
  user: string;
  attachStdin: boolean;
  attachStdout: boolean;
  attachStderr: boolean;
  tty: boolean;
  openStdin: boolean;
  stdinOnce: boolean;
  env: string[];
  cmd: string[] | null;
  entrypoint: string[] | null;
  /** The image as the user typed it (`busybox`, `127.0.0.1:5000/busybox:latest`). */
  image: string;
  workingDir: string;
  labels: Record<string, string>;
  stopSignal?: string;
  stopTimeout?: number;
  exposedPorts?: Record<string, unknown>;
  volumes: Record<string, unknown> | null;
  onBuild: string[] | null;
  /** Config.Shell as posted (absent: none); kept and committed into the image, as dockerd. */
  shell?: string[];
  /** The healthcheck in force (the request's merged over the image's); absent = none. */
  healthcheck?: HealthConfig;
}

/**
 * Config.Healthcheck as dockerd keeps it: `test` is `["CMD", ...]`, `["CMD-SHELL", cmd]` or
 * `["NONE"]`; durations in nanoseconds, 0 = dockerd's default (30 s, 30 s, 0, 5 s; 3 retries).
 */
export interface HealthConfig {
  test: string[];
  interval: number;
  timeout: number;
  startPeriod: number;
  startInterval: number;
  retries: number;
}

export type HealthStatus = 'starting' | 'healthy' | 'unhealthy';

/** One probe run, as State.Health.Log shows it. */
export interface HealthResult {
  start: string;
  end: string;
  exitCode: number;
  output: string;
}

/** State.Health: set when a container with a healthcheck first starts, kept after it stops. */
export interface HealthState {
  status: HealthStatus;
  failingStreak: number;
  /** The last 5 results, oldest first. */
  log: HealthResult[];
}

export interface RestartPolicy {
  name: string;
  maximumRetryCount: number;
}

export interface BindMount {
  source: string;
  destination: string;
  readOnly: boolean;
  /** `bind` for -v/--mount type=bind, `tmpfs` for --tmpfs, `volume` for a local volume. */
  type: 'bind' | 'tmpfs' | 'volume';
  /** The mode string as given (`ro`, `rw,z`…), echoed in inspect's Mounts. */
  mode: string;
  /** Bind propagation (`--mount bind-propagation=`); default rprivate. */
  propagation?: 'private' | 'rprivate' | 'slave' | 'rslave' | 'shared' | 'rshared';
  /** tmpfs: size in bytes (0 = the kernel's default, half of RAM) and mode (0 = 1777). */
  tmpfsOptions?: { sizeBytes: number; mode: number };
  /** type volume: the volume's name; `source` is then its mountpoint (`…/volumes/<name>/_data`). */
  name?: string;
  /** type volume: made for this container (`-v /path`, image VOLUME), removed by `rm -v` and `--rm`. */
  anonymous?: boolean;
  /** type volume: `nocopy` / `volume-nocopy`: do not fill a new volume from the image. */
  noCopy?: boolean;
  /** type volume, posted in Mounts: options for a volume created on the fly. */
  volumeOptions?: { labels: Record<string, string>; driverOpts: Record<string, string> };
}

export interface Ulimit {
  name: string;
  soft: number;
  hard: number;
}

/** `--device /dev/x[:/dev/y[:rwm]]`. */
export interface DeviceMapping {
  pathOnHost: string;
  pathInContainer: string;
  cgroupPermissions: string;
}

export interface WeightDevice {
  path: string;
  weight: number;
}

export interface ThrottleDevice {
  path: string;
  rate: number;
}

/**
 * The applied HostConfig. Every field here is either applied exactly as dockerd does or held at
 * its default (the API layer refuses non-default values of fields berthd does not apply yet), so
 * inspect can report each one as it is. Add a field: here, in `defaultHostConfig`, in the DTO
 * mapping both ways (api/dto/container-dto.ts), and drop it from api/dto/create-support.ts.
 */
export interface HostConfig {
  binds: string[];
  /**
   * Which of the echoed-as-posted HostConfig lists (container-dto.ts ECHOED_LISTS) came as a list,
   * even empty: dockerd echoes a posted `[]` as `[]` (compose) and an absent or null one as null.
   * Absent in older records (inspect then shows what the docker CLI posts).
   */
  postedLists?: string[];
  /** HostConfig.Init was posted (true or false); dockerd omits Init from inspect otherwise. Absent in older records. */
  initSet?: boolean;
  mounts: BindMount[];
  /** HostConfig.Mounts as posted, echoed by inspect (absent in records older than volumes). */
  postedMounts?: Record<string, unknown>[];
  /** HostConfig.VolumesFrom as posted (`<container>[:ro|:rw]`). */
  volumesFrom?: string[];
  networkMode: string;
  /** HostConfig.PortBindings, normalised (`{"80/tcp": [{hostIp: "", hostPort: "8080"}]}`); absent in older records. */
  portBindings?: Record<string, { hostIp: string; hostPort: string }[]>;
  publishAllPorts?: boolean;
  autoRemove: boolean;
  init: boolean;
  privileged: boolean;
  readonlyRootfs: boolean;
  memory: number;
  memorySwap: number;
  memoryReservation: number;
  /** null = unset (dockerd reports null); 0..100 otherwise. */
  memorySwappiness: number | null;
  /** --kernel-memory-tcp, bytes (cgroup v1); 0 = unset. Absent in older records. */
  kernelMemoryTcp?: number;
  nanoCpus: number;
  cpuShares: number;
  cpuQuota: number;
  cpuPeriod: number;
  cpuRealtimePeriod: number;
  cpuRealtimeRuntime: number;
  cpusetCpus: string;
  cpusetMems: string;
  /** 0 means unlimited (the API's -1 and null are normalised to 0 on input, echoed as given). */
  pidsLimit: number;
  oomKillDisable: boolean;
  oomScoreAdj: number;
  blkioWeight: number;
  blkioWeightDevice: WeightDevice[];
  blkioDeviceReadBps: ThrottleDevice[];
  blkioDeviceWriteBps: ThrottleDevice[];
  blkioDeviceReadIOps: ThrottleDevice[];
  blkioDeviceWriteIOps: ThrottleDevice[];
  capAdd: string[];
  capDrop: string[];
  groupAdd: string[];
  devices: DeviceMapping[];
  deviceCgroupRules: string[];
  ulimits: Ulimit[];
  /** HostConfig.Tmpfs as posted (`{"/run": "size=64m"}`), mounted as tmpfs. */
  tmpfs: Record<string, string>;
  /** '' (private), 'host', 'container:<id>'. */
  pidMode: string;
  /** 'private' (default), 'shareable', 'host', 'none', 'container:<id>'. */
  ipcMode: string;
  /** '' (private) or 'host'. */
  utsMode: string;
  cgroupnsMode: string;
  cgroupParent: string;
  consoleSize: [number, number];
  shmSize: number;
  restartPolicy: RestartPolicy;
  logConfig: { type: string; config: Record<string, string> };
  dns: string[];
  /** HostConfig.Links as posted (`container:alias`); on user networks the alias resolves for this container only. */
  links?: string[];
  /** `--dns-search`, `--dns-option` (absent in records older than the DNS options). */
  dnsSearch?: string[];
  dnsOptions?: string[];
  extraHosts: string[];
  sysctls: Record<string, string>;
  /** `--security-opt` as posted (a seccomp profile inline, as the CLI sends it); parsed in engine/containers/security-opts.ts. */
  securityOpt: string[];
  /** `--userns`: '' or 'host' (berthd does not remap user namespaces). */
  usernsMode: string;
  maskedPaths: string[];
  readonlyPaths: string[];
  runtime: string;
  /** The CLI writes this file itself; dockerd only keeps and reports the path. */
  containerIdFile: string;
}

/** dockerd's defaults for every HostConfig field (as a fresh `docker create busybox` shows them). */
export function defaultHostConfig(): HostConfig {
  return {
    binds: [], mounts: [], networkMode: 'default', autoRemove: false, init: false, privileged: false, readonlyRootfs: false,
    memory: 0, memorySwap: 0, memoryReservation: 0, memorySwappiness: null, nanoCpus: 0, cpuShares: 0, cpuQuota: 0, cpuPeriod: 0,
    cpuRealtimePeriod: 0, cpuRealtimeRuntime: 0, cpusetCpus: '', cpusetMems: '', pidsLimit: 0, oomKillDisable: false, oomScoreAdj: 0,
    blkioWeight: 0, blkioWeightDevice: [], blkioDeviceReadBps: [], blkioDeviceWriteBps: [], blkioDeviceReadIOps: [], blkioDeviceWriteIOps: [],
    capAdd: [], capDrop: [], groupAdd: [], devices: [], deviceCgroupRules: [], ulimits: [], tmpfs: {}, pidMode: '', ipcMode: 'private',
    utsMode: '', cgroupnsMode: 'host', cgroupParent: '', consoleSize: [0, 0], shmSize: 64 * 1024 * 1024,
    restartPolicy: { name: 'no', maximumRetryCount: 0 }, logConfig: { type: 'json-file', config: {} }, dns: [], extraHosts: [], sysctls: {},
    securityOpt: [], usernsMode: '', maskedPaths: [], readonlyPaths: [], runtime: 'runc', containerIdFile: '',
  };
}

/** Records written before a field existed get its default when loaded. */
export function normalizeRecord(rec: ContainerRecord): ContainerRecord {
  // A record written before hostConfig was complete (or a hand-made one) may lack it entirely.
  const legacy = (rec.hostConfig ?? {}) as HostConfig & { extra?: unknown };
  delete legacy.extra;
  rec.hostConfig = { ...defaultHostConfig(), ...legacy };
  return rec;
}

export interface ContainerState {
  status: ContainerStatus;
  pid: number;
  exitCode: number;
  oomKilled: boolean;
  error: string;
  /** ISO timestamps with nanosecond padding left to the DTO; null = never. */
  startedAt: string | null;
  finishedAt: string | null;
  health?: HealthState;
}

/** The overlay2 read-write layer of a container, as the layer store created it. */
export interface ContainerRootfs {
  mountId: string;
  lowerDirs: string[];
  upperDir: string;
  workDir: string;
  mergedDir: string;
  /** Overlay mount data as the layer store gave it; absent = built from the dirs above. */
  mountOptions?: string[];
  /** Directory relative lowerdirs resolve against (moby's `mountFrom`). */
  mountCwd?: string;
}

/** Identity resolved at create time from the image's /etc/passwd and /etc/group. */
export interface ResolvedUser {
  uid: number;
  gid: number;
  /** The user's supplementary groups, then HostConfig.GroupAdd's (as dockerd's getUser). */
  additionalGids: number[];
  home: string;
}

export interface ContainerRecord {
  id: string;
  name: string;
  /** ISO-8601 with milliseconds. */
  created: string;
  /** argv[0] and argv[1:] after the Cmd/Entrypoint merge. */
  path: string;
  args: string[];
  /** `sha256:<hex>`. */
  imageId: string;
  config: ContainerConfig;
  hostConfig: HostConfig;
  state: ContainerState;
  rootfs: ContainerRootfs;
  user: ResolvedUser;
  execIds: string[];
  restartCount: number;
  /** dockerd's HasBeenManuallyStopped: set by a user stop/kill, cleared by a user start. */
  manuallyStopped?: boolean;
}
