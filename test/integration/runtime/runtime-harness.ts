import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import type { AttachStream, ContainerSpec, ExitStatus, OutputChunk, Runtime } from '../../../helper/src/runtime/runtime';
import { createCgroupManager } from '../../../helper/src/runtime/cgroups/cgroup-factory';
import type { CgroupManager } from '../../../helper/src/runtime/cgroups/cgroup-manager';
import { LinuxRuntime } from '../../../helper/src/runtime/shim/linux-runtime';
import { SpawnShimLauncher } from '../../../helper/src/runtime/shim/shim-launcher';
import { locateNativeBinaries } from '../../../helper/src/runtime/shim/native-paths';

export const REPO_ROOT = resolve(import.meta.dirname, '../../..');
export const IS_ROOT = process.getuid?.() === 0;

/** Builds the native shims once (the same command `npm install` runs). */
export function buildNative(): void {
  execFileSync('node', [join(REPO_ROOT, 'scripts/build-native.mjs'), '--if-stale'], { stdio: 'inherit' });
}

/** A cgroup parent per test run so parallel engineers/CI runs never collide. */
export const TEST_CGROUP_PARENT = `berth-test-${process.pid}`;

export interface TestBed {
  base: string;
  /** Every container ref handed out by makeSpec; cleanup deletes them all (even after a failed test). */
  refs: Array<{ id: string; stateDir: string }>;
  lower: string;
  runtime: Runtime;
  cgroups: CgroupManager;
  /** A fresh runtime instance on the same host state (what a restarted berthd builds). */
  newRuntime: () => Promise<Runtime>;
  cleanup: () => Promise<void>;
}

/** A busybox rootfs (static busybox + applet symlinks) as the single overlay lower layer. */
export async function makeBusyboxLower(dir: string): Promise<void> {
  await mkdir(join(dir, 'bin'), { recursive: true });
  await copyFile('/bin/busybox', join(dir, 'bin/busybox'));
  execFileSync('chroot', [dir, '/bin/busybox', '--install', '-s', '/bin']);
  for (const d of ['etc', 'proc', 'sys', 'dev', 'tmp', 'root']) await mkdir(join(dir, d), { recursive: true });
  await writeFile(join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n');
  await writeFile(join(dir, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
}

export async function makeTestBed(): Promise<TestBed> {
  buildNative();
  const base = await mkdtemp(join(tmpdir(), 'berth-rt-'));
  const lower = join(base, 'lower');
  await makeBusyboxLower(lower);
  const bins = locateNativeBinaries(join(REPO_ROOT, 'helper/src/runtime/shim'));
  const log = pino({ level: 'silent' });
  const build = async (): Promise<{ runtime: Runtime; cgroups: CgroupManager }> => {
    const cgroups = await createCgroupManager({ parent: TEST_CGROUP_PARENT, deviceFilterBinary: bins.devfilter });
    return { runtime: new LinuxRuntime({ launcher: new SpawnShimLauncher(bins.shim), initBinary: bins.init, cgroups, log }), cgroups };
  };
  const { runtime, cgroups } = await build();
  const refs: TestBed['refs'] = [];
  return {
    base,
    refs,
    lower,
    runtime,
    cgroups,
    newRuntime: async () => (await build()).runtime,
    cleanup: async () => {
      for (const ref of refs) await runtime.delete(ref).catch((err: unknown) => console.error('cleanup', ref.id, err));
      await rm(base, { recursive: true, force: true });
      for (const ctrl of ['memory', 'cpu', 'cpuacct', 'pids', 'blkio', 'freezer', 'devices', 'cpuset']) {
        await import('node:fs/promises').then((fs) => fs.rmdir(`/sys/fs/cgroup/${ctrl}/${TEST_CGROUP_PARENT}`)).catch(() => undefined);
      }
    },
  };
}

let counter = 0;

export function newId(): string {
  const hex = (process.pid.toString(16) + (++counter).toString(16).padStart(4, '0') + Date.now().toString(16)).padEnd(64, 'a');
  return hex.slice(0, 64);
}

/** A container spec over a fresh overlay upper/work on the shared busybox lower. */
export async function makeSpec(bed: TestBed, args: string[], over: Partial<ContainerSpec> & { proc?: Partial<ContainerSpec['process']> } = {}): Promise<ContainerSpec> {
  const id = newId();
  const dir = join(bed.base, 'c', id.slice(0, 12));
  for (const d of ['upper', 'work', 'merged']) await mkdir(join(dir, d), { recursive: true });
  const { proc, ...rest } = over;
  bed.refs.push({ id, stateDir: join(dir, 'state') });
  return {
    ref: { id, stateDir: join(dir, 'state') },
    rootfs: {
      path: join(dir, 'merged'),
      mount: { fstype: 'overlay', source: 'overlay', options: ['index=off', `lowerdir=${bed.lower}`, `upperdir=${join(dir, 'upper')}`, `workdir=${join(dir, 'work')}`] },
    },
    process: { args, env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], uid: 0, gid: 0, tty: false, openStdin: false, ...proc },
    hostname: id.slice(0, 12),
    network: 'none',
    etcFiles: { hostname: join(dir, 'hostname'), hosts: join(dir, 'hosts'), resolvConf: join(dir, 'resolv.conf') },
    logPath: join(dir, `${id}-json.log`),
    ...rest,
  };
}

export async function collect(stream: AttachStream): Promise<{ stdout: string; stderr: string; chunks: OutputChunk[] }> {
  const chunks: OutputChunk[] = [];
  for await (const c of stream as AsyncIterable<OutputChunk>) chunks.push(c);
  const join = (s: 'stdout' | 'stderr'): string =>
    Buffer.concat(chunks.filter((c) => c.stream === s).map((c) => c.data)).toString();
  return { stdout: join('stdout'), stderr: join('stderr'), chunks };
}

/** create → attach → start → collect → wait → delete: the `docker run --rm` path. */
export async function runToExit(
  bed: TestBed,
  spec: ContainerSpec,
  opts: { stdin?: string } = {},
): Promise<{ exit: ExitStatus; stdout: string; stderr: string }> {
  const c = await bed.runtime.create(spec);
  try {
    const s = await c.attach({ stdin: opts.stdin !== undefined, stdout: true, stderr: true, closeStdinOnEnd: true });
    const out = collect(s);
    await c.start();
    if (opts.stdin !== undefined) s.end(opts.stdin);
    const [exit, o] = await Promise.all([c.wait(), out]);
    return { exit, stdout: o.stdout, stderr: o.stderr };
  } finally {
    c.close();
    await bed.runtime.delete(spec.ref);
  }
}

export async function mountsMentioning(text: string): Promise<string[]> {
  const mounts = await readFile('/proc/self/mountinfo', 'utf8');
  return mounts.split('\n').filter((l) => l.includes(text));
}
