/**
 * Whether this kernel can run remapped containers the way berthd does it: overlayfs accepts
 * idmapped lower and upper layers since Linux 5.19 (and mount_setattr(MOUNT_ATTR_IDMAP) exists
 * since 5.12). Without it userns-remap is refused at start rather than half applied.
 */
import { release } from 'node:os';
import { invalidArgument } from '../lib/errors';

/** `6.1.0-13-cloud-amd64` -> [6, 1]. */
export function kernelVersion(rel: string = release()): [number, number] {
  const m = /^(\d+)\.(\d+)/.exec(rel);
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

export function checkIdmappedOverlaySupport(rel: string = release()): void {
  const [major, minor] = kernelVersion(rel);
  if (major < 5 || (major === 5 && minor < 19)) {
    throw invalidArgument('USERNS_UNSUPPORTED_KERNEL', `userns-remap needs idmapped overlayfs layers (Linux 5.19 or later); this kernel is ${rel}`);
  }
}
