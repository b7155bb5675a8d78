/**
 * The container runtime contract: what the engine (engine/containers, engine/exec) needs to run
 * containers, and nothing about images, layers or HTTP. The engine passes plain values in (the
 * rootfs mount, the process, limits) and gets handles out.
 *
 * Process model (design.md "process model"): for every started container berthd spawns one small
 * native monitor (`berth-shim`, helper/native/berth-shim.c). The monitor daemonises (it survives a
 * `kill -9` of berthd), clones the container's init into new namespaces, holds its pty or stdio
 * pipes, writes the json-file log, records the exit status in `<stateDir>/exit.json` (atomically)
 * and serves attach/resize/kill/exec on a unix socket in the state dir. All *policy* (mounts,
 * masked paths, capabilities, env defaults, cgroup paths and values) is computed in TypeScript
 * (runtime/spec, runtime/cgroups) and handed to the monitor as a plan; the C side only executes it.
 *
 * Lifecycle (mirrors OCI create/start so nothing the container prints is lost before an attach):
 *
 *   const c = await runtime.create(spec);        // monitor up; init set up to just before execve,
 *                                                // held at a barrier; cgroup joined. Errors such as
 *                                                // `exec: "x": executable file not found in $PATH`
 *                                                // are thrown HERE as ContainerStartError.
 *   const s = await c.attach({ stdin: true, stdout: true, stderr: true, closeStdinOnEnd: true });
 *   await c.start();                             // releases the barrier: execve happens now
 *   const exit = await c.wait();                 // exit code / signal / OOM, from exit.json
 *   await runtime.delete(c.ref);                 // cgroup + runtime files gone, nothing left behind
 *
 * Identifiers: `id` is the container's 64-hex ID (used for cgroup names: berth/<id>), `stateDir` is
 * a directory owned by the runtime for this container (created by `create`, removed by `delete`;
 * the engine must not put its own files in it). `ContainerRef = { id, stateDir }` is all the engine
 * has to persist to find a container again after a berthd restart (`recover`).
 *
 * Invariants:
 * - One monitor per started container; one container process (PID 1 of its pid namespace) per
 *   monitor. A monitor exits after its container has exited, its output is drained to the log and
 *   to attached clients, and exit.json is written.
 * - The overlay root is mounted INSIDE the container's mount namespace: nothing is mounted on the
 *   host, so nothing needs unmounting on delete, and `merged` on the host stays an empty dir.
 * - Handles are cheap client-side views: dropping one (or berthd dying) never affects the
 *   container. `close()` releases a handle's sockets.
 *
 * Change log (keep backward compatible): v1 initial.
 */
import type { Duplex } from 'node:stream';
import type { CgroupStats } from './cgroups/cgroup-types';
import type { TmpfsMount } from './spec/tmpfs-options';
import type { SeccompProfile } from './spec/seccomp/profile';
import type { Rlimit } from './spec/rlimits';
import type { BlkioFeatures, BlkioRequest } from './cgroups/blkio';
import type { DeviceRequest } from './spec/devices';
import type { DeviceRule } from './cgroups/device-rules';

export type { CgroupStats } from './cgroups/cgroup-types';
export type { TmpfsMount } from './spec/tmpfs-options';

/** What the engine persists to find a container's runtime again (e.g. after a berthd restart). */
export interface ContainerRef {
  /** Full 64-hex container ID; cgroups are named after it. */
  id: string;
  /** Directory owned by the runtime for this container (monitor socket, pid, exit.json, plan). */
  stateDir: string;
  /**
   * HostConfig.CgroupParent, cleaned (runtime/cgroups/cgroup-common.ts cleanCgroupParent): the
   * container's cgroup is `<hierarchy>/<cgroupParent>/<id>`; undefined = berthd's own parent.
   */
  cgroupParent?: string;
}

/** The rootfs as plain mount values (the engine gets them from store/layers; the runtime never imports the store). */
export interface RootfsSpec {
  /** Where the root is assembled; for overlay2 this is `<mountID>/merged`. Must exist. */
  path: string;
  /**
   * The mount to perform at `path` inside the container's mount namespace (never on the host).
   * Overlay example: `{ fstype: 'overlay', source: 'overlay', options: ['index=off',
   * 'lowerdir=/a/diff:/b/diff', 'upperdir=/c/diff', 'workdir=/c/work'] }`. Omitted: `path` is already
   * a complete root directory and is only bind-mounted onto itself.
   */
  mount?: {
    fstype: string;
    source: string;
    /** Comma-joined into the mount data string, in order. */
    options: string[];
    /** chdir here before mounting, so relative `l/XXXX` lowerdirs resolve (moby's mountFrom). */
    cwd?: string;
  };
  /** HostConfig.ReadonlyRootfs: remount `/` read-only after setup. */
  readonly?: boolean;
}

/** A bind mount (`-v /host:/ctr[:ro]`, HostConfig.Binds / Mounts of type bind). */
export interface BindMount {
  /** Absolute host path; must exist (the engine creates missing -v dirs as dockerd does). */
  source: string;
  /** Absolute path inside the container; created (dir or empty file, like the source) if missing. */
  destination: string;
  readonly: boolean;
  /** Default 'rprivate' as in dockerd. */
  propagation?: 'private' | 'rprivate' | 'slave' | 'rslave' | 'shared' | 'rshared';
  /**
   * With ContainerSpec.userns: the source stores container ids (a volume, the etc files), so it is
   * mounted idmapped through the container's maps. Host binds are not (as dockerd: unshifted).
   */
  idmap?: boolean;
}

/** One line of a uid_map / gid_map. */
export interface IdMap {
  containerId: number;
  hostId: number;
  size: number;
}

/** daemon.json userns-remap, applied to a container: its user namespace's maps. */
export interface UsernsMaps {
  uidMap: IdMap[];
  gidMap: IdMap[];
}

export interface ConsoleSize {
  rows: number;
  cols: number;
}

/** The user's process: container init (ContainerSpec.process) or an exec (ExecSpec). */
export interface ProcessSpec {
  /** argv; argv[0] is resolved against the PATH in `env` inside the container (runc semantics). */
  args: string[];
  /**
   * `KEY=value` list, already merged image+user by the engine. The runtime adds dockerd's defaults
   * only where missing: PATH, HOSTNAME (init only), TERM=xterm when tty, HOME (from `home`, else "/").
   */
  env: string[];
  /** Absolute cwd inside the container; created if missing (as runc does). Default "/". */
  cwd?: string;
  /** Numeric ids: the engine resolves `User` names from the container's /etc/passwd, /etc/group. */
  uid: number;
  gid: number;
  additionalGids?: number[];
  /** HOME to set when `env` has none (the passwd home of the user). */
  home?: string;
  /** Allocate a pty: stdout and stderr merge into it; the log records everything as stdout. */
  tty: boolean;
  /** Keep stdin open (Config.OpenStdin / exec AttachStdin). false: stdin is /dev/null. */
  openStdin: boolean;
  /** Initial pty size (HostConfig.ConsoleSize / exec ConsoleSize); default 24x80. */
  consoleSize?: ConsoleSize;
  /** Capability names with or without the CAP_ prefix; "ALL" allowed. Applied to the 14 defaults. */
  capAdd?: string[];
  capDrop?: string[];
  /** All capabilities, no masked/read-only paths, all devices (HostConfig.Privileged / exec Privileged). */
  privileged?: boolean;
  /** --security-opt no-new-privileges. Off by default, as in dockerd. */
  noNewPrivileges?: boolean;
  /**
   * The seccomp profile: undefined = Docker's default profile, 'unconfined' = no filter. Resolved
   * against the process's capabilities and the host arch/kernel in runtime/spec/seccomp. The
   * engine passes 'unconfined' for privileged containers, as dockerd; an exec gets its container's.
   */
  seccomp?: SeccompProfile | 'unconfined';
  /** AppArmor profile the process switches to on exec (loaded on the host); undefined = unconfined. */
  apparmorProfile?: string;
  /**
   * HostConfig.OomScoreAdj, -1000..1000. dockerd always sets it (0 by default), for the init and
   * every exec, whatever the daemon's own score; undefined leaves the inherited one.
   */
  oomScoreAdj?: number;
  /** HostConfig.Ulimits, set with setrlimit before exec; the others are inherited from berthd, as from dockerd. */
  rlimits?: Rlimit[];
}

/** Resource limits; 0/undefined means "not set". Field meanings are Docker's HostConfig ones. */
export interface ResourceLimits {
  /** Bytes (-m). */
  memory?: number;
  /** Memory+swap bytes (--memory-swap); -1 = unlimited swap. */
  memorySwap?: number;
  /** CPUs × 1e9 (--cpus). Wins over cpuQuota/cpuPeriod as in dockerd (they are exclusive there). */
  nanoCpus?: number;
  cpuQuota?: number;
  cpuPeriod?: number;
  /** --cpu-shares (v1 cpu.shares; converted to cpu.weight on v2). */
  cpuShares?: number;
  /** --pids-limit; 0 or -1 = unlimited. */
  pidsLimit?: number;
  /** --memory-reservation, bytes: the soft limit reclaim pushes the container back to under pressure. */
  memoryReservation?: number;
  /** --cpuset-cpus / --cpuset-mems (`0-2,4`), checked against RuntimeInfo.cpuset by the engine. */
  cpusetCpus?: string;
  cpusetMems?: string;
  /** --oom-kill-disable, --memory-swappiness (0..100), --kernel-memory-tcp (bytes): cgroup v1 only. */
  oomKillDisable?: boolean;
  memorySwappiness?: number;
  kernelMemoryTcp?: number;
  /** --blkio-weight[-device], --device-{read,write}-{bps,iops}, devices by path. */
  blkio?: BlkioRequest;
  /** --cpu-rt-period / --cpu-rt-runtime, µs (cgroup v1 with RT group scheduling). */
  cpuRtPeriod?: number;
  cpuRtRuntime?: number;
}

export type NetworkMode = 'none' | 'host';

export interface ContainerSpec {
  ref: ContainerRef;
  rootfs: RootfsSpec;
  process: ProcessSpec;
  /** Hostname inside the UTS namespace (default in the engine: first 12 chars of the ID). */
  hostname: string;
  domainname?: string;
  /** `--network container:<id>`: that container's netns (`/proc/<pid>/ns/net`), joined instead of a new one. */
  joinNetns?: string;
  /** 'none': new netns with only `lo`, up. 'host': the host's netns (no CLONE_NEWNET). */
  network: NetworkMode;
  /** `--pid host`: the host's pid namespace (the container sees, and is seen among, host processes). */
  pidMode?: 'private' | 'host';
  /** `--pid container:<id>`: that container's pid namespace (`/proc/<pid>/ns/pid`), joined by the monitor instead of a new one. */
  joinPidns?: string;
  /** `--ipc host`: the host's IPC namespace and its /dev/shm; 'none': a private one without /dev/shm. */
  ipcMode?: 'private' | 'host' | 'none';
  /** `--ipc container:<id>`: that container's IPC namespace, and its /dev/shm cloned from its mount namespace. */
  joinIpc?: { ipcns: string; mntns: string };
  /** `--cgroupns`: a cgroup namespace rooted at the container's cgroup, or the host's; default private on v2, host on v1 (dockerd's defaults). */
  cgroupns?: 'private' | 'host';
  /** `--uts host`: the host's UTS namespace; `hostname` is then only written to /etc/hostname and HOSTNAME. */
  utsMode?: 'private' | 'host';
  binds?: BindMount[];
  /**
   * userns-remap: the container runs in a user namespace of its own with these maps; its image
   * layers, its own layer, volumes and etc files are mounted idmapped (stored unshifted).
   */
  userns?: UsernsMaps;
  /**
   * With userns: another container's user namespace (`/proc/<pid>/ns/user`) joined instead of a new
   * one, when this container joins that one's net, ipc or pid namespace (moby's WithNamespaces).
   */
  joinUserns?: string;
  /** tmpfs mounts (HostConfig.Tmpfs and Mounts of type tmpfs), mounted with binds by depth. */
  tmpfs?: TmpfsMount[];
  resources?: ResourceLimits;
  /** /dev/shm size in bytes (HostConfig.ShmSize); default 64 MiB. */
  shmSize?: number;
  /** --init: run berth-init (bind-mounted read-only at /sbin/docker-init) as PID 1 before args. */
  init?: boolean;
  /**
   * Host paths of the files bind-mounted at /etc/hostname, /etc/hosts, /etc/resolv.conf (the
   * engine reports them in inspect as HostnamePath/HostsPath/ResolvConfPath). `create` writes each
   * one with dockerd-like content if it does not exist yet; an existing file is used as is.
   */
  etcFiles: { hostname: string; hosts: string; resolvConf: string };
  /** Extra `/etc/hosts` lines (HostConfig.ExtraHosts, "name:ip"). */
  extraHosts?: string[];
  /** json-file log path (dockerd: <container dir>/<id>-json.log), appended to; '' = no log (driver none). */
  logPath: string;
  /** Rotation of the log (json-file/local max-size, max-file): absent = one file, never rotated. */
  logRotation?: { maxBytes: number; maxFiles: number };
  /** json-file `attrs` written on every log line (labels/env log options). */
  logAttrs?: Record<string, string>;
  /**
   * Kernel parameters written in the container's namespaces at start, after the network is plumbed
   * and before the process runs (HostConfig.Sysctls over moby's defaults; checked by the engine).
   */
  sysctls?: Record<string, string>;
  /** HostConfig.Devices: host nodes (read at create) recreated in the container's /dev and allowed in its device cgroup. */
  devices?: DeviceRequest[];
  /** HostConfig.DeviceCgroupRules, parsed: allowed in the device cgroup on top of the defaults. */
  deviceCgroupRules?: DeviceRule[];
  /** Overrides of dockerd's default masked / read-only path lists (HostConfig.MaskedPaths…). */
  maskedPaths?: string[];
  readonlyPaths?: string[];
}

/** The exit of a container or exec process. */
export interface ExitStatus {
  /** As dockerd reports it: the exit code, or 128+signal when killed by a signal (137 for SIGKILL). */
  exitCode: number;
  /** The terminating signal number, when killed by one. */
  signal?: number;
  /** The memory cgroup's OOM killer killed a process of this container (State.OOMKilled). */
  oomKilled: boolean;
  startedAt?: Date;
  finishedAt: Date;
}

export type OutputStreamName = 'stdout' | 'stderr';

/** One chunk read from an AttachStream. With a tty everything is 'stdout'. */
export interface OutputChunk {
  stream: OutputStreamName;
  data: Buffer;
}

export interface AttachOptions {
  /** Forward writes to the process's stdin (needs ProcessSpec.openStdin). */
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  /** End of this stream's writable side closes the process's stdin (Config.StdinOnce; exec: always true). */
  closeStdinOnEnd: boolean;
}

/**
 * A live attachment to a process's streams (one connection to the monitor).
 * - Readable side is in OBJECT MODE and yields `OutputChunk`s (only the streams asked for), in
 *   order; it ends once the process has exited and its output is drained (or after `detach()`).
 * - Writable side takes stdin bytes (Buffer/string); `end()` half-closes: with closeStdinOnEnd the
 *   process sees EOF on stdin, otherwise only this attachment stops sending.
 * - Output produced before `attach` resolved is not replayed (only the log has it), as in dockerd;
 *   attach before `start()` to see everything.
 */
export interface AttachStream extends Duplex {
  /** Drop this attachment without touching the process (docker attach detach keys, client gone). */
  detach(): void;
}

export interface ExecSpec {
  /** Exec ID (64 hex); names the exec's state dir `<container stateDir>/exec/<execId>`. */
  execId: string;
  process: ProcessSpec;
}

/**
 * A process started by `ContainerProcess.exec`: it runs in all the container's namespaces and its
 * cgroup, under its own small monitor (so it, too, survives a berthd restart). Same create/attach/
 * start/wait lifecycle as the container: `exec()` resolves when it is ready at the barrier (errors
 * such as a missing executable are thrown by `exec()` as ContainerStartError carrying 126/127).
 */
export interface ExecProcess {
  readonly execId: string;
  /** Host PID of the exec'd process (0 until started). */
  readonly pid: number;
  attach(options: AttachOptions): Promise<AttachStream>;
  start(): Promise<void>;
  resize(size: ConsoleSize): Promise<void>;
  kill(signal: number): Promise<void>;
  /** Resolves once with the exit status (also after the exec already ended). */
  wait(): Promise<ExitStatus>;
  close(): void;
}

/** One process of a container, for `top` and the Berth process/PID map. */
export interface ContainerProcessInfo {
  hostPid: number;
  /** PID inside the container's pid namespace (from /proc/<pid>/status NSpid). */
  containerPid: number;
  hostPpid: number;
  /** Real uid / gid (host view; the same inside as there is no user namespace). */
  uid: number;
  gid: number;
  /** argv (from /proc/<pid>/cmdline; `[comm]` for kernel-thread-like empty cmdlines). */
  args: string[];
  /** One-letter state (R, S, D, Z…). */
  state: string;
  /** Clock ticks since boot when it started (from /proc/<pid>/stat), for STIME. */
  startTimeTicks: number;
  /** utime + stime in clock ticks, for TIME. */
  cpuTicks: number;
  rssBytes: number;
}

/** One interface's counters, as the stats API's `networks` entries carry them. */
export interface NetIfStats {
  rxBytes: number;
  rxPackets: number;
  rxErrors: number;
  rxDropped: number;
  txBytes: number;
  txPackets: number;
  txErrors: number;
  txDropped: number;
}

/** Live resource usage next to the limits in force: the engine maps it to the stats DTO. */
export interface ContainerStats extends CgroupStats {
  readAt: Date;
  /** Host CPU time in ns from /proc/stat (Docker's system_cpu_usage). */
  systemCpuNs: number;
  onlineCpus: number;
  /** Per interface of the container's own network namespace (absent: it shares the host's). */
  networks?: Record<string, NetIfStats>;
}

/**
 * A container whose monitor is alive (created or running). Obtained from `Runtime.create` or
 * `Runtime.recover`. All methods talk to the monitor over its socket.
 */
export interface ContainerProcess {
  readonly ref: ContainerRef;
  /** Host PID of the container's init (PID 1 inside). */
  readonly pid: number;
  /** Host PID of the monitor (for the RSS bench and diagnostics). */
  readonly monitorPid: number;
  /** 'created' until start() succeeded. */
  readonly status: 'created' | 'running' | 'exited';
  attach(options: AttachOptions): Promise<AttachStream>;
  /** Release the barrier: the init execve()s. Rejects if the container already exited. */
  start(): Promise<void>;
  resize(size: ConsoleSize): Promise<void>;
  /** Send a signal to the container's PID 1 only (docker kill / stop semantics). */
  kill(signal: number): Promise<void>;
  /** Resolves once with the exit status (immediately if already exited). Never rejects on exit. */
  wait(): Promise<ExitStatus>;
  exec(spec: ExecSpec): Promise<ExecProcess>;
  /** Processes currently in the container (its cgroup), host and container PIDs. */
  processes(): Promise<ContainerProcessInfo[]>;
  stats(): Promise<ContainerStats>;
  /** Release client-side sockets; the container keeps running. */
  close(): void;
}

export type RecoverResult =
  | { state: 'running' | 'created'; container: ContainerProcess }
  /** The monitor finished while berthd was away; exit.json tells how. */
  | { state: 'exited'; exit: ExitStatus }
  /** Neither a live monitor nor an exit record (e.g. the host rebooted): treat as exited, unknown code. */
  | { state: 'missing' };

export interface RuntimeInfo {
  cgroupVersion: 1 | 2;
  cgroupDriver: 'cgroupfs';
  memoryLimit: boolean;
  swapLimit: boolean;
  cpuCfsQuota: boolean;
  cpuCfsPeriod: boolean;
  cpuShares: boolean;
  pidsLimit: boolean;
  /** The CPUs and memory nodes containers may be pinned to; undefined without a cpuset controller. */
  cpuset?: { cpus: string; mems: string };
  oomKillDisable?: boolean;
  memorySwappiness?: boolean;
  kernelMemoryTcp?: boolean;
  blkio?: BlkioFeatures;
  cpuRealtime?: boolean;
  /** Where berth-init is (bind-mounted at /sbin/docker-init for --init). */
  initPath: string;
}

export interface Runtime {
  info(): RuntimeInfo;
  /**
   * Creates the cgroup (with limits), writes the etc files, spawns the monitor, and returns when the
   * container init is fully set up and held before execve. Throws ContainerStartError (bad command,
   * mount failure…) after cleaning up everything it made (no cgroup, process or files remain).
   * Throws Conflict if a monitor for this stateDir is already alive.
   */
  create(spec: ContainerSpec): Promise<ContainerProcess>;
  /**
   * Finds a container after a berthd restart from its ref alone (socket + pid + exit.json in the
   * state dir) and reconnects to its monitor.
   */
  recover(ref: ContainerRef): Promise<RecoverResult>;
  /**
   * Removes everything the runtime made for the container: SIGKILLs the monitor's container and any
   * straggler in the cgroup (and its execs), waits for them, removes the cgroup(s) and the state
   * dir. Idempotent; never touches the etc files or the log (the engine owns those paths).
   */
  delete(ref: ContainerRef): Promise<void>;
  /** Reads the exit record of a container that has exited; undefined if none. */
  readExit(ref: ContainerRef): Promise<ExitStatus | undefined>;
  /** Freezes (docker pause) or thaws every process of a running container. */
  freeze(ref: ContainerRef, frozen: boolean): Promise<void>;
  /** Applies new resource limits to a running container's cgroup (docker update). */
  updateResources(ref: ContainerRef, resources: ResourceLimits): Promise<void>;
}

/**
 * Start failures are thrown as `ContainerStartError` (runtime-errors.ts, a BerthError subclass
 * with code 'CONTAINER_START_FAILED' and `exitCode` 125 | 126 | 127) carrying runc-compatible text
 * so the docker CLI derives its exit code from the message: 127 for "executable file not found" /
 * "no such file or directory", 126 for "permission denied" / "is a directory", else 125.
 */
export { ContainerStartError } from './runtime-errors';
