/**
 * The plan: the complete list of operations the native shim performs for a container or an exec,
 * computed here so that all policy lives in TypeScript and the C side stays a dumb executor.
 *
 * Wire format (handed to helper/native/berth-shim.c on its stdin, read by `load_plan`): one record per line, fields joined
 * by TAB; `\`, TAB and LF inside a field are escaped as `\\`, `\t`, `\n`. Keys:
 *
 *   scalars   log <path> | logmax <bytes> | logfiles <n> | logattrs <json object>
 *             tty 0/1 | stdin 0/1 | rows <n> | cols <n> | newpid 1 | unshare <clone flags>
 *             rootprop <ms flags> | rootfs <path> | pidns <path> | root <path> | oomfile <path>
 *             uidmap|gidmap <container> <host> <size>  (userns-remap: the monitor makes the user namespace)
 *             usernsfrom <ns path>  (or joins this one) | fsroot <uid> <gid>  (setup as container root's host ids)
 *             usernsowns <clone flags>  (new uts/ipc namespaces made inside the user namespace, entered by setns)
 *             idmap <host dir>  (over-mounted idmapped before rootmount; ordered op: idbind <source> <target> <ro>)
 *             shmfrom <mnt ns path>  (the donor's /dev/shm, cloned before unshare; placed by `shmmove`)
 *             cwd <path> | uid <n> | gid <n> | groups <a,b> | caps <mask> | nonewprivs
 *             oomscoreadj <n>  (written to /proc/self/oom_score_adj by the child, run and exec)
 *   repeated  rlimit <resource> <soft> <hard>  (setrlimit in the child before the creds change)
 *             sysctl <path under /proc/sys> <value>  (run: written at start by the monitor's helper)
 *             seccomp <default action>  (absent: no filter; see seccomp/resolve.ts)
 *             apparmor <profile>  (absent: unconfined)
 *   repeated  cgroup <cgroup.procs path>  (monitor writes the child's pid there before it proceeds)
 *             cgroupself <v1 tasks path>  (the child writes "0" there itself, before anything else)
 *             setns <ns path>  (exec: joined in order, mnt last)   arg <s>   env <K=V>
 *             joinns <ns path>  (run: a namespace joined before unshare, e.g. another container's net)
 *             rootmount <fstype> <source> <data> <cwd>  (mounted on rootfs inside the new mount ns)
 *             scarch <SCMP_ARCH value>   scrule <action> <syscall> <idx:op:value:valueTwo,...>
 *   ordered operations (executed in plan order, paths are container paths resolved inside the root):
 *             mount <flags> <fstype> <source> <target> <data> <propagation flags>
 *             remount <flags> <target> | mkdir <path> <mode> | mknod <path> <mode> <major> <minor> [<uid> <gid>]
 *             symlink <target> <path> | pivot | pty | console <path> | mask <path> | ropath <path>
 *             rootro | hostname <name> | domainname <name> | lo | shmmove <path>
 */
import { CLONE, MS, S_IFBLK, S_IFCHR } from './linux-constants';
import type { DeviceNode } from './devices';
import {
  DEFAULT_DEVICES,
  DEFAULT_DEV_SYMLINKS,
  DEFAULT_MASKED_PATHS,
  DEFAULT_READONLY_PATHS,
  DEFAULT_SHM_SIZE,
  INIT_PATH_IN_CONTAINER,
} from './defaults';
import { capabilityMask, hostBoundingSet, resolveCapabilities } from './capabilities';
import { buildEnv } from './env';
import { rlimitRecords } from './rlimits';
import { sysctlRecords } from './sysctls';
import { DEFAULT_SECCOMP_PROFILE } from './seccomp/profile';
import { localSeccompHost, resolveSeccomp, seccompRecords } from './seccomp/resolve';
import { invalidArgument } from '../../lib/errors';
import type { BindMount, ContainerSpec, ProcessSpec, TmpfsMount } from '../runtime';
import { hostIdOf, layerIdmapRecords, tmpfsDataFor, usernsMapRecords } from './userns';

export type PlanRecord = readonly [string, ...Array<string | number>];

const escapeField = (v: string | number): string =>
  String(v).replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n');

export function serializePlan(records: readonly PlanRecord[]): string {
  return records.map((r) => r.map(escapeField).join('\t')).join('\n') + '\n';
}

/** Inverse of serializePlan (used by tests and diagnostics). */
export function parsePlan(text: string): string[][] {
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((line) =>
      line.split('\t').map((f) => f.replace(/\\(.)/g, (_m, c: string) => (c === 't' ? '\t' : c === 'n' ? '\n' : c))),
    );
}

/** What the cgroup manager contributes to a plan (paths are policy of runtime/cgroups). */
export interface CgroupPlanPart {
  /** cgroup.procs files the monitor writes the child's pid into. */
  procsFiles: string[];
  /**
   * v1 `tasks` files the (single-threaded) child writes "0" into itself: moving the calling
   * thread only spares the kernel's global threadgroup lock and its RCU grace period.
   */
  threadFiles?: string[];
  /** File with an `oom_kill N` line (v1 memory.oom_control, v2 memory.events). */
  oomFile?: string;
  /** v2: the container gets its own cgroup namespace and a cgroup2 mount. */
  version: 1 | 2;
  /** v1: per-controller dirs bind-mounted read-only under /sys/fs/cgroup/<name>. */
  v1Mounts: Array<{ name: string; source: string }>;
}

const propagationFlags = (p: BindMount['propagation']): number => {
  switch (p ?? 'rprivate') {
    case 'private':
      return MS.PRIVATE;
    case 'rprivate':
      return MS.PRIVATE | MS.REC;
    case 'slave':
      return MS.SLAVE;
    case 'rslave':
      return MS.SLAVE | MS.REC;
    case 'shared':
      return MS.SHARED;
    case 'rshared':
      return MS.SHARED | MS.REC;
  }
};

const checkAbsolute = (what: string, p: string): void => {
  if (!p.startsWith('/')) throw invalidArgument('INVALID_PATH', `${what} must be an absolute path: "${p}"`);
};

/** Sort binds so parents are mounted before children (moby sorts mounts by destination depth). */
const byDepth = (a: { destination: string }, b: { destination: string }): number =>
  a.destination.split('/').filter(Boolean).length - b.destination.split('/').filter(Boolean).length;

function processRecords(proc: ProcessSpec, env: string[]): PlanRecord[] {
  if (proc.args.length === 0) throw invalidArgument('NO_COMMAND', 'no command specified');
  const bounding = hostBoundingSet();
  const caps = resolveCapabilities({ capAdd: proc.capAdd, capDrop: proc.capDrop, privileged: proc.privileged }).filter((c) => bounding.includes(c));
  const out: PlanRecord[] = [
    ['cwd', proc.cwd && proc.cwd.length > 0 ? proc.cwd : '/'],
    ['uid', proc.uid],
    ['gid', proc.gid],
    // moby (since the CVE-2023-25173 fix) lists the primary gid among the supplementary groups too.
    ['groups', [...new Set([proc.gid, ...(proc.additionalGids ?? [])])].join(',')],
    ['caps', capabilityMask(caps)],
  ];
  if (proc.oomScoreAdj !== undefined) out.push(['oomscoreadj', proc.oomScoreAdj]);
  out.push(...rlimitRecords(proc.rlimits ?? []));
  if (proc.noNewPrivileges) out.push(['nonewprivs']);
  if (proc.apparmorProfile !== undefined) out.push(['apparmor', proc.apparmorProfile]);
  if (proc.seccomp !== 'unconfined') {
    out.push(...seccompRecords(resolveSeccomp(proc.seccomp ?? DEFAULT_SECCOMP_PROFILE, caps, localSeccompHost())));
  }
  for (const a of proc.args) out.push(['arg', a]);
  for (const e of env) out.push(['env', e]);
  return out;
}

function stdioRecords(proc: ProcessSpec): PlanRecord[] {
  const size = proc.consoleSize;
  return [
    ['tty', proc.tty ? 1 : 0],
    ['stdin', proc.openStdin ? 1 : 0],
    ['rows', size && size.rows > 0 ? size.rows : 24],
    ['cols', size && size.cols > 0 ? size.cols : 80],
  ];
}

export interface ContainerPlanInput {
  spec: ContainerSpec;
  cgroup: CgroupPlanPart;
  /** Host path of berth-init, for `--init`. */
  initBinary: string;
  /** HostConfig.Devices as read from the host (runtime/spec/devices.ts). */
  devices?: readonly DeviceNode[];
}

/**
 * The namespaces a container's user namespace owns, as under runc (which makes them after it). The
 * mount one stays host root's (idmapped mounts need that) and the network one too, as dockerd's
 * (libnetwork makes it outside the user namespace, so raw sockets stay refused there as well).
 */
const USERNS_OWNED = CLONE.NEWUTS | CLONE.NEWIPC;

/** The plan of a container's init: namespaces, root, mounts, devices, then the process (§5.2). */
export function buildContainerPlan({ spec, cgroup, initBinary, devices = [] }: ContainerPlanInput): PlanRecord[] {
  const { rootfs, process: proc } = spec;
  checkAbsolute('rootfs', rootfs.path);
  const privileged = proc.privileged === true;
  const hostUts = spec.utsMode === 'host';
  let flags = CLONE.NEWNS | (hostUts ? 0 : CLONE.NEWUTS) | (spec.ipcMode === 'host' || spec.joinIpc !== undefined ? 0 : CLONE.NEWIPC);
  if (spec.network === 'none' && spec.joinNetns === undefined) flags |= CLONE.NEWNET;
  if ((spec.cgroupns ?? (cgroup.version === 2 ? 'private' : 'host')) === 'private') flags |= CLONE.NEWCGROUP;
  const p: PlanRecord[] = [
    ['mode', 'run'],
    ['id', spec.ref.id],
    ['log', spec.logPath],
    ...(spec.logRotation ? ([['logmax', spec.logRotation.maxBytes], ['logfiles', spec.logRotation.maxFiles]] satisfies PlanRecord[]) : []),
    ...(spec.logAttrs ? ([['logattrs', JSON.stringify(spec.logAttrs)]] satisfies PlanRecord[]) : []),
    ...stdioRecords(proc),
    ...(spec.joinPidns !== undefined ? ([['pidns', spec.joinPidns]] satisfies PlanRecord[]) : spec.pidMode === 'host' ? [] : ([['newpid', 1]] satisfies PlanRecord[])),
    ...(spec.joinNetns !== undefined ? ([['joinns', spec.joinNetns]] satisfies PlanRecord[]) : []),
    ...(spec.joinIpc !== undefined ? ([['joinns', spec.joinIpc.ipcns], ['shmfrom', spec.joinIpc.mntns]] satisfies PlanRecord[]) : []),
    // With userns-remap the monitor's helper makes the new UTS and IPC namespaces inside the user
    // namespace, so container root's capabilities apply there (sethostname with SYS_ADMIN).
    ['unshare', spec.userns ? flags & ~USERNS_OWNED : flags],
    ...(spec.userns && flags & USERNS_OWNED ? ([['usernsowns', flags & USERNS_OWNED]] satisfies PlanRecord[]) : []),
    // Slave, not private: host unmounts still propagate in (so a removed host mount does not stay
    // pinned), and nothing mounted here propagates out.
    ['rootprop', MS.SLAVE | MS.REC],
    ['rootfs', rootfs.path],
  ];
  for (const f of cgroup.procsFiles) p.push(['cgroup', f]);
  for (const f of cgroup.threadFiles ?? []) p.push(['cgroupself', f]);
  if (cgroup.oomFile) p.push(['oomfile', cgroup.oomFile]);
  const userns = spec.userns;
  if (userns) {
    p.push(...usernsMapRecords(userns));
    if (spec.joinUserns !== undefined) p.push(['usernsfrom', spec.joinUserns]);
    if (rootfs.mount) p.push(...layerIdmapRecords(rootfs.mount));
  }
  if (rootfs.mount) {
    p.push(['rootmount', rootfs.mount.fstype, rootfs.mount.source, rootfs.mount.options.join(','), rootfs.mount.cwd ?? '']);
  }

  const nosuidNoexecNodev = MS.NOSUID | MS.NOEXEC | MS.NODEV;
  const mount = (flagsN: number, fstype: string, source: string, target: string, data = '', prop = 0): PlanRecord => [
    'mount',
    flagsN,
    fstype,
    source,
    target,
    data,
    prop,
  ];
  p.push(mount(nosuidNoexecNodev, 'proc', 'proc', '/proc'));
  p.push(mount(MS.NOSUID | MS.STRICTATIME, 'tmpfs', 'tmpfs', '/dev', tmpfsDataFor('mode=755,size=65536k', userns)));
  p.push(mount(MS.NOSUID | MS.NOEXEC, 'devpts', 'devpts', '/dev/pts', `newinstance,ptmxmode=0666,mode=0620,gid=${userns ? hostIdOf(userns.gidMap, 5, 'gid') : 5}`));
  p.push(mount(nosuidNoexecNodev | (privileged ? 0 : MS.RDONLY), 'sysfs', 'sysfs', '/sys'));
  if (cgroup.version === 2) {
    p.push(mount(nosuidNoexecNodev | MS.RDONLY, 'cgroup2', 'cgroup2', '/sys/fs/cgroup'));
  } else if (cgroup.v1Mounts.length > 0) {
    // runc's v1 layout: a tmpfs holding one read-only bind of the container's own cgroup per controller.
    p.push(mount(nosuidNoexecNodev, 'tmpfs', 'tmpfs', '/sys/fs/cgroup', 'mode=755'));
    for (const m of cgroup.v1Mounts) {
      p.push(mount(MS.BIND | MS.REC | MS.RDONLY | nosuidNoexecNodev, '', m.source, `/sys/fs/cgroup/${m.name}`, '', MS.PRIVATE | MS.REC));
    }
    p.push(['remount', MS.RDONLY | nosuidNoexecNodev, '/sys/fs/cgroup']);
  }
  p.push(mount(nosuidNoexecNodev, 'mqueue', 'mqueue', '/dev/mqueue'));
  const rprivate = MS.PRIVATE | MS.REC;
  // moby: the host's /dev/shm for --ipc host, none at all for --ipc none.
  if (spec.joinIpc !== undefined) p.push(['shmmove', '/dev/shm']);
  else if (spec.ipcMode === 'host') p.push(mount(MS.BIND | MS.REC, '', '/dev/shm', '/dev/shm', '', rprivate));
  else if (spec.ipcMode !== 'none') p.push(mount(nosuidNoexecNodev, 'tmpfs', 'shm', '/dev/shm', tmpfsDataFor(`mode=1777,size=${spec.shmSize && spec.shmSize > 0 ? spec.shmSize : DEFAULT_SHM_SIZE}`, userns)));
  // Under userns-remap the etc files (root-owned on the host) are the container root's, as in dockerd.
  const etcBind = (source: string, target: string): PlanRecord => (userns ? ['idbind', source, target, 0] : mount(MS.BIND | MS.REC, '', source, target, '', rprivate));
  p.push(etcBind(spec.etcFiles.resolvConf, '/etc/resolv.conf'), etcBind(spec.etcFiles.hostname, '/etc/hostname'), etcBind(spec.etcFiles.hosts, '/etc/hosts'));
  const userMounts: Array<{ destination: string; bind?: BindMount; tmpfs?: TmpfsMount }> = [
    ...(spec.binds ?? []).map((b) => ({ destination: b.destination, bind: b })),
    ...(spec.tmpfs ?? []).map((t) => ({ destination: t.destination, tmpfs: t })),
  ];
  for (const { bind: b, tmpfs: t } of userMounts.sort(byDepth)) {
    if (t) {
      checkAbsolute('tmpfs destination', t.destination);
      p.push(mount(t.flags, 'tmpfs', 'tmpfs', t.destination, tmpfsDataFor(t.data, userns)));
      continue;
    }
    if (!b) continue;
    checkAbsolute('bind source', b.source);
    checkAbsolute('bind destination', b.destination);
    if (userns && b.idmap) {
      p.push(['idbind', b.source, b.destination, b.readonly ? 1 : 0]);
      continue;
    }
    p.push(mount(MS.BIND | MS.REC | (b.readonly ? MS.RDONLY : 0), '', b.source, b.destination, '', propagationFlags(b.propagation)));
  }
  if (spec.init) p.push(mount(MS.BIND | MS.RDONLY, '', initBinary, INIT_PATH_IN_CONTAINER, '', rprivate));

  for (const d of DEFAULT_DEVICES) p.push(['mknod', d.path, S_IFCHR | 0o666, d.major, d.minor]);
  for (const d of devices) {
    checkAbsolute('device path', d.path);
    const parent = d.path.slice(0, d.path.lastIndexOf('/'));
    if (parent !== '' && parent !== '/dev') p.push(['mkdir', parent, 0o755]);
    p.push(['mknod', d.path, (d.type === 'b' ? S_IFBLK : S_IFCHR) | d.fileMode, d.major, d.minor, d.uid, d.gid]);
  }
  for (const s of DEFAULT_DEV_SYMLINKS) p.push(['symlink', s.target, s.path]);
  if (proc.cwd && proc.cwd !== '/') p.push(['mkdir', proc.cwd, 0o755]);
  p.push(['pivot']);
  if (proc.tty) p.push(['pty'], ['console', '/dev/console']);
  if (!privileged) {
    for (const m of spec.maskedPaths ?? DEFAULT_MASKED_PATHS) p.push(['mask', m]);
    for (const r of spec.readonlyPaths ?? DEFAULT_READONLY_PATHS) p.push(['ropath', r]);
  }
  if (rootfs.readonly) p.push(['rootro']);
  // In the host's UTS namespace these would rename the host.
  if (!hostUts) {
    p.push(['hostname', spec.hostname]);
    if (spec.domainname) p.push(['domainname', spec.domainname]);
  }
  if (spec.network === 'none' && spec.joinNetns === undefined) p.push(['lo']);
  p.push(...sysctlRecords(spec.sysctls ?? {}));

  const env = buildEnv(proc.env, { hostname: spec.hostname, tty: proc.tty, home: proc.home });
  const args = spec.init ? [INIT_PATH_IN_CONTAINER, '--', ...proc.args] : proc.args;
  p.push(...processRecords({ ...proc, args }, env));
  return p;
}

export interface ExecPlanInput {
  /** Host PID of the container's init. */
  pid: number;
  process: ProcessSpec;
  cgroup: Pick<CgroupPlanPart, 'procsFiles' | 'threadFiles'>;
  /** Namespaces to join besides pid (the monitor joins pid): the container's own, mnt last. */
  namespaces?: Array<'ipc' | 'uts' | 'net' | 'cgroup' | 'mnt'>;
  /**
   * userns-remap: the container's user namespace, joined after the others (they are owned by the
   * initial one), with the host ids of its root for what the exec creates (its pty).
   */
  userns?: { rootUid: number; rootGid: number };
}

/** The plan of an exec: join the container's namespaces, root and cgroup, then the process (§5.5). */
export function buildExecPlan({ pid, process: proc, cgroup, namespaces, userns }: ExecPlanInput): PlanRecord[] {
  const p: PlanRecord[] = [['mode', 'exec'], ...stdioRecords(proc), ['pidns', `/proc/${pid}/ns/pid`], ['root', `/proc/${pid}/root`]];
  for (const f of cgroup.procsFiles) p.push(['cgroup', f]);
  for (const f of cgroup.threadFiles ?? []) p.push(['cgroupself', f]);
  for (const ns of namespaces ?? ['ipc', 'uts', 'net', 'cgroup', 'mnt']) p.push(['setns', `/proc/${pid}/ns/${ns}`]);
  if (userns) p.push(['setns', `/proc/${pid}/ns/user`], ['fsroot', userns.rootUid, userns.rootGid]);
  if (proc.tty) p.push(['pty']);
  const env = buildEnv(proc.env, { tty: proc.tty, home: proc.home });
  p.push(...processRecords(proc, env));
  return p;
}
