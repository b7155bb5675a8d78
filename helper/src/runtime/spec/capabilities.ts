import { readFileSync } from 'node:fs';
import { invalidArgument } from '../../lib/errors';
import { CAPABILITY_NAMES, DEFAULT_CAPABILITIES } from './defaults';

const normalise = (name: string): string => {
  const upper = name.trim().toUpperCase();
  return upper === 'ALL' || upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
};

/**
 * The capability set of a process, as dockerd computes it (moby oci/caps TweakCapabilities):
 * privileged = all; otherwise the defaults, with "ALL" in capAdd meaning all and "ALL" in capDrop
 * meaning none but what capAdd names. Unknown names are refused (dockerd: "unknown capability").
 */
export function resolveCapabilities(opts: { capAdd?: string[]; capDrop?: string[]; privileged?: boolean }): string[] {
  const all = [...CAPABILITY_NAMES] as string[];
  if (opts.privileged) return all;
  const add = (opts.capAdd ?? []).map(normalise);
  const drop = (opts.capDrop ?? []).map(normalise);
  for (const name of [...add, ...drop]) {
    if (name !== 'ALL' && !all.includes(name)) throw invalidArgument('UNKNOWN_CAPABILITY', `unknown capability: "${name}"`);
  }
  let caps: string[] = drop.includes('ALL') ? [] : [...DEFAULT_CAPABILITIES];
  if (add.includes('ALL')) caps = [...all];
  for (const name of add) if (name !== 'ALL' && !caps.includes(name)) caps.push(name);
  if (!drop.includes('ALL')) caps = caps.filter((c) => !drop.includes(c) || add.includes(c));
  return caps;
}

/** Bit mask (as a decimal string, it exceeds 2^32) of capability names, for the shim's capset. */
export function capabilityMask(names: readonly string[]): string {
  let mask = 0n;
  for (const name of names) {
    const bit = (CAPABILITY_NAMES as readonly string[]).indexOf(name);
    if (bit < 0) throw invalidArgument('UNKNOWN_CAPABILITY', `unknown capability: "${name}"`);
    mask |= 1n << BigInt(bit);
  }
  return mask.toString();
}

let boundingCache: readonly string[] | undefined;

/**
 * The capabilities berthd itself may hand out: its bounding set (CapBnd). Where the host (a VM
 * sandbox, a container) withholds some, `--privileged` and `--cap-add ALL` get what there is, as
 * dockerd does, instead of failing in capset with EPERM.
 */
export function hostBoundingSet(status = (): string => readFileSync('/proc/self/status', 'utf8')): readonly string[] {
  if (boundingCache) return boundingCache;
  const hex = /^CapBnd:\s*([0-9a-f]+)$/m.exec(status())?.[1];
  const mask = hex ? BigInt(`0x${hex}`) : (1n << BigInt(CAPABILITY_NAMES.length)) - 1n;
  boundingCache = CAPABILITY_NAMES.filter((_n, bit) => (mask >> BigInt(bit)) & 1n);
  return boundingCache;
}
