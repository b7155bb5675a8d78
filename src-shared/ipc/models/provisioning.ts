/**
 * Installing berthd on an SSH host from the app (the Hosts view's "Set up berthd"): a check of the
 * host, then install, upgrade or uninstall with streamed steps. The same provisioning runs from
 * the CLI (`npm run berth -- host ...`) and for Berth machines.
 */

/** Where berthd goes on the host; every field defaults to the installer's standard layout. */
export interface ProvisionTargetArgs {
  /** Default /opt/berth. */
  prefix?: string;
  /** Default /var/lib/berth. */
  dataRoot?: string;
  /** Default /etc/berth/daemon.json. */
  config?: string;
  /** Run berthd under the installer's own supervisor even where systemd runs. */
  noSystemd?: boolean;
}

export interface HostProblemView {
  /** ARCH_UNSUPPORTED, KERNEL_TOO_OLD, NO_OVERLAYFS, NO_CGROUPS, MISSING_CONTROLLERS, NODE_MISSING, NODE_TOO_OLD */
  code: string;
  message: string;
}

export interface ProvisionCheckView {
  hostId: string;
  kernel: string;
  arch: string;
  overlay: boolean;
  cgroup: '1' | '2' | 'none';
  controllers: string[];
  /** e.g. `v20.19.2 at /usr/bin/node`; absent when Node.js is missing. */
  node?: string;
  systemd: boolean;
  /** apt, dnf, ...; used to offer a Node.js install. */
  packageManager?: string;
  /** How root is reached: the SSH user is root, passwordless sudo, sudo with a password, or not at all. */
  privilege: 'root' | 'sudo' | 'sudo-password' | 'none';
  /** The berthd version already installed there, if any. */
  installed?: string;
  /** The version this app installs. */
  appVersion: string;
  /** Empty: ready to install. */
  problems: HostProblemView[];
}

export interface ProvisionArgs {
  hostId: string;
  action: 'install' | 'upgrade' | 'uninstall' | 'install-node';
  target?: ProvisionTargetArgs;
  /** For `privilege: 'sudo-password'`: used for this run only, never stored. */
  sudoPassword?: string;
  /** uninstall: keep the data root (images, containers, volumes). */
  keepData?: boolean;
}

/** One step; the last event has `done` (and the stream ends), a failure ends it with an error. */
export interface ProvisionProgressView {
  step: string;
  elapsedMs: number;
  done?: { action: ProvisionArgs['action']; version?: string };
}
