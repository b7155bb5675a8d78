/**
 * A small Linux guest under qemu for tests that need a kernel other than the host's: above all a
 * real cgroup v2 kernel (this machine is cgroup v1). The guest is Debian's cloud kernel plus an
 * initramfs that carries everything berthd needs: busybox, node with the libraries it links, the
 * built berthd bundle and its static shims, the static docker CLI, overlay.ko and a busybox rootfs
 * tar to `docker import`.
 *
 * Lifecycle: `buildGuestInitramfs()` stages and packs the initramfs (cached by the hash of its
 * inputs, so a suite pays for it once per change of berthd); `startGuest()` boots it with TCG (KVM
 * is not usable on the machines this runs on) and `-nic none`: the guest has no network at all.
 * The guest's init copies itself into a tmpfs and switch_roots (pivot_root, which containers need,
 * refuses to run from the initial ramfs), mounts cgroup2 with every controller delegated, starts
 * berthd, then serves a command channel on its second serial port: the host sends
 * `<id> <base64 script>` lines and reads back `@@R <id> <exit code> <base64 output>` lines.
 * `stop()` powers the guest off and waits for qemu; nothing is left behind but the cache.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { copyFile, mkdir, mkdtemp, readdir, rename, rm, stat, symlink, writeFile, chmod } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from './berthd';
import { busyboxRootfsEntries, makeTar } from './fixtures';

const CACHE_DIR = '/var/cache/berth-test-vm';
const DOCKER_CLI = '/usr/local/bin/docker';

/** The newest Debian cloud kernel installed on the host (package linux-image-cloud-amd64). */
export function findGuestKernel(): { vmlinuz: string; release: string } | undefined {
  if (!existsSync('/boot')) return undefined;
  const kernels = execFileSync('ls', ['/boot']).toString().split('\n').filter((f) => /^vmlinuz-.*-cloud-amd64$/.test(f)).sort();
  const newest = kernels.at(-1);
  if (newest === undefined) return undefined;
  const release = newest.slice('vmlinuz-'.length);
  if (!existsSync(`/lib/modules/${release}/kernel/fs/overlayfs/overlay.ko`)) return undefined;
  return { vmlinuz: `/boot/${newest}`, release };
}

/** Why the VM suite cannot run here, or undefined when it can. */
export function vmUnavailableReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root';
  if (!existsSync('/usr/bin/qemu-system-x86_64')) return 'qemu-system-x86_64 is not installed (Debian package qemu-system-x86)';
  if (findGuestKernel() === undefined) return 'no Debian cloud kernel in /boot (Debian package linux-image-cloud-amd64)';
  if (!existsSync(DOCKER_CLI)) return `no static docker CLI at ${DOCKER_CLI}`;
  return undefined;
}

const GUEST_INIT = `#!/bin/busybox sh
# Stage 1: copy the initramfs into a tmpfs and switch_root there (pivot_root refuses the rootfs).
/bin/busybox mkdir -p /proc /sys /dev /newroot
/bin/busybox mount -t tmpfs -o mode=0755 tmpfs /newroot
for d in bin lib lib64 usr opt etc init2; do /bin/busybox cp -a /$d /newroot/; done
exec /bin/busybox switch_root /newroot /init2
`;

// Stage 2: the guest proper. Every controller the kernel offers is delegated to the root's
// children, as systemd does on a v2 host, so berthd's cgroups get memory, cpu, pids, io, cpuset.
const GUEST_INIT2 = `#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/usr/local/bin:/usr/bin:/bin:/sbin DOCKER_HOST=unix:///run/berth/berthd.sock
mkdir -p /proc /sys /dev /tmp /run /var/lib /root
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts /dev/shm && mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts && mount -t tmpfs shm /dev/shm
mount -t tmpfs tmp /tmp
mount -t cgroup2 cgroup2 /sys/fs/cgroup
mount -t securityfs securityfs /sys/kernel/security
for c in $(cat /sys/fs/cgroup/cgroup.controllers); do echo "+$c" > /sys/fs/cgroup/cgroup.subtree_control; done
insmod /opt/modules/overlay.ko
ip link set lo up
hostname berth-vm
echo "@@CONSOLE cgroup2 controllers: $(cat /sys/fs/cgroup/cgroup.subtree_control)"
mkdir -p /etc/berth && echo '{}' > /etc/berth/daemon.json
UV_USE_IO_URING=0 node --max-semi-space-size=1 /opt/berth/dist/berthd.mjs --log-level info > /tmp/berthd.log 2>&1 &
i=0; until [ -S /run/berth/berthd.sock ]; do i=$((i+1)); [ $i -gt 900 ] && { echo "@@CONSOLE berthd did not start"; tail -30 /tmp/berthd.log; break; }; sleep 0.2; done
echo "@@CONSOLE berthd up after $(cut -d' ' -f1 /proc/uptime)s"
stty -F /dev/ttyS1 raw -echo -icrnl -onlcr
exec /opt/agent.sh
`;

/** From Debian's apparmor package (scripts/apt-packages.txt). */
export const APPARMOR_PARSER = '/usr/sbin/apparmor_parser';

const GUEST_AGENT = `#!/bin/sh
exec 3<>/dev/ttyS1
printf '@@READY\\n' >&3
while read -r id b64 <&3; do
  printf '%s' "$b64" | base64 -d > /tmp/agent-cmd.sh
  sh /tmp/agent-cmd.sh > /tmp/agent-out 2>&1 < /dev/null
  rc=$?
  printf '@@R %s %s %s\\n' "$id" "$rc" "$(base64 -w 0 /tmp/agent-out)" >&3
done
`;

async function copyWithLibs(bin: string, stage: string): Promise<void> {
  const libs = execFileSync('ldd', [bin]).toString().match(/\/\S+/g) ?? [];
  for (const p of [bin, ...libs]) {
    const dest = join(stage, p);
    await mkdir(dirname(dest), { recursive: true });
    await copyFile(p, dest);
    await chmod(dest, statSync(p).mode & 0o7777);
  }
}

async function copyTree(src: string, dest: string): Promise<void> {
  await mkdir(dest, { recursive: true });
  for (const e of await readdir(src, { withFileTypes: true })) {
    if (e.name.endsWith('.map')) continue;
    if (e.isDirectory()) await copyTree(join(src, e.name), join(dest, e.name));
    else {
      await copyFile(join(src, e.name), join(dest, e.name));
      await chmod(join(dest, e.name), (await stat(join(src, e.name))).mode & 0o7777);
    }
  }
}

function inputsHash(files: string[], extra: string): string {
  const h = createHash('sha256').update(extra);
  for (const f of files) {
    const s = statSync(f);
    h.update(`${f}:${s.size}:${s.mtimeMs}\n`);
  }
  return h.digest('hex').slice(0, 16);
}

/** Stages and packs the guest initramfs; returns its path (cached by the hash of its inputs). */
export async function buildGuestInitramfs(): Promise<string> {
  const kernel = findGuestKernel();
  if (kernel === undefined) throw new Error('no guest kernel');
  const dist = join(REPO_ROOT, 'helper/dist');
  const nativeBuild = join(REPO_ROOT, 'helper/native/build');
  const overlayKo = `/lib/modules/${kernel.release}/kernel/fs/overlayfs/overlay.ko`;
  const bundleFiles = [join(dist, 'berthd.mjs'), join(dist, 'layer-worker.mjs'), ...(await readdir(nativeBuild)).map((f) => join(nativeBuild, f))];
  const hash = inputsHash([...bundleFiles, process.execPath, DOCKER_CLI, '/bin/busybox', overlayKo, ...(existsSync(APPARMOR_PARSER) ? [APPARMOR_PARSER] : [])], GUEST_INIT + GUEST_INIT2 + GUEST_AGENT);
  const out = join(CACHE_DIR, `initramfs-${hash}.cpio`);
  if (existsSync(out)) return out;

  await mkdir(CACHE_DIR, { recursive: true });
  const stage = await mkdtemp(join(tmpdir(), 'berth-vm-stage-'));
  try {
    await mkdir(join(stage, 'bin'), { recursive: true });
    await copyFile('/bin/busybox', join(stage, 'bin/busybox'));
    await chmod(join(stage, 'bin/busybox'), 0o755);
    await copyWithLibs(process.execPath, stage);
    if (process.execPath !== '/usr/bin/node') {
      await mkdir(join(stage, 'usr/bin'), { recursive: true });
      await symlink(process.execPath, join(stage, 'usr/bin/node'));
    }
    // Debian's kernel has AppArmor on: with its parser, berthd loads berth-default as on a Debian host.
    if (existsSync(APPARMOR_PARSER)) await copyWithLibs(APPARMOR_PARSER, stage);
    await mkdir(join(stage, 'usr/local/bin'), { recursive: true });
    await copyFile(DOCKER_CLI, join(stage, 'usr/local/bin/docker'));
    await chmod(join(stage, 'usr/local/bin/docker'), 0o755);
    // The bundle keeps its layout (dist/ beside native/build/), which is how berthd finds its shims.
    await copyTree(dist, join(stage, 'opt/berth/dist'));
    await copyTree(nativeBuild, join(stage, 'opt/berth/native/build'));
    await mkdir(join(stage, 'opt/modules'), { recursive: true });
    await copyFile(overlayKo, join(stage, 'opt/modules/overlay.ko'));
    await writeFile(join(stage, 'opt/busybox-rootfs.tar'), await makeTar(busyboxRootfsEntries()));
    await mkdir(join(stage, 'etc'), { recursive: true });
    await writeFile(join(stage, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
    await writeFile(join(stage, 'etc/group'), 'root:x:0:\n');
    await writeFile(join(stage, 'init'), GUEST_INIT, { mode: 0o755 });
    await writeFile(join(stage, 'init2'), GUEST_INIT2, { mode: 0o755 });
    await writeFile(join(stage, 'opt/agent.sh'), GUEST_AGENT, { mode: 0o755 });
    // Uncompressed: the guest unpacks it faster under TCG than it would gunzip it.
    const tmp = `${out}.tmp-${process.pid}`;
    execFileSync('sh', ['-c', `cd "${stage}" && find . | cpio -o -H newc --quiet > "${tmp}"`]);
    await rename(tmp, out);
    return out;
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

export interface ExecResult {
  code: number;
  output: string;
}

export interface GuestHandle {
  /** Runs a shell script in the guest (stdout and stderr together), one at a time. */
  exec: (script: string, timeoutMs?: number) => Promise<ExecResult>;
  /** What the guest printed on its console (kernel messages, init's notes). */
  console: () => string;
  /** Seconds from qemu's start until the agent answered. */
  bootSeconds: number;
  stop: () => Promise<void>;
}

export interface StartGuestOptions {
  memoryMiB?: number;
  cpus?: number;
}

/** Boots the guest and waits for its command channel (berthd is up by then). */
export async function startGuest(opts: StartGuestOptions = {}): Promise<GuestHandle> {
  const kernel = findGuestKernel();
  if (kernel === undefined) throw new Error('no guest kernel');
  const initramfs = await buildGuestInitramfs();
  const dir = await mkdtemp(join(tmpdir(), 'berth-vm-'));
  const agentSock = join(dir, 'agent.sock');
  const t0 = performance.now();
  const qemu: ChildProcess = spawn(
    'qemu-system-x86_64',
    [
      '-accel', 'tcg', '-cpu', 'max', '-m', String(opts.memoryMiB ?? 2048), '-smp', String(opts.cpus ?? 2),
      '-nographic', '-no-reboot', '-nic', 'none', '-nodefaults',
      '-kernel', kernel.vmlinuz, '-initrd', initramfs,
      '-append', 'console=ttyS0 quiet panic=-1',
      '-chardev', 'stdio,id=con,signal=off', '-serial', 'chardev:con',
      '-chardev', `socket,id=agent,path=${agentSock},server=on,wait=off`, '-serial', 'chardev:agent',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let consoleText = '';
  qemu.stdout?.on('data', (d: Buffer) => (consoleText += d.toString()));
  qemu.stderr?.on('data', (d: Buffer) => (consoleText += d.toString()));
  const exited = new Promise<void>((res) => qemu.once('exit', () => res()));

  const sock = await connectWhenListening(agentSock, qemu, () => consoleText);
  const pending = new Map<string, (r: ExecResult) => void>();
  let buf = '';
  let ready!: () => void;
  const readyP = new Promise<void>((r) => (ready = r));
  sock.on('data', (d: Buffer) => {
    buf += d.toString('latin1');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).replace(/\r$/, '');
      buf = buf.slice(nl + 1);
      if (line === '@@READY') ready();
      const m = /^@@R (\S+) (\d+) ?(\S*)$/.exec(line);
      if (m) pending.get(m[1]!)?.({ code: Number(m[2]), output: Buffer.from(m[3] ?? '', 'base64').toString() });
    }
  });
  const bootTimeout = setTimeout(() => qemu.kill('SIGKILL'), 240_000);
  await Promise.race([
    readyP,
    exited.then(() => {
      throw new Error(`guest exited before its agent answered:\n${consoleText.slice(-4000)}`);
    }),
  ]);
  clearTimeout(bootTimeout);
  const bootSeconds = (performance.now() - t0) / 1000;

  let seq = 0;
  let queue: Promise<unknown> = Promise.resolve();
  const exec = (script: string, timeoutMs = 120_000): Promise<ExecResult> => {
    const run = async (): Promise<ExecResult> => {
      const id = `c${++seq}`;
      const result = new Promise<ExecResult>((res, rej) => {
        const t = setTimeout(() => rej(new Error(`guest command timed out after ${timeoutMs} ms: ${script}`)), timeoutMs);
        pending.set(id, (r) => {
          clearTimeout(t);
          pending.delete(id);
          res(r);
        });
      });
      sock.write(`${id} ${Buffer.from(script).toString('base64')}\n`);
      return result;
    };
    const p = queue.then(run, run);
    queue = p.catch(() => undefined);
    return p;
  };

  const stop = async (): Promise<void> => {
    if (qemu.exitCode === null) {
      sock.write(`halt ${Buffer.from('sync; poweroff -f').toString('base64')}\n`);
      const t = setTimeout(() => qemu.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    }
    sock.destroy();
    await rm(dir, { recursive: true, force: true });
  };
  return { exec, console: () => consoleText, bootSeconds, stop };
}

async function connectWhenListening(path: string, qemu: ChildProcess, log: () => string): Promise<Socket> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (qemu.exitCode !== null) throw new Error(`qemu exited (${qemu.exitCode}):\n${log()}`);
    if (existsSync(path)) {
      const s = await new Promise<Socket | undefined>((res) => {
        const c = connect(path);
        c.once('connect', () => res(c));
        c.once('error', () => res(undefined));
      });
      if (s) return s;
    }
    if (Date.now() > deadline) throw new Error(`qemu did not open its agent socket:\n${log()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
