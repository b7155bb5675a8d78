import { join } from 'node:path';
import { AppError } from '../lib/app-error';
import { HostProvisioner, type InstallTarget } from '../provisioning/provisioner';
import type { ProvisionArgs, ProvisionCheckView, ProvisionProgressView, ProvisionTargetArgs } from '../../src-shared/ipc/models/provisioning';
import type { HostsService } from './hosts-service';

export interface ProvisioningServiceOptions {
  /** Where the berthd bundles and install.sh are (out/bundle); absent: this build cannot provision. */
  bundleDir?: string;
  /** The app's version: the berthd version it installs. */
  version: string;
}

/**
 * The Hosts view's "Set up berthd": checks an SSH host and installs, upgrades or removes berthd
 * there over the host's own SSH link (the same HostProvisioner as the CLI and Berth machines). The
 * socket is the host's configured remote socket, so once installed the host connects as it is.
 * A sudo password is used for one run and never kept.
 */
export class ProvisioningService {
  private readonly running = new Set<string>();

  constructor(
    private readonly hosts: HostsService,
    private readonly opts: ProvisioningServiceOptions,
  ) {}

  private async provisioner(hostId: string, sudoPassword?: string): Promise<HostProvisioner> {
    const bundleDir = this.opts.bundleDir;
    if (bundleDir === undefined) throw new AppError('NotImplemented', 'PROVISIONING_UNAVAILABLE', 'this build of Berth has no berthd bundle to install (run npm run build)');
    const shell = await this.hosts.session(hostId).remoteShell();
    if (shell === undefined) throw new AppError('InvalidArgument', 'HOST_NOT_SSH', 'berthd is installed over SSH; this machine is set up with scripts/setup.sh');
    return new HostProvisioner(shell, {
      bundleDir,
      version: this.opts.version,
      installerPath: join(bundleDir, 'install.sh'),
      sudoPassword: async () => sudoPassword,
    });
  }

  private target(hostId: string, t: ProvisionTargetArgs = {}): InstallTarget {
    const socket = this.hosts.list().find((h) => h.id === hostId)?.ssh?.remoteSocket;
    return { ...t, ...(socket !== undefined ? { socket } : {}) };
  }

  async check(hostId: string, target?: ProvisionTargetArgs): Promise<ProvisionCheckView> {
    const p = await this.provisioner(hostId);
    const { facts, problems } = await p.check(this.target(hostId, target));
    return {
      hostId,
      kernel: facts.kernel,
      arch: facts.arch,
      overlay: facts.overlay,
      cgroup: facts.cgroup,
      controllers: facts.controllers,
      ...(facts.node ? { node: `v${facts.node.version} at ${facts.node.path}` } : {}),
      systemd: facts.systemd,
      ...(facts.packageManager !== undefined ? { packageManager: facts.packageManager } : {}),
      privilege: await p.privilege(),
      ...(facts.installed !== undefined ? { installed: facts.installed } : {}),
      appVersion: this.opts.version,
      problems: problems.map((x) => ({ code: x.code, message: x.message })),
    };
  }

  async run(args: ProvisionArgs, onProgress: (p: ProvisionProgressView) => void): Promise<void> {
    if (this.running.has(args.hostId)) throw new AppError('Conflict', 'PROVISION_RUNNING', 'berthd is already being set up on this host');
    this.running.add(args.hostId);
    const t0 = Date.now();
    const step = (s: string): void => onProgress({ step: s, elapsedMs: Date.now() - t0 });
    try {
      const p = await this.provisioner(args.hostId, args.sudoPassword);
      const target = this.target(args.hostId, args.target);
      let version: string | undefined;
      if (args.action === 'install-node') version = (await p.installNode(step)).version;
      else if (args.action === 'install') version = (await p.install(target, step)).version;
      else if (args.action === 'upgrade') version = (await p.upgrade(target, step))?.to ?? this.opts.version;
      else {
        await p.uninstall({ ...target, keepData: args.keepData === true }, step);
        // No engine is left to reconnect to: the host shows disconnected rather than retrying. (Not
        // before: disconnecting closes the SSH link the uninstall runs over.)
        this.hosts.disconnect(args.hostId);
      }
      if (args.action === 'install' || args.action === 'upgrade') {
        step('connecting');
        await this.hosts.connect(args.hostId);
      }
      onProgress({ step: 'done', elapsedMs: Date.now() - t0, done: { action: args.action, ...(version !== undefined ? { version } : {}) } });
    } finally {
      this.running.delete(args.hostId);
    }
  }
}
