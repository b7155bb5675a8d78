import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { invalidArgument } from '../../lib/errors';
import { containerResolvConf, hostsFile } from '../../runtime/spec/etc-files';
import type { ContainerStore } from '../../store/containers/container-store';
import type { BlkioRequest } from '../../runtime/cgroups/blkio';
import type { ContainerRecord, ThrottleDevice } from '../../store/containers/container-record';
import type { ContainerRef, ContainerSpec, ProcessSpec, ResourceLimits } from '../../runtime/runtime';
import { processEnv } from './command-merge';
import { defaultOverlayOptions } from './container-helpers';
import { checkUsernsConflicts, NO_SECURITY_DEFAULTS, runsRemapped, securityOf, type SecurityDefaults } from './security-opts';
import { logSettingsOf, type LogSettings } from './log-driver';
import { parseTmpfs, tmpfsFromMount, type TmpfsMount } from '../../runtime/spec/tmpfs-options';
import { defaultNetworkSysctls } from '../../runtime/spec/sysctls';
import type { DeviceRequest } from '../../runtime/spec/devices';
import { parseDeviceRule } from '../../runtime/cgroups/device-rules';
import { cleanCgroupParent } from '../../runtime/cgroups/cgroup-common';
import { isContainerNetworkMode } from './container-netmode';

/** The monitor's state dir, inside the container's dir. */
const STATE_DIR = 'runtime';

/** The runtime's handle on a container. */
export function runtimeRefOf(store: ContainerStore, id: string): ContainerRef {
  const parent = store.find(id)?.hostConfig.cgroupParent ?? '';
  return { id, stateDir: join(store.dir(id), STATE_DIR), ...(parent !== '' ? { cgroupParent: cleanCgroupParent(parent) } : {}) };
}

/** Where the container's log goes (log-driver.ts): `<id>-json.log` for json-file, as dockerd. */
export function logSettingsOfRecord(store: ContainerStore, rec: ContainerRecord): LogSettings {
  return logSettingsOf(store.dir(rec.id), rec.id, rec.hostConfig.logConfig, { labels: rec.config.labels, env: rec.config.env });
}

/** What the runtime is asked to run for a container record: process, rootfs, limits, files. */
export function buildContainerSpec(store: ContainerStore, rec: ContainerRecord, defaults: SecurityDefaults = NO_SECURITY_DEFAULTS): ContainerSpec {
  const dir = store.dir(rec.id);
  const hc = rec.hostConfig;
  const security = securityOf(rec, defaults);
  const [rows = 0, cols = 0] = hc.consoleSize;
  const log = logSettingsOfRecord(store, rec);
  // Checked again at start, as dockerd: the daemon may have been restarted with userns-remap since create.
  const remapped = runsRemapped(hc, defaults);
  checkUsernsConflicts(hc, remapped);
  return {
    ref: runtimeRefOf(store, rec.id),
    rootfs: {
      path: rec.rootfs.mergedDir,
      mount: { fstype: 'overlay', source: 'overlay', options: rec.rootfs.mountOptions ?? defaultOverlayOptions(rec), cwd: rec.rootfs.mountCwd },
      readonly: hc.readonlyRootfs,
    },
    process: {
      args: [rec.path, ...rec.args],
      env: processEnv(rec.config.env, { hostname: rec.config.hostname, tty: rec.config.tty, home: rec.user.home }),
      cwd: rec.config.workingDir !== '' ? rec.config.workingDir : '/',
      uid: rec.user.uid,
      gid: rec.user.gid,
      additionalGids: rec.user.additionalGids,
      home: rec.user.home,
      tty: rec.config.tty,
      openStdin: rec.config.openStdin,
      consoleSize: rows > 0 && cols > 0 ? { rows, cols } : undefined,
      capAdd: hc.capAdd,
      capDrop: hc.capDrop,
      privileged: hc.privileged,
      seccomp: security.seccomp,
      noNewPrivileges: security.noNewPrivileges,
      ...(security.apparmorProfile !== undefined ? { apparmorProfile: security.apparmorProfile } : {}),
      ...processLimitsOf(hc),
    },
    hostname: rec.config.hostname,
    domainname: rec.config.domainname || undefined,
    network: hc.networkMode === 'host' ? 'host' : 'none',
    ...(hc.pidMode === 'host' ? { pidMode: 'host' as const } : {}),
    ...(hc.ipcMode === 'host' || hc.ipcMode === 'none' ? { ipcMode: hc.ipcMode } : {}),
    ...(hc.utsMode === 'host' ? { utsMode: 'host' as const } : {}),
    ...(hc.cgroupnsMode === 'private' || hc.cgroupnsMode === 'host' ? { cgroupns: hc.cgroupnsMode } : {}),
    // Volumes store container ids (copy-up writes them unshifted): idmapped under remap. Host binds are not (as dockerd).
    binds: hc.mounts
      .filter((m) => m.type === 'bind' || m.type === 'volume')
      .map((m) => ({ source: m.source, destination: m.destination, readonly: m.readOnly, propagation: m.propagation, ...(remapped && m.type === 'volume' ? { idmap: true } : {}) })),
    ...(remapped && defaults.userns ? { userns: defaults.userns } : {}),
    tmpfs: tmpfsMounts(hc),
    resources: resourcesOf(hc),
    shmSize: hc.shmSize,
    init: hc.init,
    etcFiles: { hostname: join(dir, 'hostname'), hosts: join(dir, 'hosts'), resolvConf: join(dir, 'resolv.conf') },
    extraHosts: hc.extraHosts,
    logPath: log.path,
    ...(log.rotation ? { logRotation: log.rotation } : {}),
    ...(log.attrs ? { logAttrs: log.attrs } : {}),
    ...sysctlsOf(hc),
    ...(hc.devices.length > 0 ? { devices: hc.devices.map(deviceRequestOf) } : {}),
    ...(hc.deviceCgroupRules.length > 0 ? { deviceCgroupRules: hc.deviceCgroupRules.map(parseDeviceRule) } : {}),
    maskedPaths: hc.maskedPaths.length > 0 ? hc.maskedPaths : undefined,
    readonlyPaths: hc.readonlyPaths.length > 0 ? hc.readonlyPaths : undefined,
  };
}

/** A HostConfig.Devices entry as the runtime takes it. */
export const deviceRequestOf = (d: ContainerRecord['hostConfig']['devices'][number]): DeviceRequest => ({ pathOnHost: d.pathOnHost, pathInContainer: d.pathInContainer, permissions: d.cgroupPermissions });

/** HostConfig.Sysctls over moby's defaults for a network namespace of its own. */
function sysctlsOf(hc: ContainerRecord['hostConfig']): Pick<ContainerSpec, 'sysctls'> {
  const privateNetwork = hc.networkMode !== 'host' && !isContainerNetworkMode(hc.networkMode);
  const sysctls = { ...defaultNetworkSysctls(privateNetwork), ...hc.sysctls };
  return Object.keys(sysctls).length > 0 ? { sysctls } : {};
}

/** Per-process settings of a container that its execs share too (runc copies them from the container's spec). */
export function processLimitsOf(hc: ContainerRecord['hostConfig']): Pick<ProcessSpec, 'oomScoreAdj' | 'rlimits'> {
  return { oomScoreAdj: hc.oomScoreAdj, rlimits: hc.ulimits };
}

/** The block I/O limits of a HostConfig; undefined when none is set. */
export function blkioOf(hc: ContainerRecord['hostConfig']): BlkioRequest | undefined {
  const rates = (l: ThrottleDevice[]): Array<{ path: string; value: number }> => l.map((d) => ({ path: d.path, value: d.rate }));
  const b: BlkioRequest = {
    ...(hc.blkioWeight > 0 ? { weight: hc.blkioWeight } : {}),
    weightDevices: hc.blkioWeightDevice.map((d) => ({ path: d.path, value: d.weight })),
    readBps: rates(hc.blkioDeviceReadBps),
    writeBps: rates(hc.blkioDeviceWriteBps),
    readIops: rates(hc.blkioDeviceReadIOps),
    writeIops: rates(hc.blkioDeviceWriteIOps),
  };
  const any = b.weight !== undefined || Object.values(b).some((v) => Array.isArray(v) && v.length > 0);
  return any ? b : undefined;
}

/** HostConfig.Tmpfs entries and Mounts of type tmpfs, as the runtime mounts them. */
export function tmpfsMounts(hc: ContainerRecord['hostConfig']): TmpfsMount[] {
  return [
    ...Object.entries(hc.tmpfs).map(([dest, opts]) => parseTmpfs(dest, opts)),
    ...hc.mounts.filter((m) => m.type === 'tmpfs').map((m) => tmpfsFromMount(m.destination, m.readOnly, m.tmpfsOptions)),
  ];
}

/** The cgroup limits of a HostConfig (at start, and again for docker update). */
export function resourcesOf(hc: ContainerRecord['hostConfig']): ResourceLimits {
  return {
    memory: hc.memory || undefined,
    memorySwap: hc.memorySwap || undefined,
    nanoCpus: hc.nanoCpus || undefined,
    cpuQuota: hc.cpuQuota || undefined,
    cpuPeriod: hc.cpuPeriod || undefined,
    cpuShares: hc.cpuShares || undefined,
    pidsLimit: hc.pidsLimit > 0 ? hc.pidsLimit : undefined,
    memoryReservation: hc.memoryReservation || undefined,
    cpusetCpus: hc.cpusetCpus || undefined,
    cpusetMems: hc.cpusetMems || undefined,
    oomKillDisable: hc.oomKillDisable || undefined,
    memorySwappiness: hc.memorySwappiness ?? undefined,
    kernelMemoryTcp: hc.kernelMemoryTcp || undefined,
    blkio: blkioOf(hc),
    cpuRtPeriod: hc.cpuRealtimePeriod || undefined,
    cpuRtRuntime: hc.cpuRealtimeRuntime || undefined,
  };
}

/** /etc/hosts of a container with addresses: the defaults, the extra hosts, its name on each address (atomic). */
export async function writeHostsFile(spec: ContainerSpec, ips: readonly string[], hostGateway?: string): Promise<void> {
  const names = spec.domainname ? [`${spec.hostname}.${spec.domainname}`, spec.hostname] : [spec.hostname];
  const text = hostsFile({ network: spec.network, extraHosts: resolveHostGateway(spec.extraHosts ?? [], hostGateway), self: { ips, names } });
  await writeAtomicText(spec.etcFiles.hosts, text);
}

/** `--add-host name:host-gateway`: the default bridge's gateway, as dockerd (refused at start when there is none). */
export function resolveHostGateway(extraHosts: readonly string[], hostGateway: string | undefined): string[] {
  return extraHosts.map((h) => {
    if (!h.endsWith(':host-gateway')) return h;
    if (hostGateway === undefined) throw invalidArgument('HOST_GATEWAY_UNAVAILABLE', `unable to derive the IP value for host-gateway: this daemon has no default bridge (--add-host ${h})`);
    return `${h.slice(0, -'host-gateway'.length)}${hostGateway}`;
  });
}

/** resolv.conf of a bridge container, written at each start (the embedded DNS or --dns, search, options). */
export async function writeResolvConf(spec: ContainerSpec, hc: ContainerRecord['hostConfig'], embedded: string | undefined): Promise<void> {
  const hostResolvConf = await readFile('/etc/resolv.conf', 'utf8').catch(() => '');
  const text = containerResolvConf({ hostResolvConf, ...(embedded !== undefined ? { embedded } : {}), dns: hc.dns, dnsSearch: hc.dnsSearch ?? [], dnsOptions: hc.dnsOptions ?? [] });
  await mkdir(dirname(spec.etcFiles.resolvConf), { recursive: true });
  await writeAtomicText(spec.etcFiles.resolvConf, text);
}

async function writeAtomicText(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp-${randomBytes(4).toString('hex')}`;
  await writeFile(tmp, text, { mode: 0o644 });
  await rename(tmp, path);
}
