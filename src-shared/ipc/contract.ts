/**
 * The typed contract between the renderer and main, after podman-desktop's ipc-invoke channel map:
 * channel names are the keys of these interfaces, and the same maps type the dispatcher in main
 * (src-main/ipc) and the transports in the renderer (src-renderer/src/lib/transport). Renaming a
 * channel here breaks both sides at compile time. There is no untyped fallback.
 *
 * `InvokeContract[C]` = { args; result } for request/response calls.
 * `StreamContract[C]` = { args; event; input } for streams (input is `never` when read-only).
 *
 * Conventions:
 * - Every host-scoped channel takes `hostId` (`'local'` for the local daemon, see models/hosts).
 * - Failures are ErrorEnvelopes: `kind` says how to react (NotFound, Conflict, InvalidArgument,
 *   Unavailable = daemon down or host not connected, ...), `code` is stable (`ENGINE_UNAVAILABLE`,
 *   `HOST_NOT_CONNECTED`, `CONTAINER_NOT_FOUND`, `HOST_KEY_UNKNOWN`, ...). Never branch on message text.
 * - Lists are invalidated from the `engine:events` stream, not polled.
 * - Channel names are stable; changes are additive, so an older renderer keeps working with a newer main.
 */
import type { AppInfo } from './models/app';
import type { BuildArgs, BuildProgressView, BuildRecordView } from './models/builds';
import type {
  ContainerDetailView,
  ContainerProcessesView,
  ContainerUpdateSpec,
  ContainerView,
  LogBatchView,
  LogsArgs,
  PruneResultView,
  RunResultView,
  RunSpec,
  StatsSummaryView,
  StatsView,
} from './models/containers';
import type { ComposeUpArgs, ComposeUpProgressView } from './models/compose';
import type { ContainerFileTextView, ContainerFileView, DownloadView } from './models/container-data';
import type { AddSshHostArgs, HostStatusView, HostView, UpdateSshHostArgs } from './models/hosts';
import type {
  ImageDetailView,
  ImageHistoryEntryView,
  ImageLayersView,
  ImageView,
  RegistryAuthArgs,
  RemoveImageResultView,
  TransferProgressView,
} from './models/images';
import type { DockerContextView, MachineCreateArgs, MachineProgressView, MachineView } from './models/machines';
import type { MirrorsConfigView, MirrorsHealthView, MirrorsUpdate, MirrorsValidationView } from './models/mirrors';
import type { ProvisionArgs, ProvisionCheckView, ProvisionProgressView, ProvisionTargetArgs } from './models/provisioning';
import type { StackActionResultView, StackArgs, StackResourcesView } from './models/stacks';
import type { DiskUsageView, EngineEventView, EngineInfoView } from './models/system';
import type { TerminalEvent, TerminalInput, TerminalOpenArgs } from './models/terminal';
import type { NetworkCreateArgs, NetworkView, PortCheckView, PortTunnelView } from './models/networks';
import type { VolumeCreateArgs, VolumeFilesView, VolumeFileView, VolumeView } from './models/volumes';

type HostArgs = { hostId: string };
type ContainerArgs = { hostId: string; id: string };
type ImageArgs = { hostId: string; ref: string };
type Empty = Record<string, never>;

export interface InvokeContract {
  /** Which build and mode is serving the UI. */
  'app:info': { args: Empty; result: AppInfo };

  /** This session's builds (newest first), of one host or all. */
  'builds:list': { args: { hostId?: string }; result: BuildRecordView[] };

  // ---- hosts -------------------------------------------------------------------------------
  /** All hosts, the local one first. */
  'hosts:list': { args: Empty; result: HostView[] };
  /** Current status of every host (the same values `host:status` streams). */
  'hosts:statuses': { args: Empty; result: HostStatusView[] };
  /** Adds an SSH host (persisted; passphrase in memory only unless `savePassphrase`). Does not connect. */
  'hosts:add': { args: AddSshHostArgs; result: HostView };
  /** Changes an SSH host's settings; reconnects it if it was connected. */
  'hosts:update': { args: UpdateSshHostArgs; result: HostView };
  /** Removes an SSH host (disconnecting it). The local host cannot be removed (InvalidArgument). */
  'hosts:remove': { args: HostArgs; result: void };
  /**
   * Connects (or retries now, resetting backoff). Resolves with the status after the first
   * attempt: check `state` — a failed attempt is a status, not a rejection. `passphrase` is
   * used for this session (and saved when `savePassphrase`).
   */
  'hosts:connect': { args: { hostId: string; passphrase?: string; savePassphrase?: boolean }; result: HostStatusView };
  /** Closes the connection and stops reconnecting. */
  'hosts:disconnect': { args: HostArgs; result: HostStatusView };
  /**
   * Trusts the pending unknown host key (status.hostKey, reason `unknown`) and connects.
   * `fingerprint` must equal the pending one (guards against accepting a key the user did not see).
   * A changed key can never be accepted here (Forbidden, `HOST_KEY_CHANGED`).
   */
  'hosts:acceptHostKey': { args: { hostId: string; fingerprint: string }; result: HostStatusView };
  /**
   * Checks an SSH host for berthd (kernel, overlayfs, cgroups, Node.js, how root is reached, the
   * installed version). Needs the SSH link only, not a running engine.
   */
  'hosts:provisionCheck': { args: { hostId: string; target?: ProvisionTargetArgs }; result: ProvisionCheckView };

  // ---- system ------------------------------------------------------------------------------
  'system:info': { args: HostArgs; result: EngineInfoView };
  /** `docker system df`: images (each layer once), containers, volumes, build cache. */
  'system:df': { args: HostArgs; result: DiskUsageView };
  /** `docker builder prune`: removes the build cache records not in use. */
  'builds:prune': { args: HostArgs; result: PruneResultView };

  // ---- containers --------------------------------------------------------------------------
  /** `all`: include stopped containers (default true). */
  'containers:list': { args: { hostId: string; all?: boolean }; result: ContainerView[] };
  'containers:inspect': { args: ContainerArgs; result: ContainerDetailView };
  /** Creates (and by default starts) a container from the run dialog. */
  'containers:run': { args: { hostId: string; spec: RunSpec; start?: boolean }; result: RunResultView };
  'containers:start': { args: ContainerArgs; result: void };
  /** `timeoutSeconds`: before SIGKILL (engine default 10). */
  'containers:stop': { args: ContainerArgs & { timeoutSeconds?: number }; result: void };
  'containers:restart': { args: ContainerArgs & { timeoutSeconds?: number }; result: void };
  /** `signal`: default SIGKILL. */
  'containers:kill': { args: ContainerArgs & { signal?: string }; result: void };
  /** `force`: kill a running container first. */
  /** Freezes every process (cgroup freezer); `unpause` thaws them. */
  'containers:pause': { args: ContainerArgs; result: void };
  'containers:unpause': { args: ContainerArgs; result: void };
  /** Conflict when the name is taken. */
  'containers:rename': { args: ContainerArgs & { name: string }; result: void };
  /** Limits and restart policy of a container, live. */
  'containers:update': { args: ContainerArgs & { update: ContainerUpdateSpec }; result: { warnings: string[] } };
  'containers:remove': { args: ContainerArgs & { force?: boolean; volumes?: boolean }; result: void };
  /** Removes all stopped containers. */
  'containers:prune': { args: HostArgs; result: PruneResultView };
  /** Processes with host and container PIDs (Berth), degrading to `/top` on other daemons. */
  'containers:processes': { args: ContainerArgs; result: ContainerProcessesView };
  /** One directory level of the container's filesystem, folders first (Files tab; Berth engines). */
  'containers:files': { args: ContainerArgs & { path: string }; result: ContainerFileView[] };
  /** A file's text for the viewer (first MiB), through the archive API. */
  'containers:file-text': { args: ContainerArgs & { path: string }; result: ContainerFileTextView };
  /** A file's bytes, or a folder (`dir: true`) as a tar, through the archive API (at most 256 MiB). */
  'containers:download': { args: ContainerArgs & { path: string; dir: boolean }; result: DownloadView };
  /** Writes one file (base64, at most 256 MiB) into directory `dir` of the container, through the archive API. */
  'containers:upload': { args: ContainerArgs & { dir: string; name: string; base64: string }; result: void };
  /** `docker commit`: a new image from the container (tagged `repo[:tag]` when `repo` is given). */
  'containers:commit': { args: ContainerArgs & { repo?: string; tag?: string; comment?: string; author?: string }; result: { imageId: string } };

  // ---- compose stacks (containers labelled com.docker.compose.project) ----------------------
  /** Starts every container of the stack (all members, in parallel; failures are reported per member). */
  'stacks:start': { args: StackArgs; result: StackActionResultView };
  /** Stops every running member (`timeoutSeconds` before SIGKILL, engine default 10). */
  'stacks:stop': { args: StackArgs & { timeoutSeconds?: number }; result: StackActionResultView };
  'stacks:restart': { args: StackArgs & { timeoutSeconds?: number }; result: StackActionResultView };
  /**
   * `docker-compose down`: stops and removes every member, then removes the networks named
   * `<project>_*` that carry the project label. Volumes are kept (as `down` without `-v`).
   */
  'stacks:remove': { args: StackArgs; result: StackActionResultView };
  /** The stack's networks and volumes (by the project label). */
  'stacks:resources': { args: StackArgs; result: StackResourcesView };

  // ---- images ------------------------------------------------------------------------------
  /** Includes shared size when the engine computes it. */
  'images:list': { args: HostArgs; result: ImageView[] };
  'images:inspect': { args: ImageArgs; result: ImageDetailView };
  'images:history': { args: ImageArgs; result: ImageHistoryEntryView[] };
  /** Layers with size and which other images share them. */
  'images:layers': { args: ImageArgs; result: ImageLayersView };
  /** Tags `ref` as `repo:tag` (tag default `latest`). */
  'images:tag': { args: ImageArgs & { repo: string; tag?: string }; result: void };
  'images:remove': { args: ImageArgs & { force?: boolean; noPrune?: boolean }; result: RemoveImageResultView };
  /** `all`: also unused tagged images (default: dangling only). */
  'images:prune': { args: HostArgs & { all?: boolean }; result: PruneResultView };
  /** `docker save` of these references as one archive (at most 256 MiB through IPC). */
  'images:save': { args: HostArgs & { refs: string[] }; result: DownloadView };
  /** `docker load` of an archive (base64); the lines the engine reports (`Loaded image: …`). */
  'images:load': { args: HostArgs & { base64: string }; result: { lines: string[] } };

  // ---- volumes -----------------------------------------------------------------------------
  /** Every volume with its size and the containers that use it. */
  'volumes:list': { args: HostArgs; result: VolumeView[] };
  'volumes:create': { args: VolumeCreateArgs; result: VolumeView };
  /** Conflict (`VOLUME_CONFLICT`) while a container uses it. */
  'volumes:remove': { args: HostArgs & { name: string; force?: boolean }; result: void };
  /** `all`: also unused named volumes (default: anonymous ones only). */
  'volumes:prune': { args: HostArgs & { all?: boolean }; result: PruneResultView };
  /** A directory of the volume (read-only; Berth hosts only: NotImplemented elsewhere). */
  'volumes:files': { args: HostArgs & { name: string; path: string }; result: VolumeFilesView };
  /** The head of a file of the volume, for viewing. */
  'volumes:read': { args: HostArgs & { name: string; path: string }; result: VolumeFileView };

  // ---- networks ----------------------------------------------------------------------------
  /** Every network with its subnets and attached containers (predefined ones first). */
  'networks:list': { args: HostArgs; result: NetworkView[] };
  'networks:create': { args: NetworkCreateArgs; result: NetworkView };
  /** Conflict while a container is attached; Forbidden for the predefined networks. */
  'networks:remove': { args: HostArgs & { id: string }; result: void };
  /** Removes networks no container uses. */
  'networks:prune': { args: HostArgs; result: PruneResultView };
  /** Whether host ports can be published now (the run dialog warns before running). */
  'ports:check': { args: HostArgs & { ports: { port: number; proto: 'tcp' | 'udp'; ip: string }[] }; result: PortCheckView[] };
  /** A desktop URL for a published port: the local engine's own, or an SSH tunnel the app keeps open. */
  'ports:open': { args: HostArgs & { port: number; ip?: string }; result: PortTunnelView };

  // ---- mirrors -----------------------------------------------------------------------------
  'mirrors:get': { args: HostArgs; result: MirrorsConfigView };
  /** Dry run: never changes anything. Resolves `valid: false` with messages for a bad config. */
  'mirrors:validate': { args: HostArgs & { update: MirrorsUpdate }; result: MirrorsValidationView };
  /**
   * Applies (berthd hot-reloads; running containers are untouched). Rejects with
   * InvalidArgument (`INVALID_CONFIG`) when invalid; the old config stays in force.
   */
  'mirrors:apply': { args: HostArgs & { update: MirrorsUpdate }; result: MirrorsConfigView };
  /** Probes every configured mirror (`GET /v2/`): reachability and latency. */
  'mirrors:health': { args: HostArgs; result: MirrorsHealthView };

  // ---- machines (local VMs running berthd) and docker contexts ------------------------------
  /** Every Berth machine of this desktop, running or not (empty where machines are unavailable). */
  'machines:list': { args: Empty; result: MachineView[] };
  /** Powers a machine off (its host entry is disconnected; containers stop with it). */
  'machines:stop': { args: { name: string }; result: MachineView };
  /** Stops and deletes a machine: its disk, keys and host entry. */
  'machines:remove': { args: { name: string }; result: void };
  /** Serves a local docker socket for a host and writes a docker context for it (`docker --context NAME`). */
  'hosts:dockerContext': { args: { hostId: string; context: string }; result: DockerContextView };
}

export interface StreamContract {
  /** A heartbeat every `intervalMs`: lets the UI tell a dead main process from a dead daemon. */
  'app:heartbeat': { args: { intervalMs: number }; event: { at: number }; input: never };

  /**
   * Host connection states: first one event per host (snapshot), then one per change
   * (connecting/connected/reconnecting/failed, lastError, retry times). `hostId` filters to one host.
   * The renderer shows the daemon-down state from this and recovers when `connected` comes back.
   */
  'host:status': { args: { hostId?: string }; event: HostStatusView; input: never };

  /**
   * Engine events of one host (one upstream stream per host, fanned out). Survives reconnects:
   * after the host comes back, events resume (the renderer should refetch on `host:status` connected).
   * `types` filters, e.g. ['container', 'image'].
   */
  'engine:events': { args: { hostId: string; types?: string[] }; event: EngineEventView; input: never };

  /** Log lines, batched; ends when the log ends (not following) or the container is removed. */
  'containers:logs': { args: LogsArgs; event: LogBatchView; input: never };
  /** One sample per second from the engine's stats stream. */
  'containers:stats': { args: ContainerArgs; event: StatsView; input: never };
  /** CPU/memory of every running container of a host, about every 2 s, for the list columns. */
  'containers:stats-summary': { args: HostArgs; event: StatsSummaryView; input: never };

  /** An interactive terminal in a container: see models/terminal. */
  'terminal:open': { args: TerminalOpenArgs; event: TerminalEvent; input: TerminalInput };

  /**
   * Pulls an image: aggregated per-layer progress snapshots (throttled), the mirror used, and a
   * final snapshot with state `done`; a failed pull ends the stream with an error (and the last
   * snapshot has state `error`).
   */
  'images:pull': { args: ImageArgs & { auth?: RegistryAuthArgs }; event: TransferProgressView; input: never };
  /** Pushes an image; same progress shape as pull. */
  'images:push': { args: ImageArgs & { auth?: RegistryAuthArgs }; event: TransferProgressView; input: never };
  /**
   * Builds a folder of this machine on a host (classic builder): output lines and steps as they
   * come, the last event with `done`; a failed build ends with an error naming the failing step.
   * Closing the stream cancels the build.
   */
  'images:build': { args: BuildArgs; event: BuildProgressView; input: never };
  /**
   * "Run a compose file": `up -d` of a compose file on this machine against the host, through the
   * compose client installed here (see src-main/services/compose-service.ts). Events carry the
   * client's output and every service's state; the last has `done`. A failed `up` ends with
   * InvalidArgument (`COMPOSE_UP_FAILED`, `COMPOSE_FILE_INVALID`); no client installed ends with
   * NotImplemented (`COMPOSE_CLIENT_MISSING`). Closing the stream interrupts the client.
   */
  'compose:up': { args: ComposeUpArgs; event: ComposeUpProgressView; input: never };
  /** Installs, upgrades or uninstalls berthd on an SSH host (or installs Node.js there), step by step; then reconnects the host. */
  'hosts:provision': { args: ProvisionArgs; event: ProvisionProgressView; input: never };
  /** Creates a machine and starts it: one event per step (boot, install berthd, connect), the last with `done`. */
  'machines:create': { args: MachineCreateArgs; event: MachineProgressView; input: never };
  /** Starts a stopped machine, with the same steps. */
  'machines:start': { args: { name: string }; event: MachineProgressView; input: never };
}

export type InvokeChannel = keyof InvokeContract;
export type StreamChannel = keyof StreamContract;
export type InvokeArgs<C extends InvokeChannel> = InvokeContract[C]['args'];
export type InvokeResult<C extends InvokeChannel> = InvokeContract[C]['result'];
export type StreamArgs<C extends StreamChannel> = StreamContract[C]['args'];
export type StreamEvent<C extends StreamChannel> = StreamContract[C]['event'];
export type StreamInput<C extends StreamChannel> = StreamContract[C]['input'];

export const INVOKE_CHANNELS = [
  'app:info',
  'builds:list',
  'hosts:list',
  'hosts:statuses',
  'hosts:add',
  'hosts:update',
  'hosts:remove',
  'hosts:connect',
  'hosts:disconnect',
  'hosts:acceptHostKey',
  'hosts:provisionCheck',
  'system:info',
  'system:df',
  'builds:prune',
  'containers:list',
  'containers:inspect',
  'containers:run',
  'containers:start',
  'containers:stop',
  'containers:restart',
  'containers:kill',
  'containers:remove',
  'containers:pause',
  'containers:unpause',
  'containers:rename',
  'containers:update',
  'containers:prune',
  'containers:processes',
  'containers:files',
  'containers:file-text',
  'containers:download',
  'containers:upload',
  'containers:commit',
  'stacks:start',
  'stacks:stop',
  'stacks:restart',
  'stacks:remove',
  'stacks:resources',
  'images:list',
  'images:inspect',
  'images:history',
  'images:layers',
  'images:tag',
  'images:remove',
  'images:prune',
  'images:save',
  'images:load',
  'volumes:list',
  'volumes:create',
  'volumes:remove',
  'volumes:prune',
  'volumes:files',
  'volumes:read',
  'networks:list',
  'networks:create',
  'networks:remove',
  'networks:prune',
  'ports:check',
  'ports:open',
  'mirrors:get',
  'mirrors:validate',
  'mirrors:apply',
  'mirrors:health',
  'machines:list',
  'machines:stop',
  'machines:remove',
  'hosts:dockerContext',
] as const satisfies readonly InvokeChannel[];
export const STREAM_CHANNELS = [
  'app:heartbeat',
  'host:status',
  'images:build',
  'hosts:provision',
  'compose:up',
  'engine:events',
  'containers:logs',
  'containers:stats',
  'containers:stats-summary',
  'terminal:open',
  'images:pull',
  'images:push',
  'machines:create',
  'machines:start',
] as const satisfies readonly StreamChannel[];
