import { constants as osConstants } from 'node:os';
import { access, mkdir, readFile, readlink, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { conflict, errnoCode, invalidArgument } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import type {
  BindMount,
  ContainerProcess,
  ContainerProcessInfo,
  ContainerRef,
  ContainerSpec,
  ContainerStats,
  ExecProcess,
  ExecSpec,
  ExitStatus,
  NetIfStats,
  RecoverResult,
  ResourceLimits,
  Runtime,
  RuntimeInfo,
} from '../runtime';
import { ContainerStartError } from '../runtime-errors';
import { toCgroupLimits, type CgroupManager } from '../cgroups/cgroup-manager';
import { hostnameFile, hostsFile, resolvConfFile } from '../spec/etc-files';
import { buildContainerPlan, buildExecPlan, serializePlan } from '../spec/plan';
import { deviceRuleOf, resolveDevices } from '../spec/devices';
import { resolveBlkio } from '../cgroups/blkio';
import { MonitorConnection } from './monitor-connection';
import { FRAME, encodeKill } from './monitor-protocol';
import { EXIT_FILE, MonitoredProcess, readExitRecord, toExitStatus } from './monitored-process';
import { parseNetDev, parseProcStat, readProcessInfo } from './proc-info';
import { ShimSetupError, SpawnShimLauncher, type ShimLauncher } from './shim-launcher';
import { createCgroupManager } from '../cgroups/cgroup-factory';
import type { NativeBinaries } from './native-paths';

export interface LinuxRuntimeOptions {
  launcher: ShimLauncher;
  /** Host path of berth-init (bind-mounted at /sbin/docker-init for --init). */
  initBinary: string;
  cgroups: CgroupManager;
  log: Logger;
  /** Host files the container's /etc/hosts and /etc/resolv.conf derive from. */
  hostFiles?: { hosts: string; resolvConf: string };
}

const CONTAINER_ID = /^[a-f0-9]{64}$/;

/** The cgroup managers' key of a container: its ID, under its CgroupParent when it has one. */
const cgroupKey = (ref: ContainerRef): string => (ref.cgroupParent === undefined ? ref.id : `/${ref.cgroupParent}/${ref.id}`.replace(/^\/\//, '/'));
const EXEC_ID = /^[a-zA-Z0-9_.-]{1,64}$/;

async function writeAtomic(path: string, data: string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, data);
  await rename(tmp, path);
}

async function fileExists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Connects to a monitor, or undefined when none listens on the state dir. */
async function tryConnect(stateDir: string): Promise<MonitorConnection | undefined> {
  try {
    return await MonitorConnection.open(stateDir);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}

/**
 * The Runtime on Linux: one berth-shim monitor per container (see runtime.ts for the contract).
 * This class holds no per-container state of its own: everything is in the state dirs and the
 * monitors, which is what lets a restarted berthd `recover` containers.
 */
export class LinuxRuntime implements Runtime {
  private readonly log: Logger;

  constructor(private readonly opts: LinuxRuntimeOptions) {
    this.log = opts.log.child({ module: 'runtime' });
  }

  info(): RuntimeInfo {
    const f = this.opts.cgroups.features();
    return { cgroupVersion: this.opts.cgroups.version, cgroupDriver: 'cgroupfs', ...f, initPath: this.opts.initBinary };
  }

  async create(spec: ContainerSpec): Promise<ContainerProcess> {
    const { id, stateDir } = spec.ref;
    if (!CONTAINER_ID.test(id)) throw invalidArgument('INVALID_CONTAINER_ID', `invalid container ID "${id}"`);
    if (!stateDir.startsWith('/')) throw invalidArgument('INVALID_PATH', `state dir must be absolute: "${stateDir}"`);
    const t0 = performance.now();
    const live = await tryConnect(stateDir);
    if (live) {
      live.close();
      throw conflict('CONTAINER_RUNNING', `container ${id} already has a running monitor`);
    }
    const cgroups = this.opts.cgroups;
    const devices = await resolveDevices(spec.devices ?? []);
    const blkio = await resolveBlkio(spec.resources?.blkio);
    const binds = spec.userns ? await unshiftMountedSources(spec.binds ?? []) : spec.binds;
    const joinUserns = spec.userns ? await sharedUsernsOf(spec) : undefined;
    const plan = serializePlan(buildContainerPlan({ spec: { ...spec, ...(binds ? { binds } : {}), ...(joinUserns ? { joinUserns } : {}) }, cgroup: cgroups.planPart(cgroupKey(spec.ref)), initBinary: this.opts.initBinary, devices }));
    const deviceRules = [...devices.map(deviceRuleOf), ...(spec.deviceCgroupRules ?? [])];
    try {
      // Independent preparations, together: the state dir, the etc files, the cgroups.
      const prepared = await Promise.allSettled([
        (async () => {
          await rm(stateDir, { recursive: true, force: true });
          await mkdir(stateDir, { recursive: true, mode: 0o700 });
        })(),
        this.writeEtcFiles(spec),
        cgroups.create(cgroupKey(spec.ref), { ...toCgroupLimits(spec.resources), ...(blkio ? { blkio } : {}), allowAllDevices: spec.process.privileged === true, devices: deviceRules }),
      ]);
      for (const p of prepared) if (p.status === 'rejected') throw p.reason;
      const t1 = performance.now();
      const launched = await this.launch('run', stateDir, plan);
      const t2 = performance.now();
      const control = await MonitorConnection.open(stateDir);
      const t3 = performance.now();
      this.log.debug({ id, pid: launched.pid, monitorPid: launched.monitorPid, prepMs: t1 - t0, launchMs: t2 - t1, connectMs: t3 - t2 }, 'container created');
      return new ShimContainer(spec.ref, control, this.opts.cgroups, this.opts.launcher);
    } catch (err) {
      await this.delete(spec.ref).catch((e: unknown) => this.log.warn({ err: e, id }, 'cleanup after failed create'));
      throw err;
    }
  }

  private async launch(mode: 'run' | 'exec', stateDir: string, plan: string): Promise<{ pid: number; monitorPid: number }> {
    try {
      return await this.opts.launcher.launch(mode, stateDir, plan);
    } catch (err) {
      if (err instanceof ShimSetupError) throw new ContainerStartError(err.detail, { cause: err });
      throw err;
    }
  }

  /** dockerd writes these at create; an existing file (maybe edited by the user) is kept. */
  private async writeEtcFiles(spec: ContainerSpec): Promise<void> {
    const host = this.opts.hostFiles ?? { hosts: '/etc/hosts', resolvConf: '/etc/resolv.conf' };
    const files = spec.etcFiles;
    const dirs = new Set([files.hostname, files.hosts, files.resolvConf].map((f) => dirname(f)));
    await Promise.all([...dirs].map((d) => mkdir(d, { recursive: true })));
    const ensure = async (path: string, content: () => Promise<string>): Promise<void> => {
      if (await fileExists(path)) return;
      await writeAtomic(path, await content());
    };
    await Promise.all([
      ensure(files.hostname, async () => hostnameFile(spec.hostname)),
      ensure(files.hosts, async () =>
        hostsFile({
          network: spec.network,
          hostHosts: spec.network === 'host' ? await readFile(host.hosts, 'utf8').catch(() => undefined) : undefined,
          extraHosts: spec.extraHosts,
        }),
      ),
      ensure(files.resolvConf, async () =>
        resolvConfFile({ network: spec.network, hostResolvConf: await readFile(host.resolvConf, 'utf8').catch(() => '') }),
      ),
    ]);
  }

  async recover(ref: ContainerRef): Promise<RecoverResult> {
    const control = await tryConnect(ref.stateDir);
    if (control) {
      const state = control.hello.state;
      if (state === 'exited') {
        // Finishing right now: its exit record is being written; wait for the close.
        const c = new ShimContainer(ref, control, this.opts.cgroups, this.opts.launcher);
        return { state: 'exited', exit: await c.wait() };
      }
      return { state, container: new ShimContainer(ref, control, this.opts.cgroups, this.opts.launcher) };
    }
    const exit = await this.readExit(ref);
    return exit ? { state: 'exited', exit } : { state: 'missing' };
  }

  async readExit(ref: ContainerRef): Promise<ExitStatus | undefined> {
    const record = await readExitRecord(ref.stateDir);
    if (!record) return undefined;
    const oom = await this.opts.cgroups.oomKills(cgroupKey(ref)).catch(() => 0);
    return toExitStatus(record, Math.max(oom, record.oomKills));
  }

  async freeze(ref: ContainerRef, frozen: boolean): Promise<void> {
    if (!CONTAINER_ID.test(ref.id)) throw invalidArgument('INVALID_CONTAINER_ID', `invalid container ID "${ref.id}"`);
    await this.opts.cgroups.freeze(cgroupKey(ref), frozen);
  }

  async updateResources(ref: ContainerRef, resources: ResourceLimits): Promise<void> {
    if (!CONTAINER_ID.test(ref.id)) throw invalidArgument('INVALID_CONTAINER_ID', `invalid container ID "${ref.id}"`);
    const blkio = await resolveBlkio(resources.blkio);
    await this.opts.cgroups.update(cgroupKey(ref), { ...toCgroupLimits(resources), ...(blkio ? { blkio } : {}) });
  }

  async delete(ref: ContainerRef): Promise<void> {
    const { id, stateDir } = ref;
    if (!CONTAINER_ID.test(id)) throw invalidArgument('INVALID_CONTAINER_ID', `invalid container ID "${id}"`);
    const control = await tryConnect(stateDir);
    if (control) {
      const gone = new Promise<void>((resolve) => control.once('close', () => resolve()));
      // SIGKILL of PID 1 takes the whole pid namespace (and so every exec) with it.
      await control.requestRaw(FRAME.kill, encodeKill(osConstants.signals.SIGKILL)).catch(() => undefined);
      await Promise.race([gone, sleep(10_000)]);
      control.close();
    }
    await this.opts.cgroups.remove(cgroupKey(ref));
    await this.killStrayMonitors(stateDir);
    await rm(stateDir, { recursive: true, force: true });
  }

  /** A monitor that stopped answering (it should not happen) must not outlive its container. */
  private async killStrayMonitors(stateDir: string): Promise<void> {
    const pidsText = await readFile(join(stateDir, 'pids'), 'utf8').catch(() => '');
    const monitorPid = Number(pidsText.split(' ')[0]);
    if (!monitorPid) return;
    const cmdline = await readFile(`/proc/${monitorPid}/cmdline`, 'utf8').catch(() => '');
    if (!cmdline.includes('berth-shim') || !cmdline.includes(stateDir)) return;
    try {
      process.kill(monitorPid, 'SIGKILL');
    } catch {
      // already gone
    }
    for (let i = 0; i < 100 && (await fileExists(`/proc/${monitorPid}/cmdline`)); i++) await sleep(20);
  }
}

class ShimContainer extends MonitoredProcess implements ContainerProcess {
  constructor(
    readonly ref: ContainerRef,
    control: MonitorConnection,
    private readonly cgroups: CgroupManager,
    private readonly launcher: ShimLauncher,
  ) {
    super(ref.stateDir, control, () => cgroups.oomKills(cgroupKey(ref)));
  }

  async exec(spec: ExecSpec): Promise<ExecProcess> {
    if (!EXEC_ID.test(spec.execId)) throw invalidArgument('INVALID_EXEC_ID', `invalid exec ID "${spec.execId}"`);
    if (this.status === 'exited') throw conflict('CONTAINER_NOT_RUNNING', `container ${this.ref.id} is not running`);
    const dir = join(this.ref.stateDir, 'exec', spec.execId);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const userns = await remappedRootOf(this.pid);
    const plan = serializePlan(buildExecPlan({ pid: this.pid, process: spec.process, cgroup: this.cgroups.planPart(cgroupKey(this.ref)), ...(userns ? { userns } : {}) }));
    try {
      await this.launcher.launch('exec', dir, plan);
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      if (err instanceof ShimSetupError) throw new ContainerStartError(err.detail, { cause: err });
      throw err;
    }
    const control = await MonitorConnection.open(dir);
    return new ShimExec(spec.execId, dir, control);
  }

  async processes(): Promise<ContainerProcessInfo[]> {
    const pids = await this.cgroups.pids(cgroupKey(this.ref));
    const infos = await Promise.all(pids.map((p) => readProcessInfo(p)));
    return infos.filter((i): i is ContainerProcessInfo => i !== undefined);
  }

  async stats(): Promise<ContainerStats> {
    const [cg, procStat, networks] = await Promise.all([this.cgroups.stats(cgroupKey(this.ref)), readFile('/proc/stat', 'utf8'), this.networkStats()]);
    return { ...cg, readAt: new Date(), ...parseProcStat(procStat), ...(networks ? { networks } : {}) };
  }

  /** The interfaces of the container's own network namespace; none for `--network host` (the host's are not the container's, as in dockerd). */
  private async networkStats(): Promise<Record<string, NetIfStats> | undefined> {
    try {
      const [mine, host] = await Promise.all([readlink(`/proc/${this.pid}/ns/net`), readlink('/proc/self/ns/net')]);
      if (mine === host) return undefined;
      return parseNetDev(await readFile(`/proc/${this.pid}/net/dev`, 'utf8'));
    } catch {
      return undefined; // exited between the check and the read
    }
  }
}

class ShimExec extends MonitoredProcess implements ExecProcess {
  constructor(
    readonly execId: string,
    stateDir: string,
    control: MonitorConnection,
  ) {
    // Nothing reads an exec's record after its wait(): drop its dir so long-lived containers
    // with frequent execs (health checks) do not accumulate them.
    super(stateDir, control, undefined, () => rm(stateDir, { recursive: true, force: true }));
  }
}

export { EXIT_FILE };

/** Composition-root helper: the runtime with the host's cgroup manager and the built shim. */
export async function createLinuxRuntime(opts: {
  log: Logger;
  binaries: NativeBinaries;
  /** Defaults: /sys/fs/cgroup and "berth". */
  cgroupRoot?: string;
  cgroupParent?: string;
}): Promise<LinuxRuntime> {
  const cgroups = await createCgroupManager({ root: opts.cgroupRoot, parent: opts.cgroupParent, deviceFilterBinary: opts.binaries.devfilter });
  return new LinuxRuntime({ launcher: new SpawnShimLauncher(opts.binaries.shim), initBinary: opts.binaries.init, cgroups, log: opts.log });
}

/**
 * The host ids of a container's root when it runs in a user namespace of its own (userns-remap),
 * read from the kernel so an exec joins what the container really has, whatever the config says now.
 */
async function remappedRootOf(pid: number): Promise<{ rootUid: number; rootGid: number } | undefined> {
  const [mine, theirs] = await Promise.all([readlink('/proc/self/ns/user'), readlink(`/proc/${pid}/ns/user`)]);
  if (mine === theirs) return undefined;
  const rootOf = async (file: string): Promise<number> => {
    for (const line of (await readFile(`/proc/${pid}/${file}`, 'utf8')).split('\n')) {
      const [inside, outside] = line.trim().split(/\s+/).map(Number);
      if (inside === 0 && outside !== undefined) return outside;
    }
    return 65534;
  };
  return { rootUid: await rootOf('uid_map'), rootGid: await rootOf('gid_map') };
}

/**
 * moby's WithNamespaces: a remapped container sharing another's net, ipc or pid namespace shares its
 * user namespace too (the last of those wins, as there), when that one runs remapped itself.
 */
async function sharedUsernsOf(spec: ContainerSpec): Promise<string | undefined> {
  const donor = [spec.joinPidns, spec.joinIpc?.ipcns, spec.joinNetns].find((p) => p !== undefined && /^\/proc\/\d+\/ns\/\w+$/.test(p));
  if (donor === undefined) return undefined;
  const path = donor.replace(/\/ns\/\w+$/, '/ns/user');
  const [mine, theirs] = await Promise.all([readlink('/proc/self/ns/user'), readlink(path).catch(() => undefined)]);
  return theirs !== undefined && theirs !== mine ? path : undefined;
}

/**
 * A volume whose `_data` has something mounted on it (the local driver's type/device/o options: a
 * bind of a host directory, an nfs share…) holds host files, not container ids: it is bound
 * unshifted, as dockerd shows it. Idmapping it would make container root the host's root there.
 */
async function unshiftMountedSources(binds: BindMount[]): Promise<BindMount[]> {
  if (!binds.some((b) => b.idmap)) return binds;
  const unescape = (s: string): string => s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
  const points = new Set((await readFile('/proc/self/mountinfo', 'utf8')).split('\n').map((l) => unescape(l.split(' ')[4] ?? '')));
  return Promise.all(
    binds.map(async (b) => {
      if (!b.idmap) return b;
      const real = await realpath(b.source).catch(() => b.source);
      return points.has(real) ? { ...b, idmap: false } : b;
    }),
  );
}
