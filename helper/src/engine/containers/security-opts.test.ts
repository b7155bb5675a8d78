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

  it('takes an AppArmor profile where the host has AppArmor, and still refuses SELinux labels', () => {
    const lsm = { apparmor: true, selinux: true };
    expect(parseSecurityOpts(['apparmor=my-profile'], lsm)).toEqual({ apparmor: 'my-profile' });
    expect(() => parseSecurityOpts(['apparmor=my-profile'], { apparmor: false, selinux: false })).toThrow(/AppArmor is not enabled on this host/);
    expect(() => parseSecurityOpts(['apparmor=two words'], lsm)).toThrow(/invalid --security-opt 2/);
    expect(() => parseSecurityOpts(['label=level:s0:c1'], lsm)).toThrow(/does not apply SELinux labels/);
    expect(parseSecurityOpts(['apparmor=unconfined', 'label=disable', 'disable'], lsm)).toEqual({ apparmor: 'unconfined' });
  });

  it('refuses at create a profile the kernel has not loaded', () => {
    const lsm = { apparmor: true, selinux: false };
    const loaded = (): Set<string> => new Set(['berth-default', 'my-profile']);
    expect(() => validateSecurity({ securityOpt: ['apparmor=my-profile'] }, lsm, loaded)).not.toThrow();
    expect(() => validateSecurity({ securityOpt: ['apparmor=missing'] }, lsm, loaded)).toThrow(/no AppArmor profile of that name is loaded/);
    expect(() => validateSecurity({ securityOpt: ['apparmor=unconfined'] }, lsm, () => new Set())).not.toThrow();
  });

  it('accepts --userns host and refuses any other mode', () => {
    expect(() => validateSecurity({ usernsMode: 'host' })).not.toThrow();
    expect(() => validateSecurity({ usernsMode: 'private' })).toThrow(/UsernsMode/);
  });

  it('under userns-remap refuses privileged, host network and host pid unless --userns host, as dockerd', () => {
    const none = (): Set<string> => new Set();
    expect(() => validateSecurity({ privileged: true }, undefined, none, true)).toThrow('privileged mode is incompatible with user namespaces.  You must run the container in the host namespace when running privileged mode');
    expect(() => validateSecurity({ networkMode: 'host' }, undefined, none, true)).toThrow("cannot share the host's network namespace when user namespaces are enabled");
    expect(() => validateSecurity({ pidMode: 'host' }, undefined, none, true)).toThrow('cannot share the host PID namespace when user namespaces are enabled');
    expect(() => validateSecurity({ privileged: true, networkMode: 'host', pidMode: 'host', usernsMode: 'host' }, undefined, none, true)).not.toThrow();
    expect(() => validateSecurity({ privileged: true }, undefined, none, false)).not.toThrow();
  });
});

describe('effectiveSecurity', () => {
  it('AppArmor: the daemon\'s profile by default, the asked one, or none when unconfined or privileged', () => {
    const d = { noNewPrivileges: false, apparmorProfile: 'berth-default' };
    expect(effectiveSecurity({}, d, false).apparmorProfile).toBe('berth-default');
    expect(effectiveSecurity({ apparmor: 'my-profile' }, d, false).apparmorProfile).toBe('my-profile');
    expect(effectiveSecurity({ apparmor: 'unconfined' }, d, false).apparmorProfile).toBeUndefined();
    expect(effectiveSecurity({ apparmor: 'my-profile' }, d, true).apparmorProfile).toBeUndefined();
    expect(effectiveSecurity({}, { noNewPrivileges: false }, false).apparmorProfile).toBeUndefined();
  });

  it('privileged is unconfined; the container’s options win over the daemon’s', () => {
    expect(effectiveSecurity({}, { noNewPrivileges: true, seccomp: 'unconfined' }, false)).toEqual({ seccomp: 'unconfined', noNewPrivileges: true });
    expect(effectiveSecurity({ noNewPrivileges: false }, { noNewPrivileges: true }, false)).toEqual({ seccomp: undefined, noNewPrivileges: false });
    expect(effectiveSecurity({}, { noNewPrivileges: false }, true).seccomp).toBe('unconfined');
    expect(securityOptionsInfo({ noNewPrivileges: true })).toEqual(['name=seccomp,profile=builtin', 'name=no-new-privileges', 'name=cgroupns']);
  });
});
