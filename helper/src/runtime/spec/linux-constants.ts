/** Kernel ABI numbers the plan carries to the shim (sys/mount.h, sched.h, sys/stat.h). */
export const MS = {
  RDONLY: 0x1,
  NOSUID: 0x2,
  NODEV: 0x4,
  NOEXEC: 0x8,
  REMOUNT: 0x20,
  BIND: 0x1000,
  REC: 0x4000,
  PRIVATE: 0x40000,
  SLAVE: 0x80000,
  SHARED: 0x100000,
  STRICTATIME: 0x1000000,
} as const;

export const CLONE = {
  NEWNS: 0x20000,
  NEWCGROUP: 0x2000000,
  NEWUTS: 0x4000000,
  NEWIPC: 0x8000000,
  NEWPID: 0x20000000,
  NEWNET: 0x40000000,
} as const;

export const S_IFCHR = 0o020000;
export const S_IFBLK = 0o060000;
