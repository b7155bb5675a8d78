/**
 * berthd's runtime configuration, daemon.json-compatible. This file holds the validated model the
 * rest of berthd consumes; loading, validation, SIGHUP reload and atomic replacement live beside it
 * (config-store.ts). Consumers receive a `DaemonConfigSource` and read `current()` at the moment
 * they need a value (e.g. at the start of each pull), so a reload applies without a restart.
 */
export interface DaemonConfig {
  /** Docker Hub mirrors, tried in order before registry-1.docker.io (pull only). */
  registryMirrors: string[];
  /** Berth extension: mirrors for any registry host, e.g. {"ghcr.io": ["http://127.0.0.1:5001"]}. */
  mirrors: Record<string, string[]>;
  /** Registries reached over plain HTTP (host[:port] or CIDR); 127.0.0.0/8 and ::1 always are. */
  insecureRegistries: string[];
  maxConcurrentDownloads: number;
  maxConcurrentUploads: number;
  debug: boolean;
  /**
   * dockerd's `bridge`: the default bridge's device name, or "none" for no default bridge (containers
   * started without --network then get only `lo`, as with `dockerd --bridge=none`). Read at start only.
   */
  bridge?: string;
  /** dockerd's `seccomp-profile`: a profile file, "unconfined", or "builtin"; absent = Docker's default profile. */
  seccompProfile?: string;
  /** dockerd's `no-new-privileges`: the default for every container. */
  noNewPrivileges: boolean;
  /** dockerd's `userns-remap` ("default", "user[:group]", "uid[:gid]"); read at start only, as dockerd. */
  usernsRemap?: string;
  /** dockerd's `log-driver` / `log-opts`: the LogConfig of containers created without one. */
  logDriver?: string;
  logOpts?: Record<string, string>;
}

export const DEFAULT_DAEMON_CONFIG: DaemonConfig = {
  registryMirrors: [],
  mirrors: {},
  insecureRegistries: [],
  maxConcurrentDownloads: 3,
  maxConcurrentUploads: 5,
  debug: false,
  noNewPrivileges: false,
};

export interface DaemonConfigSource {
  /** The config in force now. Never undefined: defaults apply when no file exists. */
  current(): DaemonConfig;
}
