/**
 * `HostConfig.SecurityOpt` (`--security-opt`), parsed as dockerd's parseSecurityOpt does, and the
 * daemon-wide defaults (daemon.json `seccomp-profile`, `no-new-privileges`). An option the host
 * cannot honour is refused with 400 naming it, never stored and ignored.
 */
import { readFile } from 'node:fs/promises';
import { invalidArgument } from '../../lib/errors';
import { loadedAppArmorProfiles } from '../../platform/apparmor';
import type { HostLsm } from '../../platform/lsm';
import { parseSeccompProfile, type SeccompProfile } from '../../runtime/spec/seccomp/profile';
import type { UsernsMaps } from '../../runtime/runtime';

/** What a container asked for; undefined fields take the daemon's defaults. */
export interface SecuritySettings {
  /** 'unconfined', a custom profile, or undefined for the daemon's profile. */
  seccomp?: SeccompProfile | 'unconfined';
  noNewPrivileges?: boolean;
  /** 'unconfined', a profile loaded on the host, or undefined for the daemon's (berth-default). */
  apparmor?: string;
}

/** daemon.json's security defaults, already loaded. */
export interface SecurityDefaults {
  /** The daemon's profile (`seccomp-profile`); undefined = Docker's default profile. */
  seccomp?: SeccompProfile | 'unconfined';
  noNewPrivileges: boolean;
  /** berth-default once loaded into the kernel; undefined where AppArmor is off (or could not load it). */
  apparmorProfile?: string;
  /** daemon.json `userns-remap`, resolved at start: the maps of every container not run with `--userns host`. */
  userns?: UsernsMaps;
}

const bad = (n: 1 | 2, opt: string): Error => invalidArgument('INVALID_SECURITY_OPT', `invalid --security-opt ${n}: ${JSON.stringify(opt)}`);

/** Label options SELinux would act on; `disable` asks for nothing and is honoured everywhere. */
const LABEL_KEYS = new Set(['user', 'role', 'type', 'level', 'filetype', 'nested']);

export function parseSecurityOpts(opts: readonly string[], host: HostLsm): SecuritySettings {
  const out: SecuritySettings = {};
  for (const opt of opts) {
    if (opt === 'no-new-privileges') {
      out.noNewPrivileges = true;
      continue;
    }
    if (opt === 'disable') continue;
    const sep = opt.includes('=') ? '=' : opt.includes(':') ? ':' : undefined;
    if (!sep) throw bad(1, opt);
    const at = opt.indexOf(sep);
    const key = opt.slice(0, at);
    const value = opt.slice(at + 1);
    switch (key) {
      case 'seccomp':
        if (value === 'unconfined') out.seccomp = 'unconfined';
        else if (value === '' || value === 'builtin') out.seccomp = undefined;
        else out.seccomp = parseSeccompProfile(value);
        break;
      case 'no-new-privileges':
        if (!['true', 'false', '1', '0', 't', 'f', 'TRUE', 'FALSE', 'True', 'False'].includes(value)) throw bad(2, opt);
        out.noNewPrivileges = ['true', '1', 't', 'TRUE', 'True'].includes(value);
        break;
      case 'apparmor':
        // Unconfined asks for nothing: honoured on any host.
        if (value === 'unconfined') {
          out.apparmor = 'unconfined';
          break;
        }
        if (!host.apparmor) throw invalidArgument('SECURITY_OPT_UNSUPPORTED', `--security-opt ${JSON.stringify(opt)}: AppArmor is not enabled on this host`);
        if (value === '' || /[\s\0]/.test(value)) throw bad(2, opt);
        out.apparmor = value;
        break;
      case 'label': {
        const labelKey = value.split(':')[0] ?? '';
        if (value === 'disable') break;
        if (!LABEL_KEYS.has(labelKey)) throw bad(2, opt);
        throw invalidArgument(
          'SECURITY_OPT_UNSUPPORTED',
          host.selinux ? `--security-opt ${JSON.stringify(opt)}: berthd does not apply SELinux labels` : `--security-opt ${JSON.stringify(opt)}: SELinux is not enabled on this host`,
        );
      }
      default:
        throw bad(2, opt);
    }
  }
  return out;
}

/** What a container's processes run under: seccomp profile, no_new_privs, AppArmor profile. */
export interface EffectiveSecurity {
  seccomp?: SeccompProfile | 'unconfined';
  noNewPrivileges: boolean;
  /** The AppArmor profile the shim switches to on exec; undefined = unconfined. */
  apparmorProfile?: string;
}

/** Privileged containers get no seccomp filter and no AppArmor profile, as in dockerd. */
export function effectiveSecurity(asked: SecuritySettings, defaults: SecurityDefaults, privileged: boolean): EffectiveSecurity {
  const seccomp = privileged ? 'unconfined' : (asked.seccomp ?? defaults.seccomp);
  const apparmor = privileged || asked.apparmor === 'unconfined' ? undefined : (asked.apparmor ?? defaults.apparmorProfile);
  return { seccomp, noNewPrivileges: asked.noNewPrivileges ?? defaults.noNewPrivileges, ...(apparmor !== undefined ? { apparmorProfile: apparmor } : {}) };
}

/** No daemon.json security settings: Docker's default profile, no_new_privs off. */
export const NO_SECURITY_DEFAULTS: SecurityDefaults = { noNewPrivileges: false };

/** `docker create`: refuses what cannot be applied (400 naming the option) before anything is stored. */
export function validateSecurity(
  hc: UsernsHostConfig & { securityOpt?: string[] },
  host: HostLsm = { apparmor: false, selinux: false },
  loadedProfiles: () => Set<string> = loadedAppArmorProfiles,
  remapped = false,
): void {
  const asked = parseSecurityOpts(hc.securityOpt ?? [], host);
  // dockerd finds a missing profile only at start; the host knows now, so say it at create.
  if (asked.apparmor !== undefined && asked.apparmor !== 'unconfined' && !loadedProfiles().has(asked.apparmor)) {
    throw invalidArgument('APPARMOR_PROFILE_NOT_FOUND', `--security-opt apparmor=${asked.apparmor}: no AppArmor profile of that name is loaded on this host (load it with apparmor_parser)`);
  }
  const userns = hc.usernsMode ?? '';
  if (userns !== '' && userns !== 'host') {
    throw invalidArgument('INVALID_USERNS_MODE', `invalid HostConfig.UsernsMode ${JSON.stringify(userns)}: only "host" is valid`);
  }
  checkUsernsConflicts(hc, remapped);
}

type UsernsHostConfig = { usernsMode?: string; privileged?: boolean; networkMode?: string; pidMode?: string };

/** Whether a container runs remapped: the daemon remaps and it did not ask for `--userns host`. */
export const runsRemapped = (hc: { usernsMode?: string }, defaults: SecurityDefaults | undefined): boolean => defaults?.userns !== undefined && hc.usernsMode !== 'host';

/**
 * moby's verifyPlatformContainerSettings under userns-remap (at create and again at start): what
 * needs the host's user namespace must say `--userns host`. Messages are dockerd's.
 */
export function checkUsernsConflicts(hc: UsernsHostConfig, remapped: boolean): void {
  if (!remapped || hc.usernsMode === 'host') return;
  if (hc.privileged) throw invalidArgument('USERNS_PRIVILEGED', 'privileged mode is incompatible with user namespaces.  You must run the container in the host namespace when running privileged mode');
  if (hc.networkMode === 'host') throw invalidArgument('USERNS_HOST_NETWORK', "cannot share the host's network namespace when user namespaces are enabled");
  if (hc.pidMode === 'host') throw invalidArgument('USERNS_HOST_PID', 'cannot share the host PID namespace when user namespaces are enabled');
}

/** A container's effective seccomp profile, no_new_privs and AppArmor profile, from its record and the daemon's defaults. */
export function securityOf(rec: { hostConfig: { securityOpt?: string[]; privileged: boolean } }, defaults: SecurityDefaults): EffectiveSecurity {
  // The options were validated at create; the host's LSMs only matter for refusing, not here.
  return effectiveSecurity(parseSecurityOpts(rec.hostConfig.securityOpt ?? [], { apparmor: true, selinux: true }), defaults, rec.hostConfig.privileged);
}

/**
 * Loads daemon.json's `seccomp-profile` (a file, read now) and `no-new-privileges`. Throws
 * InvalidArgument naming the file when it cannot be read or parsed: dockerd refuses to start then.
 */
export async function loadSecurityDefaults(config: { seccompProfile?: string; noNewPrivileges: boolean }): Promise<SecurityDefaults> {
  const p = config.seccompProfile;
  if (!p || p === 'builtin') return { noNewPrivileges: config.noNewPrivileges };
  if (p === 'unconfined') return { seccomp: 'unconfined', noNewPrivileges: config.noNewPrivileges };
  let text: string;
  try {
    text = await readFile(p, 'utf8');
  } catch (err) {
    throw invalidArgument('SECCOMP_PROFILE_UNREADABLE', `opening seccomp profile (${p}) failed: ${(err as Error).message}`);
  }
  try {
    return { seccomp: parseSeccompProfile(text), noNewPrivileges: config.noNewPrivileges };
  } catch (err) {
    throw invalidArgument('SECCOMP_PROFILE_INVALID', `seccomp profile ${p}: ${(err as Error).message}`);
  }
}

/** inspect's AppArmorProfile, as dockerd reports it: the profile, "unconfined", or "" without AppArmor. */
export function appArmorProfileOf(rec: { hostConfig: { securityOpt?: string[]; privileged: boolean } }, defaults: SecurityDefaults): string {
  if (defaults.apparmorProfile === undefined) return '';
  return securityOf(rec, defaults).apparmorProfile ?? 'unconfined';
}

/** `/info` SecurityOptions as dockerd words them, for what berthd really applies. */
export function securityOptionsInfo(config: { seccompProfile?: string; noNewPrivileges: boolean }, apparmor = false, userns = false): string[] {
  const out = [...(apparmor ? ['name=apparmor'] : []), `name=seccomp,profile=${config.seccompProfile && config.seccompProfile !== '' ? config.seccompProfile : 'builtin'}`];
  if (userns) out.push('name=userns');
  if (config.noNewPrivileges) out.push('name=no-new-privileges');
  out.push('name=cgroupns');
  return out;
}
