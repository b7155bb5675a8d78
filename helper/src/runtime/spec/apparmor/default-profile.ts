/**
 * Berth's default AppArmor profile, `berth-default`: moby's docker-default template
 * (profiles/apparmor/template.go) with the same rules, made self-contained (no
 * `#include <tunables/global>`: a host with AppArmor in its kernel may lack the policy files).
 * berthd loads it with apparmor_parser at start when the host has AppArmor enabled; the shim
 * switches each container process to it on exec.
 */
export const DEFAULT_APPARMOR_PROFILE = 'berth-default';

export function defaultAppArmorProfile(name = DEFAULT_APPARMOR_PROFILE): string {
  return `@{PROC}=/proc/

profile ${name} flags=(attach_disconnected,mediate_deleted) {
  network,
  capability,
  file,
  umount,
  # Host (unconfined) processes, berthd among them, may signal container processes.
  signal (receive) peer=unconfined,
  signal (send,receive) peer=${name},

  deny @{PROC}/* w,   # files directly in /proc
  # everything in /proc but /proc/<pid>/** and /proc/sys/**
  deny @{PROC}/{[^1-9],[^1-9][^0-9],[^1-9s][^0-9y][^0-9s],[^1-9][^0-9][^0-9][^0-9/]*}/** w,
  deny @{PROC}/sys/[^k]** w,  # /proc/sys but /proc/sys/k*
  deny @{PROC}/sys/kernel/{?,??,[^s][^h][^m]**} w,  # /proc/sys/kernel but shm*
  deny @{PROC}/sysrq-trigger rwklx,
  deny @{PROC}/kcore rwklx,

  deny mount,

  deny /sys/[^f]*/** wklx,
  deny /sys/f[^s]*/** wklx,
  deny /sys/fs/[^c]*/** wklx,
  deny /sys/fs/c[^g]*/** wklx,
  deny /sys/fs/cg[^r]*/** wklx,
  deny /sys/firmware/** rwklx,
  deny /sys/devices/virtual/powercap/** rwklx,
  deny /sys/kernel/security/** rwklx,

  # ps inside a container, and docker top, read other processes of the same profile.
  ptrace (trace,read,tracedby,readby) peer=${name},
}
`;
}
