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
}

export interface RestartPolicy {
  name: string;
  maximumRetryCount: number;
}

export interface BindMount {
  source: string;
  destination: string;
  readOnly: boolean;
  /** `bind` for -v/--mount type=bind, `tmpfs` for --tmpfs. */
  type: 'bind' | 'tmpfs';
  /** The mode string as given (`ro`, `rw,z`…), echoed in inspect's Mounts. */
  mode: string;
}

export interface HostConfig {
  binds: string[];
  mounts: BindMount[];
  networkMode: string;
  autoRemove: boolean;
  init: boolean;
  privileged: boolean;
  readonlyRootfs: boolean;
  memory: number;
  memorySwap: number;
  memoryReservation: number;
  nanoCpus: number;
  cpuShares: number;
  cpuQuota: number;
  cpuPeriod: number;
  cpusetCpus: string;
  /** 0 means unlimited (the API's -1 and null are normalised to 0 on input, echoed as given). */
  pidsLimit: number;
  oomKillDisable: boolean;
  capAdd: string[];
  capDrop: string[];
  consoleSize: [number, number];
  shmSize: number;
  restartPolicy: RestartPolicy;
  logConfig: { type: string; config: Record<string, string> };
  dns: string[];
  extraHosts: string[];
  sysctls: Record<string, string>;
  maskedPaths: string[];
  readonlyPaths: string[];
  /** Fields of the posted HostConfig berthd does not model, echoed back by inspect. */
  extra: Record<string, unknown>;
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
}
