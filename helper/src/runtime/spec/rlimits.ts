/**
 * Resource limits of the container's processes (HostConfig.Ulimits, `--ulimit name=soft[:hard]`).
 * moby turns a name into `RLIMIT_<NAME>` and runc maps that to the kernel's resource number; the
 * child sets them with setrlimit while still privileged (raising a hard limit needs
 * CAP_SYS_RESOURCE), and execs inherit the container's, as runc copies them into an exec's spec.
 */
import { invalidArgument } from '../../lib/errors';

/** asm-generic/resource.h (x86_64 and arm64 alike), in runc's naming. */
const RLIMIT: Readonly<Record<string, number>> = {
  RLIMIT_CPU: 0,
  RLIMIT_FSIZE: 1,
  RLIMIT_DATA: 2,
  RLIMIT_STACK: 3,
  RLIMIT_CORE: 4,
  RLIMIT_RSS: 5,
  RLIMIT_NPROC: 6,
  RLIMIT_NOFILE: 7,
  RLIMIT_MEMLOCK: 8,
  RLIMIT_AS: 9,
  RLIMIT_LOCKS: 10,
  RLIMIT_SIGPENDING: 11,
  RLIMIT_MSGQUEUE: 12,
  RLIMIT_NICE: 13,
  RLIMIT_RTPRIO: 14,
  RLIMIT_RTTIME: 15,
};

export interface Rlimit {
  /** Docker's name (`nofile`, `nproc`…), any case, as moby upper-cases it. */
  name: string;
  soft: number;
  hard: number;
}

/** A limit as the kernel takes it: Go converts the API's int64 to uint64, so -1 is RLIM_INFINITY. */
const asKernelValue = (v: number): bigint => BigInt.asUintN(64, BigInt(Math.trunc(v)));

const resourceOf = (name: string): number | undefined => RLIMIT[`RLIMIT_${name.toUpperCase()}`];

/**
 * Refuses at create what runc would refuse at start (an unknown name, soft above hard), with
 * runc's and go-units' words.
 */
export function validateRlimits(limits: readonly Rlimit[]): void {
  for (const l of limits) {
    if (resourceOf(l.name) === undefined) throw invalidArgument('INVALID_ULIMIT', `HostConfig.Ulimits: wrong rlimit value: RLIMIT_${l.name.toUpperCase()}`);
    if (asKernelValue(l.soft) > asKernelValue(l.hard)) {
      throw invalidArgument('INVALID_ULIMIT', `HostConfig.Ulimits: ulimit soft limit must be less than or equal to hard limit: ${l.soft} > ${l.hard}`);
    }
  }
}

/** Plan records `rlimit <resource> <soft> <hard>` (decimal uint64), in the given order. */
export function rlimitRecords(limits: readonly Rlimit[]): Array<readonly [string, number, string, string]> {
  return limits.map((l) => {
    const resource = resourceOf(l.name);
    if (resource === undefined) throw invalidArgument('INVALID_ULIMIT', `HostConfig.Ulimits: wrong rlimit value: RLIMIT_${l.name.toUpperCase()}`);
    return ['rlimit', resource, asKernelValue(l.soft).toString(), asKernelValue(l.hard).toString()] as const;
  });
}
