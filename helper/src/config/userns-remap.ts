/**
 * daemon.json's `userns-remap`, resolved as dockerd does (moby daemon_unix.go `setupRemappedRoot`,
 * pkg/idtools): "default" is the `dockremap` user, created with its /etc/subuid and /etc/subgid
 * ranges when missing; "user", "user:group", "uid", "uid:gid" use that user's existing ranges.
 * The result is the uid and gid maps every remapped container's user namespace gets.
 */
import { execFile } from 'node:child_process';
import { appendFile, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { invalidArgument } from '../lib/errors';

/** One line of a uid_map / gid_map: `containerId hostId size`. */
export interface IdMap {
  containerId: number;
  hostId: number;
  size: number;
}

export interface UsernsRemap {
  user: string;
  group: string;
  uidMap: IdMap[];
  gidMap: IdMap[];
}

export interface SubIdRange {
  name: string;
  start: number;
  length: number;
}

/** The user dockerd creates for `"userns-remap": "default"`. */
export const DEFAULT_REMAP_USER = 'dockremap';
/** pkg/idtools: new ranges start at 100000 and hold 65536 ids. */
const RANGE_START = 100000;
const RANGE_LENGTH = 65536;

/** /etc/subuid or /etc/subgid: `name:start:count` lines; comments, blanks and malformed lines skipped (as shadow does). */
export function parseSubIds(text: string): SubIdRange[] {
  const out: SubIdRange[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const [name = '', start = '', length = ''] = line.split(':');
    if (name === '' || !/^\d+$/.test(start) || !/^\d+$/.test(length)) continue;
    out.push({ name, start: Number(start), length: Number(length) });
  }
  return out;
}

/**
 * The maps of a user's ranges (idtools.createIDMap): ranges of `names` (the user's name or numeric
 * id) sorted by start, container ids numbered from 0 across them.
 */
export function idMapsOf(ranges: readonly SubIdRange[], names: readonly string[]): IdMap[] {
  const mine = ranges.filter((r) => names.includes(r.name) && r.length > 0).sort((a, b) => a.start - b.start);
  const out: IdMap[] = [];
  let next = 0;
  for (const r of mine) {
    out.push({ containerId: next, hostId: r.start, size: r.length });
    next += r.length;
  }
  return out;
}

/** pkg/idtools findNextRangeStart: the first 65536 ids at or after 100000 that overlap no existing range. */
export function firstFreeRange(ranges: readonly SubIdRange[]): number {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  let start = RANGE_START;
  const overlaps = (r: SubIdRange, id: number): boolean => {
    const end = id + RANGE_LENGTH - 1;
    return (id >= r.start && id <= r.start + r.length) || (end >= r.start && end <= r.start + r.length) || (id < r.start && end > r.start + r.length);
  };
  for (const r of sorted) if (overlaps(r, start)) start = r.start + r.length;
  return start;
}

/** A passwd or group file: name -> numeric id (and back). */
function parseIdFile(text: string): Array<{ name: string; id: number }> {
  return text
    .split('\n')
    .map((l) => l.split(':'))
    .filter((f) => f.length >= 3 && f[0] !== '' && /^\d+$/.test(f[2] ?? ''))
    .map((f) => ({ name: f[0] ?? '', id: Number(f[2]) }));
}

/** The files and commands resolution touches, injectable for tests. */
export interface RemapHost {
  read(path: string): Promise<string>;
  append(path: string, text: string): Promise<void>;
  /** `useradd --system -s /bin/false dockremap`, or adduser without useradd (as moby's idtools.AddNamespaceRangesUser). */
  addSystemUser(name: string): Promise<void>;
}

export const LINUX_REMAP_HOST: RemapHost = {
  read: async (p) => readFile(p, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? '' : Promise.reject(e))),
  append: (p, t) => appendFile(p, t, { mode: 0o644 }),
  addSystemUser: async (name) => {
    // moby's idtools.addUser: useradd where it exists, else (busybox, Alpine) adduser.
    const run = promisify(execFile);
    try {
      await run('useradd', ['--system', '-s', '/bin/false', name]);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await run('adduser', ['--system', '--shell', '/bin/false', '--no-create-home', '--disabled-login', '--disabled-password', '--group', name]);
    }
  },
};

const remapError = (msg: string): Error => invalidArgument('USERNS_REMAP_INVALID', `userns-remap: ${msg}`);

/** Resolves a `userns-remap` value into maps; throws a message naming the user when that cannot be done. */
export async function resolveUsernsRemap(value: string, host: RemapHost = LINUX_REMAP_HOST): Promise<UsernsRemap> {
  const [userPart = '', groupPart] = value.split(':');
  if (userPart === '' || groupPart === '' || value.split(':').length > 2) throw remapError(`invalid value ${JSON.stringify(value)}: must be "default", "user", "user:group", "uid" or "uid:gid"`);
  const isDefault = userPart === 'default';
  const userName = isDefault ? DEFAULT_REMAP_USER : userPart;
  let users = parseIdFile(await host.read('/etc/passwd'));
  let user = /^\d+$/.test(userName) ? users.find((u) => u.id === Number(userName)) : users.find((u) => u.name === userName);
  if (!user && isDefault) {
    await host.addSystemUser(DEFAULT_REMAP_USER).catch((err: unknown) => {
      throw remapError(`could not create the ${DEFAULT_REMAP_USER} user: ${(err as Error).message}`);
    });
    users = parseIdFile(await host.read('/etc/passwd'));
    user = users.find((u) => u.name === DEFAULT_REMAP_USER);
  }
  if (!user) throw remapError(`error during uid lookup for ${JSON.stringify(userName)}: no such user in /etc/passwd`);
  const groupName = groupPart ?? user.name;
  const groups = parseIdFile(await host.read('/etc/group'));
  const group = /^\d+$/.test(groupName) ? groups.find((g) => g.id === Number(groupName)) : groups.find((g) => g.name === groupName);
  if (!group) throw remapError(`error during gid lookup for ${JSON.stringify(groupName)}: no such group in /etc/group`);

  const maps: Record<'subuid' | 'subgid', IdMap[]> = { subuid: [], subgid: [] };
  for (const kind of ['subuid', 'subgid'] as const) {
    const file = `/etc/${kind}`;
    const names = kind === 'subuid' ? [user.name, String(user.id)] : [group.name, String(group.id), user.name];
    let ranges = parseSubIds(await host.read(file));
    if (idMapsOf(ranges, names).length === 0 && isDefault) {
      // dockerd gives dockremap the first free range in each file (the files may differ).
      const start = firstFreeRange(ranges);
      const existing = await host.read(file);
      await host.append(file, `${existing === '' || existing.endsWith('\n') ? '' : '\n'}${DEFAULT_REMAP_USER}:${start}:${RANGE_LENGTH}\n`);
      ranges = parseSubIds(await host.read(file));
    }
    maps[kind] = idMapsOf(ranges, names);
    // moby's message (idtools.NewIdentityMapping).
    if (maps[kind].length === 0) throw remapError(`can't create ID mappings: no ${kind} ranges found for ${kind === 'subuid' ? 'user' : 'group'} ${JSON.stringify(kind === 'subuid' ? user.name : group.name)} in ${file}`);
  }
  return { user: user.name, group: group.name, uidMap: maps.subuid, gidMap: maps.subgid };
}

/** A container id through a map onto the host; undefined when it is not mapped. */
export function toHostId(maps: readonly IdMap[], id: number): number | undefined {
  const m = maps.find((r) => id >= r.containerId && id < r.containerId + r.size);
  return m ? m.hostId + (id - m.containerId) : undefined;
}
