import { join } from 'node:path';
import { internal } from '../../lib/errors';
import { createNodeCgroupFs, type CgroupFs, type CgroupManager } from './cgroup-manager';
import { CgroupV1Manager } from './cgroup-v1';
import { CgroupV2Manager } from './cgroup-v2';
import { nativeDeviceFilterLoader } from './device-filter-loader';

export interface CgroupFactoryOptions {
  /** Default /sys/fs/cgroup. */
  root?: string;
  /** Parent cgroup name; default "berth". */
  parent?: string;
  fs?: CgroupFs;
  /** helper/native/build/berth-devfilter: cgroup v2 hosts need it to confine devices. */
  deviceFilterBinary?: string;
}

/**
 * Picks the cgroup implementation the host uses: pure v2 when `<root>/cgroup.controllers` exists;
 * v1 when the v1 hierarchies are mounted (a hybrid host's extra cgroup2 mount at
 * `<root>/unified` carries no controllers and is ignored, as dockerd does).
 */
export async function createCgroupManager(opts: CgroupFactoryOptions = {}): Promise<CgroupManager> {
  const root = opts.root ?? '/sys/fs/cgroup';
  const parent = opts.parent ?? 'berth';
  const fs = opts.fs ?? createNodeCgroupFs();
  if (await fs.exists(join(root, 'cgroup.controllers'))) return CgroupV2Manager.open({ root, parent, fs, attachDeviceFilter: opts.deviceFilterBinary !== undefined ? nativeDeviceFilterLoader(opts.deviceFilterBinary) : undefined });
  if (await fs.exists(join(root, 'memory', 'cgroup.procs'))) return CgroupV1Manager.open({ root, parent, fs });
  throw internal('CGROUP_UNAVAILABLE', `no usable cgroup hierarchy found under ${root}`);
}
