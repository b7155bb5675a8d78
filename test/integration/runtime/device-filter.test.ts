/**
 * The cgroup v2 device filter on this kernel, for real: berth-devfilter loads the program berthd
 * compiles and attaches it to a cgroup2 directory, and a process moved into that cgroup is held
 * to it. Hosts of this kind are cgroup v1 with an (empty) cgroup2 hierarchy mounted at
 * /sys/fs/cgroup/unified; the kernel runs cgroup device programs there as on a pure v2 host.
 * (The VM suite checks the same through docker run on a pure v2 kernel.)
 *
 * The probes only open /dev/kmsg and /dev/loop0 for reading (never read a byte of them) and write
 * to /dev/zero, which discards it.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IS_ROOT, REPO_ROOT } from '../../harness/berthd';
import { compileDeviceFilter } from '../../../helper/src/runtime/cgroups/device-filter-bpf';
import { nativeDeviceFilterLoader } from '../../../helper/src/runtime/cgroups/device-filter-loader';
import { DEFAULT_DEVICE_RULES, parseDeviceRule, type DeviceRule } from '../../../helper/src/runtime/cgroups/device-rules';
import { locateNativeBinaries } from '../../../helper/src/runtime/shim/native-paths';

const UNIFIED = existsSync('/sys/fs/cgroup/cgroup.controllers') ? '/sys/fs/cgroup' : '/sys/fs/cgroup/unified';
const usable = IS_ROOT && existsSync(join(UNIFIED, 'cgroup.procs')) && existsSync('/dev/kmsg') && existsSync('/dev/loop0');

describe.skipIf(!usable)('cgroup v2 device filter (BPF) on the real kernel', () => {
  const load = nativeDeviceFilterLoader(locateNativeBinaries(join(REPO_ROOT, 'helper/src/runtime/shim')).devfilter);
  const made: string[] = [];

  afterAll(async () => {
    for (const d of made) await rmdir(d).catch(() => undefined);
  });

  /** Runs `script` in a fresh cgroup holding `rules`; returns what the shell printed. */
  async function inCgroup(rules: readonly DeviceRule[], script: string): Promise<string> {
    const dir = join(UNIFIED, `berth-devfilter-test-${process.pid}-${made.length}`);
    await mkdir(dir);
    made.push(dir);
    await load(dir, compileDeviceFilter(rules));
    return new Promise((resolve) => {
      execFile('sh', ['-c', `echo $$ > ${dir}/cgroup.procs && ${script}`], (_e, stdout, stderr) => resolve(stdout + stderr));
    });
  }

  const probe = (path: string, op: 'open' | 'write'): string =>
    op === 'open' ? `if (: < ${path}); then echo "${path}:open:ok"; else echo "${path}:open:denied"; fi` : `if echo x > ${path}; then echo "${path}:write:ok"; else echo "${path}:write:denied"; fi`;

  it('outside any filter, root opens both probe devices (the control)', async () => {
    const out = await new Promise<string>((resolve) => execFile('sh', ['-c', [probe('/dev/kmsg', 'open'), probe('/dev/loop0', 'open')].join('; ')], (_e, o, e) => resolve(o + e)));
    expect(out).toContain('/dev/kmsg:open:ok');
    expect(out).toContain('/dev/loop0:open:ok');
  });

  it('the default rules: null and zero work; kmsg and a block device are denied', async () => {
    const out = await inCgroup(DEFAULT_DEVICE_RULES, [probe('/dev/zero', 'open'), probe('/dev/null', 'write'), probe('/dev/kmsg', 'open'), probe('/dev/loop0', 'open')].join('; '));
    expect(out).toContain('/dev/zero:open:ok');
    expect(out).toContain('/dev/null:write:ok');
    expect(out).toContain('/dev/kmsg:open:denied');
    expect(out).toContain('/dev/loop0:open:denied');
    expect(out).toMatch(/Operation not permitted/);
  });

  it('an extra rule (--device-cgroup-rule) opens that device, with only the access it names', async () => {
    const out = await inCgroup([...DEFAULT_DEVICE_RULES, parseDeviceRule('c 1:11 r'), parseDeviceRule('b 7:0 r')], [probe('/dev/kmsg', 'open'), probe('/dev/loop0', 'open')].join('; '));
    expect(out).toContain('/dev/kmsg:open:ok');
    expect(out).toContain('/dev/loop0:open:ok');
    const zeroReadOnly = await inCgroup([parseDeviceRule('c 1:5 r'), parseDeviceRule('c 1:3 rw')], [probe('/dev/zero', 'open'), probe('/dev/zero', 'write')].join('; '));
    expect(zeroReadOnly).toContain('/dev/zero:open:ok');
    expect(zeroReadOnly).toContain('/dev/zero:write:denied');
  });

  it("a malformed program is refused with the verifier's reason", async () => {
    const dir = join(UNIFIED, `berth-devfilter-test-${process.pid}-bad`);
    await mkdir(dir);
    made.push(dir);
    await expect(load(dir, Buffer.alloc(8))).rejects.toThrow(/loading the device filter/);
  });
});
