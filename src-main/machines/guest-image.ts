/**
 * The Berth machine's guest image, built on a Linux desktop from what Debian's packages installed
 * there: Debian's cloud kernel (linux-image-cloud-amd64: every cgroup v2 controller, virtio,
 * virtiofs, overlayfs), busybox-static for the userland, OpenSSH's sshd and sftp-server, iproute2
 * and nftables for container networking, and a Node.js >= 20 for berthd, each with the shared
 * libraries it links. It boots straight from `-kernel`/`-initrd` (no bootloader, no root disk):
 * the root is a tmpfs, and everything that must persist (berthd's install prefix and data root,
 * SSH host keys, /root) lives on the machine's data disk, which `machine init` creates.
 *
 * berthd itself is not in the image: the app installs and upgrades it over SSH with the same
 * provisioning as any remote host (src-main/provisioning), onto the data disk.
 *
 * A prebuilt image for macOS and Windows desktops is a release artefact made by this same code.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmod, copyFile, mkdir, mkdtemp, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { AppError } from '../lib/app-error';

export interface GuestImage {
  kernel: string;
  initramfs: string;
  kernelRelease: string;
}

export interface GuestImageSources {
  /** Node.js >= 20 for the guest (a Linux x86_64 binary: the desktop's own, on Linux). */
  node: string;
  /** Where built images are cached (one per distinct set of inputs). */
  cacheDir: string;
}

/** Modules the guest loads at boot, in dependency order (resolved with modinfo on the desktop). */
const GUEST_MODULES = [
  'virtio_pci', 'virtio_blk', 'virtio_net', 'virtio_console', 'virtio_rng', 'virtiofs', 'overlay',
  'veth', 'bridge', 'br_netfilter', 'nf_tables', 'nft_chain_nat', 'nft_ct', 'nft_masq', 'nft_nat', 'nft_redir', 'nft_fib_inet', 'nft_reject_inet', 'nf_conntrack', 'nf_nat', 'xt_MASQUERADE', 'iptable_nat', 'iptable_filter', 'ip6table_nat', 'ip6table_filter',
];

const GUEST_BINARIES = ['/usr/sbin/sshd', '/usr/lib/openssh/sftp-server', '/usr/sbin/nft', '/usr/bin/ip', '/usr/sbin/apparmor_parser'];

export function findCloudKernel(): { vmlinuz: string; release: string } | undefined {
  if (!existsSync('/boot')) return undefined;
  const newest = readdirSync('/boot').filter((f) => /^vmlinuz-.*-cloud-amd64$/.test(f)).sort().at(-1);
  if (newest === undefined) return undefined;
  return { vmlinuz: `/boot/${newest}`, release: newest.slice('vmlinuz-'.length) };
}

function modulesInOrder(release: string): string[] {
  const order: string[] = [];
  const seen = new Set<string>();
  const visit = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    let deps: string;
    let file: string;
    try {
      deps = execFileSync('modinfo', ['-k', release, '-F', 'depends', name], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
      file = execFileSync('modinfo', ['-k', release, '-n', name], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    } catch {
      return; // built into this kernel, or absent: nothing to load
    }
    for (const d of deps.split(',').filter(Boolean)) visit(d);
    if (file.endsWith('.ko')) order.push(file);
  };
  for (const m of GUEST_MODULES) visit(m);
  return order;
}

async function copyWithLibs(bin: string, stage: string, as = bin): Promise<void> {
  const libs = execFileSync('ldd', [bin]).toString().match(/\/\S+/g) ?? [];
  for (const [src, dst] of [[bin, as], ...libs.map((l) => [l, l])] as Array<[string, string]>) {
    const dest = join(stage, dst);
    if (existsSync(dest)) continue;
    await mkdir(dirname(dest), { recursive: true });
    await copyFile(src, dest);
    await chmod(dest, statSync(src).mode & 0o7777);
  }
}

// The @@BERTH-MACHINE lines on the console are how a machine that never answers says how far its boot got.
const STAGE1 = `#!/bin/busybox sh
/bin/busybox echo "@@BERTH-MACHINE init: moving to a tmpfs root"
# pivot_root (which every container needs) refuses to run from the initial ramfs: move to a tmpfs.
/bin/busybox mkdir -p /newroot
/bin/busybox mount -t tmpfs -o mode=0755 tmpfs /newroot
for d in bin sbin lib lib64 usr etc init2; do [ -e /$d ] && /bin/busybox cp -a /$d /newroot/; done
exec /bin/busybox switch_root /newroot /init2
`;

// The guest proper. Addresses are qemu user-mode networking's fixed ones (the guest is 10.0.2.15
// behind qemu's own NAT; nothing here is reachable except through the desktop's port forwards).
const STAGE2 = `#!/bin/busybox sh
/bin/busybox --install -s /bin
echo "@@BERTH-MACHINE init: mounting the kernel file systems"
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mkdir -p /proc /sys /dev /tmp /run /mnt/data /var/lib /opt /root
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts /dev/shm && mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts && mount -t tmpfs shm /dev/shm
mount -t tmpfs tmp /tmp && mount -t tmpfs -o mode=0755 run /run
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t securityfs securityfs /sys/kernel/security
for c in $(cat /sys/fs/cgroup/cgroup.controllers); do echo "+$c" > /sys/fs/cgroup/cgroup.subtree_control; done
echo "@@BERTH-MACHINE init: loading modules"
for m in $(cat /etc/berth-machine/modules); do insmod "$m" 2>/dev/null; done
arg() { sed -n "s/.*berth\\.$1=\\([^ ]*\\).*/\\1/p" /proc/cmdline; }
hostname "$(arg name)"
echo "@@BERTH-MACHINE init: mounting the data disk"
mount -t ext4 /dev/vda /mnt/data || { echo "@@BERTH-MACHINE no data disk"; poweroff -f; }
for d in var/lib/berth opt/berth etc/berth etc/ssh root; do mkdir -p "/mnt/data/$d" "/$d"; mount --bind "/mnt/data/$d" "/$d"; done
chmod 0700 /root
echo "@@BERTH-MACHINE init: network"
ip link set lo up
ip link set eth0 up && ip addr add 10.0.2.15/24 dev eth0 && ip route add default via 10.0.2.2
echo "nameserver 10.0.2.3" > /etc/resolv.conf
mkdir -p /run/sshd /var/empty
echo "@@BERTH-MACHINE init: starting sshd"
/usr/sbin/sshd -f /etc/berth-machine/sshd_config -E /tmp/sshd.log && echo "@@BERTH-MACHINE sshd started" || { echo "@@BERTH-MACHINE sshd failed:"; cat /tmp/sshd.log; }
# After sshd: a share that hangs (virtiofsd gone) must not keep the machine unreachable.
home=$(arg home)
if [ -n "$home" ]; then mkdir -p "$home" && mount -t virtiofs home "$home" || echo "@@BERTH-MACHINE home share failed"; fi
# berthd, once installed by provisioning, comes back with the machine (its supervisor is on the data disk).
if [ -f /opt/berth/supervise.sh ]; then setsid sh /opt/berth/supervise.sh </dev/null >>/opt/berth/berthd.log 2>&1 & echo $! > /opt/berth/supervisor.pid; fi
echo "@@BERTH-MACHINE ready"
trap 'sync; poweroff -f' TERM INT
while :; do sleep 3600 & wait $!; done
`;

const SSHD_CONFIG = `Port 22
HostKey /etc/ssh/ssh_host_ed25519_key
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
AuthorizedKeysFile /root/.ssh/authorized_keys
AllowStreamLocalForwarding yes
AllowTcpForwarding yes
Subsystem sftp /usr/lib/openssh/sftp-server
PidFile /run/sshd.pid
# Files on the data disk are made by the desktop user at init (mkfs.ext4 -d), not necessarily root.
StrictModes no
`;

/** Builds (or finds in the cache) the guest kernel + initramfs. */
export async function buildGuestImage(src: GuestImageSources): Promise<GuestImage> {
  const kernel = findCloudKernel();
  if (kernel === undefined) throw new AppError('NotFound', 'GUEST_KERNEL_MISSING', "no Debian cloud kernel in /boot: install the package linux-image-cloud-amd64");
  if (!existsSync('/usr/sbin/sshd')) throw new AppError('NotFound', 'GUEST_SSHD_MISSING', 'the guest needs OpenSSH: install the package openssh-server');
  const modules = modulesInOrder(kernel.release);
  const binaries = GUEST_BINARIES.filter((b) => existsSync(b));
  const inputs = [kernel.vmlinuz, src.node, '/bin/busybox', ...binaries, ...modules];
  const h = createHash('sha256').update(STAGE1 + STAGE2 + SSHD_CONFIG);
  for (const f of inputs) h.update(`${f}:${statSync(f).size}:${statSync(f).mtimeMs}\n`);
  const id = h.digest('hex').slice(0, 16);
  const initramfs = join(src.cacheDir, `guest-${id}.cpio`);
  if (existsSync(initramfs)) return { kernel: kernel.vmlinuz, initramfs, kernelRelease: kernel.release };

  await mkdir(src.cacheDir, { recursive: true });
  const stage = await mkdtemp(join(tmpdir(), 'berth-guest-'));
  try {
    await mkdir(join(stage, 'bin'), { recursive: true });
    await copyFile('/bin/busybox', join(stage, 'bin/busybox'));
    await chmod(join(stage, 'bin/busybox'), 0o755);
    await copyWithLibs(src.node, stage, '/usr/local/bin/node');
    for (const b of binaries) await copyWithLibs(b, stage);
    for (const m of modules) {
      await mkdir(dirname(join(stage, m)), { recursive: true });
      await copyFile(m, join(stage, m));
    }
    await mkdir(join(stage, 'etc/berth-machine'), { recursive: true });
    await writeFile(join(stage, 'etc/berth-machine/modules'), `${modules.join('\n')}\n`);
    await writeFile(join(stage, 'etc/berth-machine/sshd_config'), SSHD_CONFIG);
    await writeFile(join(stage, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nsshd:x:100:65534::/run/sshd:/bin/false\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
    await writeFile(join(stage, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
    await writeFile(join(stage, 'etc/shadow'), 'root:*:19000:0:99999:7:::\nsshd:*:19000:0:99999:7:::\n', { mode: 0o600 });
    await symlink('/proc/mounts', join(stage, 'etc/mtab'));
    await writeFile(join(stage, 'init'), STAGE1, { mode: 0o755 });
    await writeFile(join(stage, 'init2'), STAGE2, { mode: 0o755 });
    const tmp = `${initramfs}.tmp-${process.pid}`;
    execFileSync('sh', ['-c', `cd "${stage}" && find . | cpio -o -H newc --quiet > "${tmp}"`]);
    await rename(tmp, initramfs);
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
  return { kernel: kernel.vmlinuz, initramfs, kernelRelease: kernel.release };
}
