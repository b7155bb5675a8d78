/**
 * tmpfs mount options as dockerd/runc take them (`--tmpfs /run:rw,size=64m,mode=1777`, and
 * `--mount type=tmpfs,tmpfs-size=…,tmpfs-mode=…`): mount flags are split from the filesystem data
 * the way runc's parseMountOptions does, with dockerd's defaults (noexec, nosuid, nodev).
 */
import { invalidArgument } from '../../lib/errors';
import { MS } from './linux-constants';

const FLAG_OPTS: Record<string, { set: boolean; flag: number }> = {
  ro: { set: true, flag: MS.RDONLY },
  rw: { set: false, flag: MS.RDONLY },
  nosuid: { set: true, flag: MS.NOSUID },
  suid: { set: false, flag: MS.NOSUID },
  nodev: { set: true, flag: MS.NODEV },
  dev: { set: false, flag: MS.NODEV },
  noexec: { set: true, flag: MS.NOEXEC },
  exec: { set: false, flag: MS.NOEXEC },
  sync: { set: true, flag: 0x10 },
  async: { set: false, flag: 0x10 },
  dirsync: { set: true, flag: 0x80 },
  atime: { set: false, flag: 0x400 },
  noatime: { set: true, flag: 0x400 },
  diratime: { set: false, flag: 0x800 },
  nodiratime: { set: true, flag: 0x800 },
  relatime: { set: true, flag: 0x200000 },
  norelatime: { set: false, flag: 0x200000 },
  strictatime: { set: true, flag: MS.STRICTATIME },
  nostrictatime: { set: false, flag: MS.STRICTATIME },
};
/** Filesystem data keys tmpfs understands. */
const DATA_KEYS = ['size', 'mode', 'uid', 'gid', 'nr_inodes', 'nr_blocks', 'mpol', 'huge', 'inode64', 'inode32', 'noswap', 'tmpcopyup'];

export interface TmpfsMount {
  destination: string;
  /** MS_* flags. */
  flags: number;
  /** Comma-joined tmpfs data (`size=64m,mode=1777`). */
  data: string;
}

/** One `--tmpfs` entry: destination and its option string. */
export function parseTmpfs(destination: string, options: string): TmpfsMount {
  if (!destination.startsWith('/')) throw invalidArgument('INVALID_TMPFS', `invalid mount path: '${destination}' mount path must be absolute`);
  if (destination === '/') throw invalidArgument('INVALID_TMPFS', `invalid tmpfs mount destination: '/'`);
  let flags = MS.NOEXEC | MS.NOSUID | MS.NODEV;
  const data: string[] = [];
  for (const opt of options.split(',').map((o) => o.trim()).filter((o) => o !== '')) {
    const f = FLAG_OPTS[opt];
    if (f) {
      flags = f.set ? flags | f.flag : flags & ~f.flag;
      continue;
    }
    const key = opt.split('=')[0] ?? '';
    // tmpcopyup is dockerd's default behaviour marker, not a kernel option.
    if (key === 'tmpcopyup' || key === 'notmpcopyup') continue;
    if (!DATA_KEYS.includes(key)) throw invalidArgument('INVALID_TMPFS', `invalid tmpfs option "${opt}" for ${destination}`);
    data.push(opt);
  }
  return { destination, flags, data: data.join(',') };
}

/** `--mount type=tmpfs`: tmpfs-size in bytes (0 = unlimited, the kernel's half of RAM), tmpfs-mode as a number. */
export function tmpfsFromMount(destination: string, readOnly: boolean, opts: { sizeBytes: number; mode: number } | undefined): TmpfsMount {
  const data: string[] = [];
  if (opts && opts.sizeBytes > 0) data.push(`size=${opts.sizeBytes}`);
  if (opts && opts.mode > 0) data.push(`mode=${opts.mode.toString(8)}`);
  return parseTmpfs(destination, [readOnly ? 'ro' : '', ...data].filter(Boolean).join(','));
}
