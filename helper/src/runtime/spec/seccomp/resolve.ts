/**
 * From a Docker seccomp profile to the filter one process gets, as moby's setupSeccomp does:
 * rules are kept or dropped by the process's capabilities (includes/excludes.caps), the host
 * architecture (Go's GOARCH names) and kernel version (minKernel); the architectures come from
 * the archMap entry of the native arch. Actions and comparison operators become the numbers
 * libseccomp takes (seccomp.h), so the native shim only calls seccomp_rule_add with them.
 */
import { release } from 'node:os';
import { invalidArgument } from '../../../lib/errors';
import type { PlanRecord } from '../plan';
import type { ScmpAction, ScmpOp, SeccompProfile } from './profile';

/** libseccomp's SCMP_ARCH_* values (= AUDIT_ARCH_* from linux/audit.h). */
export const SCMP_ARCH: Readonly<Record<string, number>> = {
  SCMP_ARCH_X86: 0x40000003,
  SCMP_ARCH_X86_64: 0xc000003e,
  SCMP_ARCH_X32: 0x4000003e,
  SCMP_ARCH_ARM: 0x40000028,
  SCMP_ARCH_AARCH64: 0xc00000b7,
  SCMP_ARCH_MIPS: 0x00000008,
  SCMP_ARCH_MIPS64: 0x80000008,
  SCMP_ARCH_MIPS64N32: 0xa0000008,
  SCMP_ARCH_MIPSEL: 0x40000008,
  SCMP_ARCH_MIPSEL64: 0xc0000008,
  SCMP_ARCH_MIPSEL64N32: 0xe0000008,
  SCMP_ARCH_PPC: 0x00000014,
  SCMP_ARCH_PPC64: 0x80000015,
  SCMP_ARCH_PPC64LE: 0xc0000015,
  SCMP_ARCH_S390: 0x00000016,
  SCMP_ARCH_S390X: 0x80000016,
  SCMP_ARCH_RISCV64: 0xc00000f3,
};

/** Node's process.arch -> Go's GOARCH (the names profiles use in includes.arches) and the native SCMP arch. */
const NATIVE: Readonly<Record<string, { goarch: string; scmp: string }>> = {
  x64: { goarch: 'amd64', scmp: 'SCMP_ARCH_X86_64' },
  arm64: { goarch: 'arm64', scmp: 'SCMP_ARCH_AARCH64' },
  ia32: { goarch: '386', scmp: 'SCMP_ARCH_X86' },
  arm: { goarch: 'arm', scmp: 'SCMP_ARCH_ARM' },
  s390x: { goarch: 's390x', scmp: 'SCMP_ARCH_S390X' },
  ppc64: { goarch: 'ppc64le', scmp: 'SCMP_ARCH_PPC64LE' },
  riscv64: { goarch: 'riscv64', scmp: 'SCMP_ARCH_RISCV64' },
};

const ACTION_BASE: Record<ScmpAction, number> = {
  SCMP_ACT_KILL: 0x00000000,
  SCMP_ACT_KILL_THREAD: 0x00000000,
  SCMP_ACT_KILL_PROCESS: 0x80000000,
  SCMP_ACT_TRAP: 0x00030000,
  SCMP_ACT_ERRNO: 0x00050000,
  SCMP_ACT_TRACE: 0x7ff00000,
  SCMP_ACT_LOG: 0x7ffc0000,
  SCMP_ACT_ALLOW: 0x7fff0000,
};

const OP_CODE: Record<ScmpOp, number> = {
  SCMP_CMP_NE: 1,
  SCMP_CMP_LT: 2,
  SCMP_CMP_LE: 3,
  SCMP_CMP_EQ: 4,
  SCMP_CMP_GE: 5,
  SCMP_CMP_GT: 6,
  SCMP_CMP_MASKED_EQ: 7,
};

/** EPERM, as runc/moby use when a profile's ERRNO action names no errno. */
const DEFAULT_ERRNO = 1;

/** The host facts a profile is resolved against. */
export interface SeccompHost {
  /** Node's `process.arch`. */
  arch: string;
  /** `uname -r`, e.g. "6.1.0-18-cloud-amd64". */
  kernel: string;
}

/** This machine. */
export function localSeccompHost(): SeccompHost {
  return { arch: process.arch, kernel: release() };
}

/** One libseccomp rule: syscall name, action (with its errno/trace data) and AND-ed conditions. */
export interface SeccompRule {
  name: string;
  action: number;
  args: Array<{ index: number; op: number; value: bigint; valueTwo: bigint }>;
}

/** What the shim loads: default action, architectures, rules. */
export interface SeccompFilter {
  defaultAction: number;
  arches: number[];
  rules: SeccompRule[];
}

function actionCode(action: ScmpAction, errnoRet: number | null | undefined): number {
  const base = ACTION_BASE[action];
  if (action === 'SCMP_ACT_ERRNO' || action === 'SCMP_ACT_TRACE') return (base | ((errnoRet ?? DEFAULT_ERRNO) & 0xffff)) >>> 0;
  return base >>> 0;
}

const kernelAtLeast = (kernel: string, min: string): boolean => {
  const [a = 0, b = 0, c = 0] = kernel.split(/[.-]/).map((n) => Number.parseInt(n, 10) || 0);
  const [x = 0, y = 0, z = 0] = min.split('.').map((n) => Number(n));
  return a !== x ? a > x : b !== y ? b > y : c >= z;
};

/**
 * The filter for a process with capability set `caps` (names with CAP_ prefix, the bounding set).
 * Rules whose action equals the default are dropped (libseccomp refuses them, runc skips them);
 * conditions on the same argument index become separate rules (OR), as runc does.
 */
export function resolveSeccomp(profile: SeccompProfile, caps: readonly string[], host: SeccompHost): SeccompFilter {
  const native = NATIVE[host.arch];
  if (!native) throw invalidArgument('SECCOMP_ARCH_UNSUPPORTED', `seccomp: architecture ${host.arch} is not supported`);
  const archNames: string[] = [];
  if (profile.archMap && profile.archMap.length > 0) {
    for (const a of profile.archMap) {
      if (a.architecture === native.scmp) archNames.push(a.architecture, ...(a.subArchitectures ?? []));
    }
  } else {
    archNames.push(...(profile.architectures ?? []));
  }
  const arches: number[] = [];
  for (const name of archNames) {
    const v = SCMP_ARCH[name];
    if (v === undefined) throw invalidArgument('SECCOMP_PROFILE_INVALID', `seccomp profile: unknown architecture ${JSON.stringify(name)}`);
    if (!arches.includes(v)) arches.push(v);
  }
  const defaultAction = actionCode(profile.defaultAction, profile.defaultErrnoRet);
  const rules: SeccompRule[] = [];
  for (const call of profile.syscalls ?? []) {
    const names = call.name ? [call.name] : (call.names ?? []);
    const ex = call.excludes ?? {};
    const inc = call.includes ?? {};
    if (ex.arches && ex.arches.includes(native.goarch)) continue;
    if (inc.arches && inc.arches.length > 0 && !inc.arches.includes(native.goarch)) continue;
    if (ex.caps && ex.caps.some((c) => caps.includes(c))) continue;
    if (inc.caps && inc.caps.length > 0 && !inc.caps.every((c) => caps.includes(c))) continue;
    if (ex.minKernel && kernelAtLeast(host.kernel, ex.minKernel)) continue;
    if (inc.minKernel && !kernelAtLeast(host.kernel, inc.minKernel)) continue;
    const action = actionCode(call.action, call.errnoRet ?? profile.defaultErrnoRet);
    if (action === defaultAction) continue;
    const args = (call.args ?? []).map((a) => ({ index: a.index, op: OP_CODE[a.op], value: BigInt(a.value), valueTwo: BigInt(a.valueTwo ?? 0) }));
    const sameIndexTwice = new Set(args.map((a) => a.index)).size !== args.length;
    for (const name of names) {
      if (sameIndexTwice) for (const a of args) rules.push({ name, action, args: [a] });
      else rules.push({ name, action, args });
    }
  }
  return { defaultAction, arches, rules };
}

/**
 * Plan records for the shim (see plan.ts):
 *   seccomp <default action>     scarch <SCMP_ARCH value>
 *   scrule <action> <syscall name> [<index>:<op>:<value>:<valueTwo>,...]
 */
export function seccompRecords(filter: SeccompFilter): PlanRecord[] {
  const out: PlanRecord[] = [['seccomp', filter.defaultAction]];
  for (const a of filter.arches) out.push(['scarch', a]);
  for (const r of filter.rules) {
    out.push(['scrule', r.action, r.name, r.args.map((a) => `${a.index}:${a.op}:${a.value}:${a.valueTwo}`).join(',')]);
  }
  return out;
}
