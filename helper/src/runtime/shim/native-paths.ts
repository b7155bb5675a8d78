import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { internal } from '../../lib/errors';

export interface NativeBinaries {
  shim: string;
  init: string;
  /** Loads a cgroup v2 device filter (BPF) compiled by runtime/cgroups/device-filter-bpf.ts. */
  devfilter: string;
}

/**
 * Finds helper/native/build/{berth-shim,berth-init,berth-devfilter} walking up from `startDir` (the bundle lives
 * in helper/dist, sources in helper/src/runtime/shim; both reach the same build dir).
 */
export function locateNativeBinaries(startDir: string): NativeBinaries {
  for (let dir = startDir; ; dir = dirname(dir)) {
    for (const candidate of [join(dir, 'native/build'), join(dir, 'helper/native/build')]) {
      if (existsSync(join(candidate, 'berth-shim')) && existsSync(join(candidate, 'berth-init'))) {
        return { shim: join(candidate, 'berth-shim'), init: join(candidate, 'berth-init'), devfilter: join(candidate, 'berth-devfilter') };
      }
    }
    if (dirname(dir) === dir) break;
  }
  throw internal('NATIVE_SHIM_MISSING', `berth-shim not found above ${startDir}; run "node scripts/build-native.mjs"`);
}
