/**
 * Docker's seccomp profile format (moby profiles/seccomp: `Seccomp`, `Syscall`, `Arg`, `Filter`),
 * parsed and validated. The profile is data; resolve.ts turns it into the rules one container
 * gets (by its capabilities, the host's architecture and kernel), and the shim loads those with
 * libseccomp just before the container's process runs.
 */
import * as z from 'zod';
import { invalidArgument } from '../../../lib/errors';
import defaultProfileJson from './default.json';

export const SCMP_ACTIONS = [
  'SCMP_ACT_KILL',
  'SCMP_ACT_KILL_PROCESS',
  'SCMP_ACT_KILL_THREAD',
  'SCMP_ACT_TRAP',
  'SCMP_ACT_ERRNO',
  'SCMP_ACT_TRACE',
  'SCMP_ACT_ALLOW',
  'SCMP_ACT_LOG',
] as const;
export type ScmpAction = (typeof SCMP_ACTIONS)[number];

export const SCMP_OPS = ['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ'] as const;
export type ScmpOp = (typeof SCMP_OPS)[number];

const filterSchema = z
  .object({
    caps: z.array(z.string()).nullish(),
    arches: z.array(z.string()).nullish(),
    minKernel: z
      .string()
      .regex(/^\d+\.\d+(\.\d+)?$/, 'must be a kernel version like "4.8"')
      .nullish(),
  })
  .nullish();

const argSchema = z.object({
  index: z.number().int().min(0).max(5),
  value: z.number().int().min(0),
  valueTwo: z.number().int().min(0).optional(),
  op: z.enum(SCMP_OPS),
});

const syscallSchema = z.object({
  name: z.string().optional(),
  names: z.array(z.string()).nullish(),
  action: z.enum(SCMP_ACTIONS),
  errnoRet: z.number().int().min(0).max(4095).nullish(),
  args: z.array(argSchema).nullish(),
  comment: z.string().nullish(),
  includes: filterSchema,
  excludes: filterSchema,
});

const profileSchema = z.object({
  defaultAction: z.enum(SCMP_ACTIONS),
  defaultErrnoRet: z.number().int().min(0).max(4095).nullish(),
  architectures: z.array(z.string()).nullish(),
  archMap: z.array(z.object({ architecture: z.string(), subArchitectures: z.array(z.string()).nullish() })).nullish(),
  syscalls: z.array(syscallSchema).nullish(),
  flags: z.array(z.string()).nullish(),
  listenerPath: z.string().nullish(),
  listenerMetadata: z.string().nullish(),
});

export type SeccompProfile = z.infer<typeof profileSchema>;
export type SeccompSyscall = z.infer<typeof syscallSchema>;

/** The flags libseccomp-backed runtimes take; berthd applies none of them, so it refuses them. */
const describe = (issue: z.core.$ZodIssue): string => `${issue.path.join('.') || 'profile'}: ${issue.message}`;

/**
 * Parses a profile as `--security-opt seccomp=<json>` or daemon.json `seccomp-profile` gives it.
 * Throws InvalidArgument naming the first problem (dockerd: "Decoding seccomp profile failed").
 */
export function parseSeccompProfile(text: string): SeccompProfile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw invalidArgument('SECCOMP_PROFILE_INVALID', `decoding seccomp profile failed: ${(err as Error).message}`);
  }
  const r = profileSchema.safeParse(value);
  if (!r.success) throw invalidArgument('SECCOMP_PROFILE_INVALID', `decoding seccomp profile failed: ${r.error.issues.map(describe).join('; ')}`);
  const p = r.data;
  if (p.listenerPath) throw invalidArgument('SECCOMP_PROFILE_UNSUPPORTED', 'seccomp profile: listenerPath (seccomp notify) is not supported by berthd');
  if (p.flags && p.flags.length > 0) throw invalidArgument('SECCOMP_PROFILE_UNSUPPORTED', `seccomp profile: flags ${JSON.stringify(p.flags)} are not supported by berthd`);
  if (p.architectures && p.architectures.length > 0 && p.archMap && p.archMap.length > 0) {
    throw invalidArgument('SECCOMP_PROFILE_INVALID', "decoding seccomp profile failed: use either 'architectures' or 'archMap'");
  }
  for (const [i, s] of (p.syscalls ?? []).entries()) {
    if (s.name && s.names && s.names.length > 0) throw invalidArgument('SECCOMP_PROFILE_INVALID', `decoding seccomp profile failed: syscalls.${i}: use either 'name' or 'names'`);
  }
  return p;
}

/** Docker's default profile (moby profiles/seccomp/default.json), shipped as data. */
export const DEFAULT_SECCOMP_PROFILE: SeccompProfile = parseSeccompProfile(JSON.stringify(defaultProfileJson));
