import { execFile, spawn } from 'node:child_process';
import { existsSync, openSync, closeSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, truncate, writeFile, mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import { cpus as hostCpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AppError } from '../lib/app-error';
import type { KnownHostsStore } from '../connections/ssh/known-hosts';
import { SshConnection } from '../connections/ssh/ssh-connection';
import { HostProvisioner } from '../provisioning/provisioner';
import { buildGuestImage } from './guest-image';
import { unpackGuestImage } from './guest-image-archive';
import { ed25519KeyPair } from './machine-keys';
import { acceleratorLabel, pickAccelerator, qemuArgs, type Accelerator, type MachinePaths, type MachineSpec } from './qemu-command';
import { QmpClient } from './qmp';

const execFileP = promisify(execFile);

export interface MachineView extends MachineSpec {
  state: 'running' | 'stopped';
  accelerator: Accelerator;
  acceleratorLabel: string;
  /** What the app connects to: the guest's sshd on the desktop's loopback, and berthd's socket there. */
  ssh: { host: '127.0.0.1'; port: number; user: 'root'; keyPath: string };
  remoteSocket: string;
  /** Published ports currently forwarded to the desktop's loopback. */
  forwardedPorts: number[];
}

export interface MachineManagerOptions {
  /** The app's state dir; machines live in <stateDir>/machines/<name>/. */
  stateDir: string;
  knownHosts: KnownHostsStore;
  /** Node.js >= 20 for the guest (Linux x86_64). */
  guestNode: string;
  /** The provisioning inputs (the same bundle any remote host gets). */
  bundleDir: string;
  version: string;
  installerPath: string;
  qemuBinary?: string;
  virtiofsdBinary?: string;
  /** Test seam: force an accelerator instead of probing the desktop. */
  accelerator?: Accelerator;
  /**
   * A prebuilt guest image (`berth-machine-<version>-x86_64.tar.gz`, with its .sha256) used instead
   * of building one from this desktop's Debian packages: how macOS and Windows desktops get theirs.
   */
  guestImageArchive?: string;
}

const NAME_RE = /^[a-z0-9][a-z0-9-]{0,30}$/;
export const MACHINE_SOCKET = '/run/berth/berthd.sock';

/**
 * Berth machines: local Linux VMs (like `podman machine`) that run berthd. Each machine is a
 * directory: machine.json (its spec), a sparse raw data disk (ext4, made at init with the guest's
 * SSH host key and the app's authorised key already inside, so the first connection is verified,
 * not trusted on first use), the app's key pair for it, and while it runs qemu's pid, QMP socket
 * and console log. start() boots the guest image (guest-image.ts), waits for its sshd on the
 * desktop's loopback and installs or upgrades berthd through the same provisioning as any host.
 */
export class MachineManager {
  private readonly root: string;
  private kvm: boolean | undefined;

  constructor(private readonly opts: MachineManagerOptions) {
    this.root = join(opts.stateDir, 'machines');
  }

  private dir(name: string): string {
    if (!NAME_RE.test(name)) throw new AppError('InvalidArgument', 'MACHINE_NAME_INVALID', `machine names are lowercase letters, digits and -, up to 31: "${name}"`);
    return join(this.root, name);
  }

  private paths(name: string): MachinePaths & { spec: string; key: string; hostKeyPub: string } {
    const d = this.dir(name);
    return {
      spec: join(d, 'machine.json'), key: join(d, 'id_ed25519'), hostKeyPub: join(d, 'ssh_host_ed25519_key.pub'),
      disk: join(d, 'disk.img'), qmpSocket: join(d, 'qmp.sock'), virtiofsSocket: join(d, 'virtiofs.sock'),
      consoleLog: join(d, 'console.log'), pidFile: join(d, 'qemu.pid'), kernel: '', initramfs: '',
    };
  }

  async accelerator(): Promise<Accelerator> {
    if (this.opts.accelerator) return this.opts.accelerator;
    this.kvm ??= await kvmUsable(this.opts.qemuBinary ?? 'qemu-system-x86_64');
    return pickAccelerator(process.platform, this.kvm);
  }

  async init(spec: Partial<MachineSpec> & { name: string }, onStep: (s: string) => void = () => {}): Promise<MachineView> {
    const p = this.paths(spec.name);
    if (existsSync(p.spec)) throw new AppError('Conflict', 'MACHINE_EXISTS', `a machine named ${spec.name} already exists`);
    const full: MachineSpec = {
      name: spec.name,
      cpus: spec.cpus ?? Math.min(2, hostCpus().length),
      memoryMiB: spec.memoryMiB ?? 2048,
      diskGiB: spec.diskGiB ?? 20,
      sshPort: spec.sshPort ?? (await freeLoopbackPort()),
      ...(spec.shareHome !== undefined ? { shareHome: spec.shareHome } : {}),
    };
    if (full.cpus < 1 || full.memoryMiB < 512 || full.diskGiB < 1) throw new AppError('InvalidArgument', 'MACHINE_SPEC_INVALID', 'a machine needs at least 1 CPU, 512 MiB of memory and 1 GiB of disk');
    const d = this.dir(spec.name);
    await mkdir(d, { recursive: true, mode: 0o700 });
    try {
      onStep('creating keys and the data disk');
      const client = ed25519KeyPair(`berth-machine-${spec.name}`);
      const host = ed25519KeyPair(`berth-${spec.name}-host`);
      await writeFile(p.key, client.private, { mode: 0o600 });
      await writeFile(`${p.key}.pub`, `${client.public}\n`);
      await writeFile(p.hostKeyPub, `${host.public}\n`);
      // The data disk starts with what sshd needs, so the guest's identity is known before it boots.
      const seed = await mkdtemp(join(tmpdir(), 'berth-machine-seed-'));
      try {
        await mkdir(join(seed, 'etc/ssh'), { recursive: true });
        await mkdir(join(seed, 'root/.ssh'), { recursive: true, mode: 0o700 });
        await writeFile(join(seed, 'etc/ssh/ssh_host_ed25519_key'), host.private, { mode: 0o600 });
        await writeFile(join(seed, 'etc/ssh/ssh_host_ed25519_key.pub'), `${host.public}\n`);
        await writeFile(join(seed, 'root/.ssh/authorized_keys'), `${client.public}\n`, { mode: 0o600 });
        await writeFile(p.disk, '');
        await truncate(p.disk, full.diskGiB * 1024 ** 3);
        await execFileP('mkfs.ext4', ['-q', '-F', '-L', `berth-${spec.name}`, '-E', 'root_owner=0:0', '-d', seed, p.disk]);
      } finally {
        await rm(seed, { recursive: true, force: true });
      }
      await this.opts.knownHosts.accept('127.0.0.1', full.sshPort, publicKeyBlob(host.public));
      await writeFile(join(d, 'known_hosts'), `[127.0.0.1]:${full.sshPort} ${host.public}\n`);
      await writeFile(`${p.spec}.tmp`, JSON.stringify(full, null, 2));
      await rename(`${p.spec}.tmp`, p.spec);
    } catch (err) {
      await rm(d, { recursive: true, force: true });
      throw err;
    }
    return this.view(spec.name);
  }

  async list(): Promise<MachineView[]> {
    if (!existsSync(this.root)) return [];
    const names = (await readdir(this.root)).filter((n) => NAME_RE.test(n) && existsSync(join(this.root, n, 'machine.json')));
    return Promise.all(names.map((n) => this.view(n)));
  }

  async view(name: string): Promise<MachineView> {
    const spec = await this.spec(name);
    const p = this.paths(name);
    const accel = await this.accelerator();
    return {
      ...spec,
      state: (await this.qemuPid(name)) !== undefined ? 'running' : 'stopped',
      accelerator: accel,
      acceleratorLabel: acceleratorLabel(accel),
      ssh: { host: '127.0.0.1', port: spec.sshPort, user: 'root', keyPath: p.key },
      remoteSocket: MACHINE_SOCKET,
      forwardedPorts: await this.forwarded(name),
    };
  }

  private async spec(name: string): Promise<MachineSpec> {
    try {
      return JSON.parse(await readFile(this.paths(name).spec, 'utf8')) as MachineSpec;
    } catch (err) {
      throw new AppError('NotFound', 'MACHINE_NOT_FOUND', `no machine named ${name}`, { cause: err });
    }
  }

  /**
   * The machine's qemu, found by its disk path on the command line (unique per machine) rather
   * than by the pid file alone: qemu removes that file while it exits, and a pid can be reused.
   */
  private async qemuPid(name: string): Promise<number | undefined> {
    const disk = `file=${this.paths(name).disk},`;
    const hinted = Number((await readFile(this.paths(name).pidFile, 'utf8').catch(() => '')).trim());
    const candidates = hinted > 0 ? [hinted] : [];
    if (candidates.length === 0 || !(await isQemuOf(hinted, disk))) {
      candidates.length = 0;
      for (const e of await readdir('/proc').catch(() => [] as string[])) if (/^\d+$/.test(e)) candidates.push(Number(e));
    }
    for (const pid of candidates) if (await isQemuOf(pid, disk)) return pid;
    return undefined;
  }

  /** Boots the machine (if stopped), waits for SSH and brings berthd to the app's version. */
  async start(name: string, onStep: (s: string) => void = () => {}): Promise<MachineView & { bootSeconds: number }> {
    const spec = await this.spec(name);
    const p = this.paths(name);
    const t0 = performance.now();
    if ((await this.qemuPid(name)) === undefined) {
      onStep('preparing the guest image');
      const cacheDir = join(this.root, '.images');
      const image = this.opts.guestImageArchive !== undefined ? await unpackGuestImage(this.opts.guestImageArchive, cacheDir) : await buildGuestImage({ node: this.opts.guestNode, cacheDir });
      const accel = await this.accelerator();
      await rm(p.consoleLog, { force: true });
      await rm(p.qmpSocket, { force: true });
      await rm(join(this.dir(name), 'forwards.json'), { force: true });
      if (spec.shareHome !== undefined) await this.startVirtiofsd(name, spec.shareHome);
      onStep(`booting with ${acceleratorLabel(accel)}`);
      const args = qemuArgs(spec, { ...p, kernel: image.kernel, initramfs: image.initramfs }, accel);
      try {
        await execFileP(this.opts.qemuBinary ?? 'qemu-system-x86_64', args);
      } catch (err) {
        await this.stopVirtiofsd(name);
        throw new AppError('Internal', 'MACHINE_BOOT_FAILED', `qemu could not start ${name}: ${(err as { stderr?: string }).stderr?.trim() || (err as Error).message}`);
      }
    }
    onStep('waiting for the machine to answer over SSH');
    const conn = await this.connectSsh(name, spec, 300_000);
    try {
      const provisioner = new HostProvisioner(conn, { bundleDir: this.opts.bundleDir, version: this.opts.version, installerPath: this.opts.installerPath });
      const { facts } = await provisioner.check();
      if (facts.installed === undefined) {
        onStep(`installing berthd ${this.opts.version}`);
        await provisioner.install({ noSystemd: true }, onStep);
      } else if (facts.installed !== this.opts.version) {
        onStep(`upgrading berthd ${facts.installed} -> ${this.opts.version}`);
        await provisioner.upgrade({}, onStep);
      } else {
        onStep('waiting for berthd');
        const r = await conn.exec(`i=0; until [ -S ${MACHINE_SOCKET} ]; do i=$((i+1)); [ $i -gt 600 ] && exit 1; sleep 0.2; done`);
        if (r.code !== 0) throw new AppError('Unavailable', 'ENGINE_UNAVAILABLE', `berthd did not start in machine ${name}`);
      }
    } finally {
      conn.close();
    }
    const bootSeconds = (performance.now() - t0) / 1000;
    onStep(`ready in ${bootSeconds.toFixed(1)} s`);
    return { ...(await this.view(name)), bootSeconds };
  }

  private async connectSsh(name: string, spec: MachineSpec, timeoutMs: number): Promise<SshConnection> {
    const deadline = Date.now() + timeoutMs;
    let last: unknown;
    for (;;) {
      if ((await this.qemuPid(name)) === undefined) {
        const log = await readFile(this.paths(name).consoleLog, 'utf8').catch(() => '');
        throw new AppError('Internal', 'MACHINE_BOOT_FAILED', `machine ${name} stopped while booting: ${log.slice(-800)}`);
      }
      const conn = new SshConnection({ host: '127.0.0.1', port: spec.sshPort, user: 'root', keyPath: this.paths(name).key, remoteSocket: MACHINE_SOCKET, knownHosts: this.opts.knownHosts, readyTimeoutMs: 20_000 });
      try {
        await conn.connect();
        return conn;
      } catch (err) {
        last = err;
        conn.close();
        if ((err as { code?: string }).code?.startsWith('HOST_KEY')) throw err;
      }
      if (Date.now() > deadline) {
        // The guest's console says why (no data disk, sshd refused its config, a kernel panic).
        const log = await readFile(this.paths(name).consoleLog, 'utf8').catch(() => '');
        const vm = await this.vmStatus(name);
        throw new AppError('Unavailable', 'MACHINE_SSH_TIMEOUT', `machine ${name} did not answer over SSH: ${(last as Error | undefined)?.message ?? ''}; qemu: ${vm}; console: ${log.slice(-800)}`);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  /** What qemu says of the guest (running, paused, internal-error…), for errors about a guest that does not answer. */
  private async vmStatus(name: string): Promise<string> {
    let qmp: QmpClient | undefined;
    const ask = async (): Promise<string> => {
      qmp = await QmpClient.open(this.paths(name).qmpSocket);
      return ((await qmp.execute('query-status')) as { status?: string }).status ?? 'unknown';
    };
    // A qemu whose main loop is stuck accepts the connection but never greets: that is an answer too.
    const timeout = new Promise<string>((r) => setTimeout(() => r('its control socket did not answer in 5 s'), 5000).unref());
    try {
      return await Promise.race([ask(), timeout]);
    } catch (err) {
      return (err as Error).message;
    } finally {
      qmp?.close();
    }
  }

  async stop(name: string): Promise<void> {
    const spec = await this.spec(name);
    const pid = await this.qemuPid(name);
    if (pid !== undefined) {
      // Flush the guest's page cache to the data disk, then end qemu; containers stop with it, as on a host power-off.
      const conn = await this.connectSsh(name, spec, 15_000).catch(() => undefined);
      if (conn) {
        await conn.exec('sync').catch(() => undefined);
        conn.close();
      }
      const qmp = await QmpClient.open(this.paths(name).qmpSocket).catch(() => undefined);
      await qmp?.execute('quit').catch(() => undefined);
      qmp?.close();
      const deadline = Date.now() + 15_000;
      while ((await this.qemuPid(name)) !== undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      if ((await this.qemuPid(name)) !== undefined) process.kill(pid, 'SIGKILL');
    }
    await this.stopVirtiofsd(name);
    const p = this.paths(name);
    for (const f of [p.pidFile, p.qmpSocket, p.virtiofsSocket!, join(this.dir(name), 'forwards.json')]) await rm(f, { force: true });
  }

  async remove(name: string): Promise<void> {
    await this.stop(name);
    await rm(this.dir(name), { recursive: true, force: true });
  }

  /** The ssh command line a person can run to get a shell in the machine. */
  async sshCommand(name: string): Promise<string[]> {
    const spec = await this.spec(name);
    const d = this.dir(name);
    return ['ssh', '-i', join(d, 'id_ed25519'), '-p', String(spec.sshPort), '-o', `UserKnownHostsFile=${join(d, 'known_hosts')}`, '-o', 'IdentitiesOnly=yes', 'root@127.0.0.1'];
  }

  /**
   * Makes the desktop's loopback forwards equal `ports` (the guest's published TCP ports), adding
   * and removing qemu user-network forwards through QMP.
   */
  async syncForwards(name: string, ports: number[]): Promise<number[]> {
    if ((await this.qemuPid(name)) === undefined) return [];
    const current = new Set(await this.forwarded(name));
    const wanted = new Set(ports);
    const qmp = await QmpClient.open(this.paths(name).qmpSocket);
    try {
      for (const port of current) {
        if (!wanted.has(port)) await qmp.hmp(`hostfwd_remove net0 tcp:127.0.0.1:${port}`);
      }
      for (const port of wanted) {
        if (current.has(port)) continue;
        const out = await qmp.hmp(`hostfwd_add net0 tcp:127.0.0.1:${port}-:${port}`);
        if (out.trim() !== '') throw new AppError('Conflict', 'PORT_FORWARD_FAILED', `cannot forward 127.0.0.1:${port} to machine ${name}: ${out.trim()}`);
      }
    } finally {
      qmp.close();
    }
    const list = [...wanted].sort((a, b) => a - b);
    await writeFile(join(this.dir(name), 'forwards.json'), JSON.stringify(list));
    return list;
  }

  private async forwarded(name: string): Promise<number[]> {
    return JSON.parse(await readFile(join(this.dir(name), 'forwards.json'), 'utf8').catch(() => '[]')) as number[];
  }

  private async startVirtiofsd(name: string, source: string): Promise<void> {
    const p = this.paths(name);
    await rm(p.virtiofsSocket!, { force: true });
    const log = openSync(join(this.dir(name), 'virtiofsd.log'), 'a');
    // -f: in the foreground, as our child, so its pid is the one to stop (it daemonizes otherwise).
    const child = spawn(this.opts.virtiofsdBinary ?? '/usr/lib/qemu/virtiofsd', ['-f', `--socket-path=${p.virtiofsSocket}`, '-o', `source=${source}`, '-o', 'cache=auto'], { detached: true, stdio: ['ignore', log, log] });
    closeSync(log);
    child.unref();
    await writeFile(join(this.dir(name), 'virtiofsd.pid'), String(child.pid));
    const deadline = Date.now() + 10_000;
    while (!existsSync(p.virtiofsSocket!)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new AppError('Internal', 'SHARE_FAILED', `virtiofsd could not share ${source} (see ${join(this.dir(name), 'virtiofsd.log')})`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private async stopVirtiofsd(name: string): Promise<void> {
    const pidFile = join(this.dir(name), 'virtiofsd.pid');
    const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
    if (pid > 0) {
      const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      if (cmd.includes('virtiofsd')) {
        process.kill(pid, 'SIGTERM');
        const deadline = Date.now() + 5000;
        while (existsSync(`/proc/${pid}`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      }
    }
    await rm(pidFile, { force: true });
  }
}

async function isQemuOf(pid: number, diskArg: string): Promise<boolean> {
  // A zombie's cmdline is empty: only a live qemu of this machine matches.
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline.includes(diskArg);
}

function publicKeyBlob(line: string): Buffer {
  return Buffer.from(line.trim().split(/\s+/)[1] ?? '', 'base64');
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Whether KVM really works here: /dev/kvm can exist where nested virtualisation is broken. The
 * CPU must advertise VMX or SVM, and qemu must get past creating a host-model vCPU.
 */
async function kvmUsable(qemu: string): Promise<boolean> {
  if (process.platform !== 'linux' || !existsSync('/dev/kvm')) return false;
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  if (!/\b(vmx|svm)\b/.test(cpuinfo)) return false;
  return new Promise((resolve) => {
    const child = spawn(qemu, ['-accel', 'kvm', '-cpu', 'host', '-S', '-display', 'none', '-monitor', 'none', '-nodefaults'], { stdio: 'ignore' });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(true);
    }, 2000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(false);
    });
    child.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}

