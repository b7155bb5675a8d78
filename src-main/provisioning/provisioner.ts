import { readFile } from 'node:fs/promises';
import { AppError } from '../lib/app-error';
import { shellQuote, type RemoteExecResult, type RemoteShell } from '../connections/remote-shell';
import { bundleArch, hostProblems, parseFacts, type HostFacts, type HostProblem } from './host-facts';
import { findBundle, type BundleRef } from './bundle';

/** Where and how berthd is installed on a host; every path defaults to the installer's. */
export interface InstallTarget {
  prefix?: string;
  dataRoot?: string;
  socket?: string;
  config?: string;
  service?: string;
  /** Run berthd under the installer's own supervisor even where systemd runs. */
  noSystemd?: boolean;
}

export interface ProvisionerOptions {
  /** Directory holding the bundles (scripts/build-bundle.mjs writes out/bundle). */
  bundleDir: string;
  /** The version this app ships, i.e. the one to install or upgrade to. */
  version: string;
  /** The installer script, run for `check` before any bundle is uploaded. */
  installerPath: string;
  /** Asked when the remote user is not root and sudo needs a password; never stored. */
  sudoPassword?: () => Promise<string | undefined>;
}

export type StepListener = (step: string) => void;

/**
 * Installs, upgrades and removes berthd on a Linux host over SSH: checks the host, uploads the
 * bundle (checksum verified on both ends), runs its install.sh as root (directly, or through sudo
 * with a password asked for when needed) and verifies that `/version` answers with the expected
 * version. All host policy (layout, service, supervisor) is in install.sh, so a person can run the
 * same script by hand.
 */
export class HostProvisioner {
  private sudoPrefix: string | undefined;
  private sudoPass: string | undefined;

  constructor(
    private readonly shell: RemoteShell,
    private readonly opts: ProvisionerOptions,
  ) {}

  async check(target: InstallTarget = {}): Promise<{ facts: HostFacts; problems: HostProblem[] }> {
    const root = (await this.run('id -u')).stdout.trim() === '0';
    const script = await readFile(this.opts.installerPath);
    const r = await this.run(`sh -s -- check${targetArgs(target)}`, { stdin: script });
    if (r.code !== 0) throw remoteFailure('host check', r);
    const facts = parseFacts(r.stdout, root);
    return { facts, problems: hostProblems(facts) };
  }

  async install(target: InstallTarget, onStep: StepListener = () => {}): Promise<{ version: string }> {
    onStep('checking the host');
    const { facts, problems } = await this.check(target);
    if (problems.length > 0) throw new AppError('Conflict', 'HOST_NOT_READY', problems.map((p) => p.message).join('; '));
    if (facts.installed !== undefined) throw new AppError('Conflict', 'ALREADY_INSTALLED', `berthd ${facts.installed} is already installed on ${this.shell.address}`);
    const args = `install${targetArgs(target)}${target.noSystemd ? ' --no-systemd' : ''}`;
    await this.withBundle(facts, onStep, args);
    return { version: this.opts.version };
  }

  /** Upgrades to the app's version when the host runs another; running containers are kept. */
  async upgrade(target: InstallTarget, onStep: StepListener = () => {}): Promise<{ from: string; to: string } | undefined> {
    onStep('checking the host');
    const { facts } = await this.check(target);
    if (facts.installed === undefined) throw new AppError('NotFound', 'NOT_INSTALLED', `berthd is not installed on ${this.shell.address}`);
    if (facts.installed === this.opts.version) return undefined;
    await this.withBundle(facts, onStep, `upgrade${prefixArg(target)}`);
    return { from: facts.installed, to: this.opts.version };
  }

  /** How this SSH user reaches root: directly, by passwordless sudo, by sudo with a password, or not at all. */
  async privilege(): Promise<'root' | 'sudo' | 'sudo-password' | 'none'> {
    if ((await this.shell.exec('id -u')).stdout.trim() === '0') return 'root';
    if ((await this.shell.exec('sudo -n true')).code === 0) return 'sudo';
    return (await this.shell.exec('command -v sudo')).code === 0 ? 'sudo-password' : 'none';
  }

  /**
   * Installs Node.js with the host's package manager, only where it offers 20 or newer (Debian 12's
   * apt has 18: then the person is told where to get it rather than left with a Node berthd refuses).
   */
  async installNode(onStep: StepListener = () => {}): Promise<{ version: string }> {
    onStep('checking the host');
    const { facts } = await this.check();
    const pm = facts.packageManager;
    const dnf = { query: "dnf -q info --available nodejs 2>/dev/null | sed -n 's/^Version *: *//p' | head -1", install: 'dnf install -y nodejs' };
    // Keyed by the installer's `pkg` fact.
    const candidate: Record<string, { query: string; install: string }> = {
      'apt-get': { query: "apt-cache policy nodejs 2>/dev/null | sed -n 's/^ *Candidate: *//p'", install: 'env DEBIAN_FRONTEND=noninteractive apt-get install -y nodejs' },
      dnf,
      yum: { ...dnf, install: 'yum install -y nodejs' },
      zypper: { query: "zypper -q info nodejs 2>/dev/null | sed -n 's/^Version *: *//p' | head -1", install: 'zypper -n install nodejs' },
    };
    const how = pm !== undefined ? candidate[pm] : undefined;
    if (how === undefined) throw new AppError('NotImplemented', 'NO_PACKAGE_MANAGER', `no supported package manager on ${this.shell.address}: install Node.js 20 or newer from nodejs.org`);
    if (pm === 'apt-get') await this.run('env DEBIAN_FRONTEND=noninteractive apt-get update -q', { root: true });
    const offered = (await this.run(how.query)).stdout.trim().replace(/^\d+:/, '');
    const major = Number(/^(\d+)/.exec(offered)?.[1] ?? '0');
    if (major < 20) throw new AppError('Conflict', 'NODE_PACKAGE_TOO_OLD', `${pm} on ${this.shell.address} offers Node.js ${offered || 'none'}; berthd needs 20 or newer: install it from nodejs.org or NodeSource`);
    onStep(`installing Node.js ${offered} with ${pm}`);
    const r = await this.run(how.install, { root: true });
    if (r.code !== 0) throw remoteFailure(`${pm} install nodejs`, r);
    return { version: offered };
  }

  /** Removes berthd, its service and (unless keepData) its containers and data root. */
  async uninstall(target: InstallTarget & { keepData?: boolean }, onStep: StepListener = () => {}): Promise<void> {
    onStep('checking the host');
    const { facts } = await this.check(target);
    if (facts.installed === undefined) throw new AppError('NotFound', 'NOT_INSTALLED', `berthd is not installed on ${this.shell.address}`);
    const installer = `${target.prefix ?? '/opt/berth'}/current/install.sh`;
    const r = await this.run(`sh ${shellQuote(installer)} uninstall${prefixArg(target)}${target.keepData ? ' --keep-data' : ''}`, { root: true, onStep });
    if (r.code !== 0) throw remoteFailure('uninstall', r);
  }

  private async withBundle(facts: HostFacts, onStep: StepListener, installerArgs: string): Promise<void> {
    const arch = bundleArch(facts.arch);
    if (arch === undefined) throw new AppError('Conflict', 'ARCH_UNSUPPORTED', `no berthd bundle for ${facts.arch}`);
    const bundle = await findBundle(this.opts.bundleDir, this.opts.version, arch);
    const tmp = (await this.run('mktemp -d /tmp/berth-provision.XXXXXX')).stdout.trim();
    if (!tmp.startsWith('/tmp/berth-provision.')) throw new AppError('Internal', 'REMOTE_TMP_FAILED', `mktemp on ${this.shell.address} answered ${JSON.stringify(tmp)}`);
    try {
      onStep(`uploading ${bundle.name}`);
      const remote = `${tmp}/${bundle.name}.tar.gz`;
      await this.shell.upload(bundle.path, remote);
      await this.verifyRemote(bundle, remote);
      const unpack = await this.run(`tar -C ${shellQuote(tmp)} -xzf ${shellQuote(remote)}`);
      if (unpack.code !== 0) throw remoteFailure('unpacking the bundle', unpack);
      const r = await this.run(`sh ${shellQuote(`${tmp}/${bundle.name}/install.sh`)} ${installerArgs}`, { root: true, onStep });
      if (r.code !== 0) throw remoteFailure(installerArgs.split(' ')[0] ?? 'install', r);
      if (!r.stdout.includes(`"Version":"${bundle.version}"`)) throw new AppError('Internal', 'VERIFY_FAILED', `berthd on ${this.shell.address} did not report version ${bundle.version}`);
    } finally {
      await this.run(`rm -rf ${shellQuote(tmp)}`).catch(() => undefined);
    }
  }

  private async verifyRemote(bundle: BundleRef, remote: string): Promise<void> {
    const r = await this.run(`sha256sum ${shellQuote(remote)} 2>/dev/null || openssl dgst -sha256 -r ${shellQuote(remote)}`);
    const sum = r.stdout.trim().split(/\s+/)[0];
    if (sum !== bundle.sha256) throw new AppError('Internal', 'UPLOAD_CORRUPT', `the uploaded bundle's sha256 is ${sum ?? '?'}, expected ${bundle.sha256}`);
  }

  /** Runs a command; with `root`, through sudo unless the SSH user is root. Installer steps are reported. */
  private async run(command: string, o: { stdin?: string | Buffer; root?: boolean; onStep?: StepListener } = {}): Promise<RemoteExecResult> {
    const onLine = (line: string): void => {
      const m = /^@@STEP (.*)$/.exec(line);
      if (m && o.onStep) o.onStep(m[1]!);
    };
    if (!o.root) return this.shell.exec(command, { stdin: o.stdin, onLine });
    const prefix = await this.sudo();
    if (prefix === '') return this.shell.exec(command, { stdin: o.stdin, onLine });
    return this.shell.exec(`${prefix} ${command}`, { stdin: this.sudoPass !== undefined ? `${this.sudoPass}\n` : undefined, onLine });
  }

  /** '' as root; `sudo -n` when sudo needs no password; `sudo -S` with a password asked for once. */
  private async sudo(): Promise<string> {
    if (this.sudoPrefix !== undefined) return this.sudoPrefix;
    if ((await this.shell.exec('id -u')).stdout.trim() === '0') return (this.sudoPrefix = '');
    if ((await this.shell.exec('sudo -n true')).code === 0) return (this.sudoPrefix = 'sudo -n');
    const password = await this.opts.sudoPassword?.();
    if (password === undefined) throw new AppError('Unauthorized', 'SUDO_PASSWORD_REQUIRED', `${this.shell.address}: installing needs root; sudo asks for a password`);
    const probe = await this.shell.exec(`sudo -S -p '' true`, { stdin: `${password}\n` });
    if (probe.code !== 0) throw new AppError('Unauthorized', 'SUDO_PASSWORD_INVALID', `sudo on ${this.shell.address} refused the password`);
    this.sudoPass = password;
    return (this.sudoPrefix = `sudo -S -p ''`);
  }
}

function prefixArg(t: InstallTarget): string {
  return t.prefix !== undefined ? ` --prefix ${shellQuote(t.prefix)}` : '';
}

function targetArgs(t: InstallTarget): string {
  const parts: string[] = [];
  if (t.prefix !== undefined) parts.push('--prefix', shellQuote(t.prefix));
  if (t.dataRoot !== undefined) parts.push('--data-root', shellQuote(t.dataRoot));
  if (t.socket !== undefined) parts.push('--socket', shellQuote(t.socket));
  if (t.config !== undefined) parts.push('--config', shellQuote(t.config));
  if (t.service !== undefined) parts.push('--service', shellQuote(t.service));
  return parts.length > 0 ? ` ${parts.join(' ')}` : '';
}

function remoteFailure(what: string, r: RemoteExecResult): AppError {
  const reported = /^@@ERROR (.*)$/m.exec(r.stdout)?.[1];
  const detail = reported ?? (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-3).join(' ');
  return new AppError('Internal', 'PROVISION_FAILED', `${what} failed (exit ${r.code}): ${detail}`);
}
