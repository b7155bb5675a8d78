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
