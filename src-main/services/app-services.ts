import { spawn } from 'node:child_process';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AppInfo } from '../../src-shared/ipc/models/app';
import { KnownHostsStore } from '../connections/ssh/known-hosts';
import type { BackoffPolicy } from '../lib/backoff';
import { ComposeService } from './compose-service';
import { ContainersService } from './containers-service';
import { ContainerDataService } from './container-data-service';
import { DockerSocketService } from './docker-socket-service';
import { MachineManager } from '../machines/machine-manager';
import { MachinesService } from './machines-service';
import { BuildsService } from './builds-service';
import { ProvisioningService } from './provisioning-service';
import { EventsService } from './events-service';
import { HostsService } from './hosts-service';
import { ImagesService } from './images-service';
import { VolumesService } from './volumes-service';
import { StacksService } from './stacks-service';
import { NetworksService } from './networks-service';
import { PortTunnelService } from './port-tunnel-service';
import { LogsService } from './logs-service';
import { MirrorsService } from './mirrors-service';
import { StatsService } from './stats-service';
import { SystemService } from './system-service';
import { TerminalService } from './terminal-service';

export interface AppServiceOptions {
  mode: AppInfo['mode'];
  version: string;
}

export class AppService {
  constructor(private readonly opts: AppServiceOptions) {}

  info(): AppInfo {
    return { version: this.opts.version, mode: this.opts.mode, platform: process.platform };
  }
}

export interface EngineServiceOptions {
  stateDir: string;
  localSocket: string;
  /** Read-only known_hosts files besides Berth's own (e.g. ~/.ssh/known_hosts). */
  userKnownHosts?: string[];
  agentSocket?: string;
  backoff?: BackoffPolicy;
  /** The docker CLI's config dir, where host contexts are written (default ~/.docker). */
  dockerConfigDir?: string;
  /** Where the berthd bundles (and install.sh) are, for setting up SSH hosts; absent = no provisioning. */
  bundleDir?: string;
  /** Berth machines: where the bundles are and which node goes into guests; absent = no machines. */
  machines?: { bundleDir: string; guestNode: string; shareHome: string; guestImageArchive?: string };
}

/** Everything the contract handlers call; built once by each composition root. */
export interface AppServices {
  app: AppService;
  hosts: HostsService;
  system: SystemService;
  containers: ContainersService;
  /** Files tab, commit, image save/load. */
  containerData: ContainerDataService;
  images: ImagesService;
  volumes: VolumesService;
  /** Compose stacks: actions on every container of a project, its networks and volumes. */
  stacks: StacksService;
  /** "Run a compose file": the desktop's compose client against a host. */
  compose: ComposeService;
  networks: NetworksService;
  portTunnels: PortTunnelService;
  mirrors: MirrorsService;
  logs: LogsService;
  stats: StatsService;
  events: EventsService;
  terminals: TerminalService;
  /** Local docker sockets (and contexts) forwarded to hosts. */
  dockerSockets: DockerSocketService;
  machines: MachinesService;
  /** Builds from the Builds view (context packed here, built on the host). */
  builds: BuildsService;
  /** Installing berthd on SSH hosts from the Hosts view. */
  provisioning: ProvisioningService;
  /** Starts host connections (loads hosts.json). */
  start: () => Promise<void>;
  close: () => void;
}

export function createAppServices(opts: AppServiceOptions & EngineServiceOptions): AppServices {
  const knownHosts = new KnownHostsStore({ ownFile: join(opts.stateDir, 'known_hosts'), readFiles: opts.userKnownHosts ?? [] });
  const hosts = new HostsService({
    stateDir: opts.stateDir,
    localSocket: opts.localSocket,
    knownHosts,
    ...(opts.agentSocket ? { agentSocket: opts.agentSocket } : {}),
    ...(opts.backoff ? { backoff: opts.backoff } : {}),
  });
  const manager = opts.machines
    ? new MachineManager({
        stateDir: opts.stateDir,
        knownHosts,
        guestNode: opts.machines.guestNode,
        bundleDir: opts.machines.bundleDir,
        version: opts.version,
        installerPath: join(opts.machines.bundleDir, 'install.sh'),
        ...(opts.machines.guestImageArchive !== undefined ? { guestImageArchive: opts.machines.guestImageArchive } : {}),
      })
    : undefined;
  const machines = new MachinesService(manager, hosts, opts.machines?.shareHome ?? homedir());
  const portTunnels = new PortTunnelService(hosts);
  const dockerSockets = new DockerSocketService(hosts, { socketDir: join(opts.stateDir, 'sockets'), dockerConfigDir: opts.dockerConfigDir ?? join(homedir(), '.docker') });
  return {
    app: new AppService(opts),
    hosts,
    system: new SystemService(hosts),
    containers: new ContainersService(hosts),
    containerData: new ContainerDataService(hosts),
    images: new ImagesService(hosts),
    volumes: new VolumesService(hosts),
    stacks: new StacksService(hosts),
    compose: new ComposeService({
      spawn,
      localSocket: opts.localSocket,
      hostState: (id) => hosts.session(id).status.state,
      forwardSocket: async (id) => (await dockerSockets.expose(id, `berth-${id}`)).socket,
    }),
    networks: new NetworksService(hosts),
    portTunnels,
    mirrors: new MirrorsService(hosts),
    logs: new LogsService(hosts),
    stats: new StatsService(hosts),
    events: new EventsService(hosts),
    terminals: new TerminalService(hosts),
    dockerSockets,
    machines,
    builds: new BuildsService(hosts),
    provisioning: new ProvisioningService(hosts, { version: opts.version, ...(opts.bundleDir ?? opts.machines?.bundleDir ? { bundleDir: opts.bundleDir ?? opts.machines?.bundleDir } : {}) }),
    start: () => hosts.start(),
    close: () => {
      machines.close();
      void dockerSockets.close();
      portTunnels.closeAll();
      hosts.close();
    },
  };
}
