import { mkdir, mkdtemp, readdir, readFile, rm, writeFile, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CgroupFs } from './cgroup-manager';

/**
 * A cgroupfs stand-in in a temp dir, for unit tests of the managers: files are plain files, and
 * rmdir removes a cgroup dir with its (kernel-provided, here regular) interface files.
 */
export async function makeFakeCgroupTree(layout: 'v1' | 'v2'): Promise<{ root: string; fs: CgroupFs; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), `berth-fakecg-${layout}-`));
  if (layout === 'v2') {
    await writeFile(join(root, 'cgroup.controllers'), 'cpuset cpu io memory hugetlb pids rdma misc\n');
    await writeFile(join(root, 'cgroup.subtree_control'), '');
    await writeFile(join(root, 'cgroup.procs'), '1\n');
  } else {
    for (const c of ['memory', 'cpu', 'cpuacct', 'pids']) {
      await mkdir(join(root, c), { recursive: true });
      await writeFile(join(root, c, 'cgroup.procs'), '1\n');
    }
    await writeFile(join(root, 'memory', 'memory.memsw.limit_in_bytes'), '9223372036854771712\n');
    await mkdir(join(root, 'unified'));
  }
  const fs: CgroupFs = {
    readFile: (p) => readFile(p, 'utf8'),
    writeFile: (p, d) => writeFile(p, d),
    mkdir: async (p) => {
      await mkdir(p, { recursive: true });
      // Like the kernel, a new cgroup comes with its interface files (v2 with swap accounting).
      if (layout === 'v2') {
        for (const [f, v] of [['cgroup.procs', ''], ['memory.swap.max', 'max']] as const) {
          await access(join(p, f)).catch(() => writeFile(join(p, f), v));
        }
      }
    },
    rmdir: (p) => rm(p, { recursive: true }),
    exists: (p) =>
      access(p).then(
        () => true,
        () => false,
      ),
    readdir: (p) => readdir(p),
  };
  return { root, fs, cleanup: () => rm(root, { recursive: true, force: true }) };
}
