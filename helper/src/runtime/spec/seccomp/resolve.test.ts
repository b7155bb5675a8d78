import { describe, expect, it } from 'vitest';
import { DEFAULT_CAPABILITIES } from '../defaults';
import { DEFAULT_SECCOMP_PROFILE, parseSeccompProfile } from './profile';
import { SCMP_ARCH, resolveSeccomp, seccompRecords } from './resolve';

const ALLOW = 0x7fff0000;
const EPERM = 0x00050001;
const amd64 = { arch: 'x64', kernel: '6.1.0-18-cloud-amd64' };
const names = (f: ReturnType<typeof resolveSeccomp>, action = ALLOW): string[] => f.rules.filter((r) => r.action === action).map((r) => r.name);

describe('resolveSeccomp with Docker’s default profile', () => {
  const def = resolveSeccomp(DEFAULT_SECCOMP_PROFILE, DEFAULT_CAPABILITIES, amd64);

  it('denies with EPERM by default and filters x86_64 with its 32-bit sub-architectures', () => {
    expect(def.defaultAction).toBe(EPERM);
    expect(def.arches).toEqual([SCMP_ARCH.SCMP_ARCH_X86_64, SCMP_ARCH.SCMP_ARCH_X86, SCMP_ARCH.SCMP_ARCH_X32]);
  });

  it('allows the common calls and the arch-specific ones of amd64 only', () => {
    const allowed = names(def);
    for (const n of ['read', 'execve', 'mkdir', 'arch_prctl', 'modify_ldt', 'ptrace']) expect(allowed).toContain(n);
    for (const n of ['add_key', 'keyctl', 'unshare', 'mount', 'bpf', 'perf_event_open', 'set_tls', 's390_runtime_instr', 'reboot']) expect(allowed).not.toContain(n);
  });

  it('allows clone only without namespace flags and answers clone3 with ENOSYS without CAP_SYS_ADMIN', () => {
    const clone = def.rules.filter((r) => r.name === 'clone');
    expect(clone).toEqual([{ name: 'clone', action: ALLOW, args: [{ index: 0, op: 7, value: 2114060288n, valueTwo: 0n }] }]);
    expect(def.rules.filter((r) => r.name === 'clone3')).toEqual([{ name: 'clone3', action: 0x00050000 | 38, args: [] }]);
    expect(def.rules.filter((r) => r.name === 'personality').map((r) => r.args[0]?.value)).toEqual([0n, 8n, 131072n, 131080n, 4294967295n]);
  });

  it('opens the CAP_SYS_ADMIN calls and plain clone when the capability is there', () => {
    const admin = resolveSeccomp(DEFAULT_SECCOMP_PROFILE, [...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN'], amd64);
    expect(names(admin)).toEqual(expect.arrayContaining(['mount', 'unshare', 'setns', 'clone', 'clone3', 'bpf']));
    expect(admin.rules.filter((r) => r.name === 'clone')).toEqual([{ name: 'clone', action: ALLOW, args: [] }]);
  });

  it('follows the arch: arm64 gets the arm calls and not the x86 ones', () => {
    const arm = resolveSeccomp(DEFAULT_SECCOMP_PROFILE, DEFAULT_CAPABILITIES, { arch: 'arm64', kernel: '6.1.0' });
    expect(arm.arches).toEqual([SCMP_ARCH.SCMP_ARCH_AARCH64, SCMP_ARCH.SCMP_ARCH_ARM]);
    expect(names(arm)).toContain('set_tls');
    expect(names(arm)).not.toContain('arch_prctl');
  });

  it('honours minKernel: ptrace is allowed from 4.8 without CAP_SYS_PTRACE', () => {
    expect(names(resolveSeccomp(DEFAULT_SECCOMP_PROFILE, DEFAULT_CAPABILITIES, { arch: 'x64', kernel: '4.4.0' }))).not.toContain('ptrace');
  });

  it('serialises to plan records the shim reads', () => {
    const recs = seccompRecords(def);
    expect(recs[0]).toEqual(['seccomp', EPERM]);
    expect(recs).toContainEqual(['scrule', ALLOW, 'socket', '0:1:40:0']);
  });
});

describe('parseSeccompProfile', () => {
  it.each([
    ['not json', /decoding seccomp profile failed/],
    ['{"defaultAction":"SCMP_ACT_NOPE"}', /decoding seccomp profile failed: defaultAction/],
    ['{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"name":"a","names":["b"],"action":"SCMP_ACT_ALLOW"}]}', /either 'name' or 'names'/],
    ['{"defaultAction":"SCMP_ACT_ERRNO","flags":["SECCOMP_FILTER_FLAG_LOG"]}', /flags .* not supported/],
    ['{"defaultAction":"SCMP_ACT_ERRNO","listenerPath":"/run/x.sock"}', /listenerPath/],
  ])('refuses %s', (text, message) => {
    expect(() => parseSeccompProfile(text)).toThrow(message);
  });

  it('splits conditions on the same argument into separate rules, as runc does', () => {
    const p = parseSeccompProfile(
      JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['socket'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQ' }, { index: 0, value: 2, op: 'SCMP_CMP_EQ' }] }] }),
    );
    const f = resolveSeccomp(p, [], amd64);
    expect(f.rules.map((r) => r.args.map((a) => a.value))).toEqual([[1n], [2n]]);
  });
});
