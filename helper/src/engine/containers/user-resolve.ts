import { invalidArgument } from '../../lib/errors';

export interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

export interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

export interface ResolvedIdentity {
  uid: number;
  gid: number;
  additionalGids: number[];
  home: string;
}

export function parsePasswd(text: string): PasswdEntry[] {
  const out: PasswdEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const f = line.split(':');
    const uid = Number(f[2]);
    const gid = Number(f[3]);
    if (f.length < 4 || !Number.isInteger(uid) || !Number.isInteger(gid)) continue;
    out.push({ name: f[0] ?? '', uid, gid, home: f[5] ?? '/' });
  }
  return out;
}

export function parseGroup(text: string): GroupEntry[] {
  const out: GroupEntry[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const f = line.split(':');
    const gid = Number(f[2]);
    if (f.length < 3 || !Number.isInteger(gid)) continue;
    out.push({ name: f[0] ?? '', gid, members: (f[3] ?? '').split(',').filter((m) => m !== '') });
  }
  return out;
}

const isNumeric = (s: string): boolean => /^\d+$/.test(s);

/**
 * Resolves a Docker `User` value (`name`, `uid`, `name:group`, `uid:gid`…) against the image's
 * /etc/passwd and /etc/group, as runc's `user.GetExecUser`:
 * - empty means root (0:0);
 * - a numeric uid missing from passwd is allowed (gid defaults to 0, home to "/");
 * - a name missing from passwd is an error, as is an unknown group name;
 * - without an explicit group, supplementary groups are those listing the user as a member.
 */
export function resolveUser(spec: string, passwd: PasswdEntry[], groups: GroupEntry[]): ResolvedIdentity {
  const [userPart = '', groupPart] = spec.split(':', 2);
  let uid = 0;
  let gid = 0;
  let home = '/';
  let name: string | undefined;
  if (userPart === '') {
    const root = passwd.find((p) => p.uid === 0);
    home = root?.home ?? '/root';
    name = root?.name;
  } else {
    const entry = isNumeric(userPart) ? passwd.find((p) => p.uid === Number(userPart)) : passwd.find((p) => p.name === userPart);
    if (entry) {
      uid = entry.uid;
      gid = entry.gid;
      home = entry.home;
      name = entry.name;
    } else if (isNumeric(userPart)) {
      uid = Number(userPart);
    } else {
      throw invalidArgument('USER_NOT_FOUND', `unable to find user ${userPart}: no matching entries in passwd file`);
    }
  }
  if (uid > 2 ** 31 - 1) throw invalidArgument('USER_OUT_OF_RANGE', `uid ${uid} is out of range`);

  let additionalGids: number[] = [];
  if (groupPart !== undefined && groupPart !== '') {
    if (isNumeric(groupPart)) gid = Number(groupPart);
    else {
      const g = groups.find((e) => e.name === groupPart);
      if (!g) throw invalidArgument('GROUP_NOT_FOUND', `unable to find group ${groupPart}: no matching entries in group file`);
      gid = g.gid;
    }
  } else if (name !== undefined) {
    additionalGids = groups.filter((g) => g.members.includes(name) && g.gid !== gid).map((g) => g.gid);
  }
  return { uid, gid, additionalGids, home };
}

/**
 * HostConfig.GroupAdd (`--group-add`) as runc's `GetAdditionalGroups`: each entry is a group name
 * or gid found in the container's /etc/group, else a number taken as is; anything else is an
 * error. Duplicates collapse. moby appends these to the user's own supplementary groups.
 */
export function resolveGroupAdd(entries: readonly string[], groups: GroupEntry[]): number[] {
  const gids = new Set<number>();
  for (const ag of entries) {
    const g = groups.find((e) => (e.name === ag || String(e.gid) === ag) && !gids.has(e.gid));
    if (g) {
      gids.add(g.gid);
      continue;
    }
    if (groups.some((e) => e.name === ag || String(e.gid) === ag)) continue;
    if (!/^-?\d+$/.test(ag)) throw invalidArgument('GROUP_NOT_FOUND', `Unable to find group ${ag}: no matching entries in group file`);
    const gid = Number(ag);
    if (gid < 0 || gid > 2 ** 31 - 1) throw invalidArgument('GROUP_OUT_OF_RANGE', 'uids and gids must be in range 0-2147483647');
    gids.add(gid);
  }
  return [...gids];
}
