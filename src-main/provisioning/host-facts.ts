/**
 * What the installer's `check` reports about a host (`@@FACT key value` lines), and whether berthd
 * can run there. Kept apart from the SSH plumbing so the rules are unit-tested.
 */
export interface HostFacts {
  kernel: string;
  arch: string;
  overlay: boolean;
  cgroup: '1' | '2' | 'none';
  controllers: string[];
  node: { path: string; version: string; major: number } | undefined;
  systemd: boolean;
  packageManager: string | undefined;
  /** The berthd version installed by a previous provisioning, if any. */
  installed: string | undefined;
  /** The remote user is root (else commands go through sudo). */
  root: boolean;
}

export function parseFacts(output: string, root: boolean): HostFacts {
  const facts = new Map<string, string>();
  for (const line of output.split('\n')) {
    const m = /^@@FACT (\S+) ?(.*)$/.exec(line.trim());
    if (m) facts.set(m[1]!, m[2] ?? '');
  }
  const nodeFact = facts.get('node') ?? 'none';
  let node: HostFacts['node'];
  const nm = /^(\S+) v?(\d+)(\.\S*)?$/.exec(nodeFact);
  if (nodeFact !== 'none' && nm) node = { path: nm[1]!, version: `${nm[2]}${nm[3] ?? ''}`, major: Number(nm[2]) };
  const cgroup = facts.get('cgroup');
  const installed = facts.get('installed');
  return {
    kernel: facts.get('kernel') ?? 'unknown',
    arch: facts.get('arch') ?? 'unknown',
    overlay: facts.get('overlay') === 'yes',
    cgroup: cgroup === '1' || cgroup === '2' ? cgroup : 'none',
    controllers: (facts.get('controllers') ?? '').split(',').filter(Boolean),
    node,
    systemd: facts.get('systemd') === 'yes',
    packageManager: facts.get('pkg') || undefined,
    installed: installed && installed !== 'none' ? installed : undefined,
    root,
  };
}

/** The bundle architecture for `uname -m`, or undefined where Berth ships none. */
export function bundleArch(unameMachine: string): 'x64' | 'arm64' | undefined {
  if (unameMachine === 'x86_64' || unameMachine === 'amd64') return 'x64';
  if (unameMachine === 'aarch64' || unameMachine === 'arm64') return 'arm64';
  return undefined;
}

export interface HostProblem {
  /** Stable code, for the UI to offer a fix (e.g. NODE_MISSING -> install Node). */
  code: 'ARCH_UNSUPPORTED' | 'KERNEL_TOO_OLD' | 'NO_OVERLAYFS' | 'NO_CGROUPS' | 'MISSING_CONTROLLERS' | 'NODE_MISSING' | 'NODE_TOO_OLD';
  message: string;
}

const REQUIRED_CONTROLLERS = ['memory', 'pids', 'cpu'];

/** Everything that stops berthd from running on this host; empty means ready to install. */
export function hostProblems(f: HostFacts): HostProblem[] {
  const out: HostProblem[] = [];
  if (bundleArch(f.arch) === undefined) out.push({ code: 'ARCH_UNSUPPORTED', message: `berthd is built for x86_64 and aarch64; this host is ${f.arch}` });
  const [major = 0, minor = 0] = f.kernel.split(/[.-]/).map(Number);
  // overlayfs with redirect_dir/index and cgroup v2's freezer: 5.4 is the oldest LTS kernel tested.
  if (major < 5 || (major === 5 && minor < 4)) out.push({ code: 'KERNEL_TOO_OLD', message: `kernel ${f.kernel} is older than 5.4` });
  if (!f.overlay) out.push({ code: 'NO_OVERLAYFS', message: 'the kernel has no overlay filesystem (modprobe overlay failed)' });
  if (f.cgroup === 'none') out.push({ code: 'NO_CGROUPS', message: 'no cgroup hierarchy is mounted under /sys/fs/cgroup' });
  else {
    const missing = REQUIRED_CONTROLLERS.filter((c) => !f.controllers.includes(c));
    if (missing.length > 0) out.push({ code: 'MISSING_CONTROLLERS', message: `cgroup v${f.cgroup} controllers missing: ${missing.join(', ')}` });
  }
  if (f.node === undefined) out.push({ code: 'NODE_MISSING', message: 'Node.js is not installed (berthd needs Node.js 20 or newer)' });
  else if (f.node.major < 20) out.push({ code: 'NODE_TOO_OLD', message: `Node.js ${f.node.version} at ${f.node.path} is too old (berthd needs 20 or newer)` });
  return out;
}
