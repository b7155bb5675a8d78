/**
 * The qemu command line for a Berth machine, as a pure function of the machine and the desktop:
 * which accelerator, which devices, which forwards. Kept apart from process management so every
 * platform's line is unit-tested on any platform.
 */
export type Accelerator = 'kvm' | 'hvf' | 'whpx' | 'tcg';

export interface MachineSpec {
  name: string;
  cpus: number;
  memoryMiB: number;
  diskGiB: number;
  /** Desktop loopback port forwarded to the guest's sshd. */
  sshPort: number;
  /** Desktop folder shared into the guest at the same path (virtiofs), so `-v ~/x:/x` works. */
  shareHome?: string;
}

export interface MachinePaths {
  kernel: string;
  initramfs: string;
  disk: string;
  /** QMP control socket (forwards are added and removed through it while the guest runs). */
  qmpSocket: string;
  /** virtiofsd's vhost-user socket, when a folder is shared. */
  virtiofsSocket?: string;
  consoleLog: string;
  pidFile: string;
}

/** The best accelerator a desktop offers: its hypervisor, else TCG (slow, and labelled so). */
export function pickAccelerator(platform: NodeJS.Platform, kvmUsable: boolean): Accelerator {
  if (platform === 'linux' && kvmUsable) return 'kvm';
  if (platform === 'darwin') return 'hvf';
  if (platform === 'win32') return 'whpx';
  return 'tcg';
}

export function acceleratorLabel(a: Accelerator): string {
  return a === 'tcg' ? 'TCG software emulation (slow: no hardware virtualisation available)' : `${a.toUpperCase()} hardware virtualisation`;
}

export function qemuArgs(spec: MachineSpec, paths: MachinePaths, accel: Accelerator): string[] {
  const args = [
    '-name', `berth-${spec.name}`,
    '-accel', accel,
    '-cpu', accel === 'tcg' ? 'max' : 'host',
    '-smp', String(spec.cpus),
    '-m', `${spec.memoryMiB}M`,
    '-nodefaults', '-no-user-config', '-display', 'none',
    '-kernel', paths.kernel, '-initrd', paths.initramfs,
    // Not `quiet`: the console goes only to the machine's console.log, and when a guest never
    // answers, the kernel's last lines are what say where its boot stopped.
    '-append', [
      'console=ttyS0', 'panic=-1', `berth.name=${spec.name}`,
      ...(spec.shareHome !== undefined ? [`berth.home=${spec.shareHome}`] : []),
    ].join(' '),
    '-drive', `file=${paths.disk},format=raw,if=virtio,cache=writeback,discard=unmap`,
    // User-mode networking with restrict=on: the guest reaches nothing outside qemu; only the
    // explicit forwards (ssh now, published ports later through QMP) reach the guest, and only
    // from the desktop's loopback.
    '-netdev', `user,id=net0,restrict=on,hostfwd=tcp:127.0.0.1:${spec.sshPort}-:22`,
    '-device', 'virtio-net-pci,netdev=net0',
    // Entropy from the desktop: without it, a guest's first getrandom() (sshd's) can wait on the
    // kernel's own jitter collection, which under TCG on a busy desktop takes minutes.
    '-object', 'rng-random,id=rng0,filename=/dev/urandom',
    '-device', 'virtio-rng-pci,rng=rng0',
    '-serial', `file:${paths.consoleLog}`,
    '-qmp', `unix:${paths.qmpSocket},server=on,wait=off`,
    '-pidfile', paths.pidFile,
    '-daemonize',
  ];
  if (spec.shareHome !== undefined && paths.virtiofsSocket !== undefined) {
    // vhost-user-fs needs the guest RAM shareable with virtiofsd.
    args.push(
      '-object', `memory-backend-memfd,id=mem,size=${spec.memoryMiB}M,share=on`,
      '-numa', 'node,memdev=mem',
      '-chardev', `socket,id=vfs,path=${paths.virtiofsSocket}`,
      '-device', 'vhost-user-fs-pci,chardev=vfs,tag=home',
    );
  }
  return args;
}
