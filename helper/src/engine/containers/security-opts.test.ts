import { describe, expect, it } from 'vitest';
import { effectiveSecurity, parseSecurityOpts, securityOptionsInfo, validateSecurity } from './security-opts';

const noLsm = { apparmor: false, selinux: false };

describe('parseSecurityOpts', () => {
  it('reads seccomp and no-new-privileges as dockerd does', () => {
    expect(parseSecurityOpts(['seccomp=unconfined', 'no-new-privileges'], noLsm)).toEqual({ seccomp: 'unconfined', noNewPrivileges: true });
    expect(parseSecurityOpts(['no-new-privileges=false'], noLsm)).toEqual({ noNewPrivileges: false });
    expect(parseSecurityOpts(['seccomp:unconfined'], noLsm)).toEqual({ seccomp: 'unconfined' });
    expect(parseSecurityOpts(['seccomp={"defaultAction":"SCMP_ACT_ALLOW"}'], noLsm).seccomp).toMatchObject({ defaultAction: 'SCMP_ACT_ALLOW' });
  });

  it.each([
    ['bogus', /invalid --security-opt 1: "bogus"/],
    ['x=y', /invalid --security-opt 2: "x=y"/],
    ['no-new-privileges=maybe', /invalid --security-opt 2/],
    ['label=nonsense', /invalid --security-opt 2/],
    ['apparmor=docker-default', /AppArmor is not enabled on this host/],
    ['label=type:container_t', /SELinux is not enabled on this host/],
    ['seccomp={', /decoding seccomp profile failed/],
  ])('refuses %s', (opt, message) => {
    expect(() => parseSecurityOpts([opt], noLsm)).toThrow(message);
  });

  it('refuses AppArmor profiles and SELinux labels on hosts that have them (berthd does not apply them)', () => {
    const lsm = { apparmor: true, selinux: true };
    expect(() => parseSecurityOpts(['apparmor=docker-default'], lsm)).toThrow(/does not apply AppArmor profiles/);
    expect(() => parseSecurityOpts(['label=level:s0:c1'], lsm)).toThrow(/does not apply SELinux labels/);
    expect(parseSecurityOpts(['apparmor=unconfined', 'label=disable', 'disable'], lsm)).toEqual({});
  });

  it('accepts --userns host and refuses any other mode', () => {
    expect(() => validateSecurity({ usernsMode: 'host' })).not.toThrow();
    expect(() => validateSecurity({ usernsMode: 'private' })).toThrow(/UsernsMode/);
  });
});

describe('effectiveSecurity', () => {
  it('privileged is unconfined; the container’s options win over the daemon’s', () => {
    expect(effectiveSecurity({}, { noNewPrivileges: true, seccomp: 'unconfined' }, false)).toEqual({ seccomp: 'unconfined', noNewPrivileges: true });
    expect(effectiveSecurity({ noNewPrivileges: false }, { noNewPrivileges: true }, false)).toEqual({ seccomp: undefined, noNewPrivileges: false });
    expect(effectiveSecurity({}, { noNewPrivileges: false }, true).seccomp).toBe('unconfined');
    expect(securityOptionsInfo({ noNewPrivileges: true })).toEqual(['name=seccomp,profile=builtin', 'name=no-new-privileges', 'name=cgroupns']);
  });
});
