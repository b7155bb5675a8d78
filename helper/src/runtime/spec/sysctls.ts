/**
 * Kernel parameters of a container (HostConfig.Sysctls, `--sysctl`). Only namespaced ones, as runc
 * checks them (libcontainer/configs/validate): IPC ones need a private IPC namespace, `net.*` a
 * network namespace other than the host's, `kernel.domainname` a private UTS one. berthd refuses
 * the others at create (runc does at start, with the same words). They are written by the
 * monitor's helper at start, in the container's namespaces (helper/native/berth-shim.c).
 */
import { existsSync, readFileSync } from 'node:fs';
import { invalidArgument } from '../../lib/errors';

/** IPC-namespaced sysctls besides `fs.mqueue.*` (runc's validSysctlMap). */
const IPC_SYSCTLS = new Set(['kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced']);

/** Which of the container's namespaces are the host's. */
export interface SysctlNamespaces {
  hostNetwork: boolean;
  hostIpc: boolean;
  hostUts: boolean;
}

const bad = (message: string): never => {
  throw invalidArgument('INVALID_SYSCTL', `HostConfig.Sysctls: ${message}`);
};

/** The file under /proc/sys: dots are separators unless the key is already written with slashes (runc). */
export function sysctlPath(key: string): string {
  const path = key.includes('/') ? key : key.replace(/\./g, '/');
  const parts = path.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) bad(`invalid sysctl name ${JSON.stringify(key)}`);
  return path;
}

export function validateSysctls(sysctls: Readonly<Record<string, string>>, ns: SysctlNamespaces): void {
  for (const key of Object.keys(sysctls)) {
    sysctlPath(key);
    const s = key.replace(/\//g, '.');
    if (IPC_SYSCTLS.has(s) || s.startsWith('fs.mqueue.')) {
      if (ns.hostIpc) bad(`sysctl ${JSON.stringify(s)} is not allowed in the hosts ipc namespace`);
      continue;
    }
    if (s.startsWith('net.')) {
      if (ns.hostNetwork) bad(`sysctl ${JSON.stringify(s)} not allowed in host network namespace`);
      continue;
    }
    if (!ns.hostUts) {
      if (s === 'kernel.domainname') continue;
      if (s === 'kernel.hostname') bad(`sysctl ${JSON.stringify(s)} is not allowed as it conflicts with the OCI "hostname" field`);
    }
    bad(`sysctl ${JSON.stringify(s)} is not in a separate kernel namespace`);
  }
}

let hostDefaults: Record<string, string> | undefined;

/** moby's `userns.RunningInUserNS`: any uid_map but the initial namespace's identity map. */
function inUserNamespace(): boolean {
  try {
    return readFileSync('/proc/self/uid_map', 'utf8').trim().split(/\s+/).join(' ') !== '0 0 4294967295';
  } catch {
    return false;
  }
}

/**
 * What moby writes in every network namespace it creates (not with the host's or another
 * container's): unprivileged ping sockets and ports below 1024 without capabilities, each only
 * where the kernel has it. The container's own HostConfig.Sysctls override these.
 */
export function defaultNetworkSysctls(privateNetwork: boolean): Record<string, string> {
  if (!privateNetwork) return {};
  if (hostDefaults === undefined) {
    hostDefaults = {};
    if (!inUserNamespace() && existsSync('/proc/sys/net/ipv4/ping_group_range')) hostDefaults['net.ipv4.ping_group_range'] = '0 2147483647';
    if (existsSync('/proc/sys/net/ipv4/ip_unprivileged_port_start')) hostDefaults['net.ipv4.ip_unprivileged_port_start'] = '0';
  }
  return hostDefaults;
}

/** Plan records `sysctl <path under /proc/sys> <value>`. */
export function sysctlRecords(sysctls: Readonly<Record<string, string>>): Array<readonly [string, string, string]> {
  return Object.entries(sysctls).map(([k, v]) => ['sysctl', sysctlPath(k), v] as const);
}
