import { readFile } from 'node:fs/promises';

/** The Linux security modules this host has switched on (what `--security-opt apparmor=/label=` need). */
export interface HostLsm {
  apparmor: boolean;
  selinux: boolean;
}

const read = (p: string): Promise<string> => readFile(p, 'utf8').catch(() => '');

/** As runc/moby detect them: AppArmor's module parameter says Y, SELinux has selinuxfs mounted. */
export async function detectHostLsm(): Promise<HostLsm> {
  const [aa, mounts] = await Promise.all([read('/sys/module/apparmor/parameters/enabled'), read('/proc/self/mounts')]);
  return { apparmor: aa.trim().startsWith('Y'), selinux: /\sselinuxfs\s/.test(mounts) };
}
