/**
 * Whether this host can run remapped containers the way berthd does it: overlayfs accepts
 * idmapped lower and upper layers since Linux 5.19, and the data root's filesystem must support
 * idmapped mounts on this kernel. Without either, userns-remap is refused at start rather than
 * half applied (containers would fail to start one by one).
 */
import { statfs } from 'node:fs/promises';
import { release } from 'node:os';
import { invalidArgument } from '../lib/errors';

/** `6.1.0-13-cloud-amd64` -> [6, 1]. */
export function kernelVersion(rel: string = release()): [number, number] {
  const m = /^(\d+)\.(\d+)/.exec(rel);
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

/** statfs f_type -> name and the first kernel whose filesystem takes MOUNT_ATTR_IDMAP (FS_ALLOW_IDMAP). */
const IDMAP_FILESYSTEMS: Record<number, { name: string; since: [number, number] }> = {
  0xef53: { name: 'ext4', since: [5, 12] },
  0x58465342: { name: 'xfs', since: [5, 12] },
  0xf2f52010: { name: 'f2fs', since: [5, 12] },
  0x9123683e: { name: 'btrfs', since: [5, 15] },
  0x01021994: { name: 'tmpfs', since: [6, 3] },
};

const atLeast = (v: [number, number], min: [number, number]): boolean => v[0] > min[0] || (v[0] === min[0] && v[1] >= min[1]);

export function checkIdmapSupport(fsType: number, rel: string = release()): void {
  const v = kernelVersion(rel);
  if (!atLeast(v, [5, 19])) {
    throw invalidArgument('USERNS_UNSUPPORTED_KERNEL', `userns-remap needs idmapped overlayfs layers (Linux 5.19 or later); this kernel is ${rel}`);
  }
  const fs = IDMAP_FILESYSTEMS[fsType];
  if (!fs || !atLeast(v, fs.since)) {
    const name = fs?.name ?? `filesystem type 0x${fsType.toString(16)}`;
    throw invalidArgument('USERNS_UNSUPPORTED_FS', `userns-remap needs idmapped mounts on the data root's filesystem; ${name} does not support them on Linux ${v.join('.')} (ext4, xfs, f2fs, btrfs 5.15+, tmpfs 6.3+ do)`);
  }
}

/** The check for a data root, as berthd runs it at start. */
export async function checkDataRootIdmapSupport(dataRoot: string): Promise<void> {
  checkIdmapSupport((await statfs(dataRoot)).type);
}
