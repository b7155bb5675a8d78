// Who `npm start` runs the app as: the person behind `sudo`, never root. berthd needs root; the
// app (Electron or web mode) does not, and reaches berthd through the socket's `berth` group.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** The passwd entry of `name`, or undefined. */
export function passwdEntry(name, passwd = () => readFileSync('/etc/passwd', 'utf8')) {
  for (const line of passwd().split('\n')) {
    const [user, , uid, gid, , home, shell] = line.split(':');
    if (user === name && uid !== undefined && gid !== undefined) return { user, uid: Number(uid), gid: Number(gid), home: home || '/', shell: shell || '/bin/sh' };
  }
  return undefined;
}

/** Members listed for `group` in /etc/group (supplementary membership). */
export function groupMembers(group, groupFile = () => readFileSync('/etc/group', 'utf8')) {
  for (const line of groupFile().split('\n')) {
    const [name, , , members] = line.split(':');
    if (name === group) return (members ?? '').split(',').filter(Boolean);
  }
  return undefined;
}

/** The desktop session variables the person's app needs, and nothing of root's environment. */
const SESSION_VARS = ['DISPLAY', 'WAYLAND_DISPLAY', 'XAUTHORITY', 'XDG_RUNTIME_DIR', 'DBUS_SESSION_BUS_ADDRESS', 'LANG', 'LC_ALL', 'TERM', 'BERTH_SOCKET', 'BERTH_WEB_PORT', 'BERTH_WEB_TOKEN'];

/**
 * How to run `command args` as the person: when root was reached through sudo, through
 * util-linux `setpriv` with the person's uid, gid and groups (from /etc/group, so `berth`
 * membership applies) and a clean environment with the person's HOME. Returns undefined when
 * there is no person to drop to (logged in as root itself, or not root).
 */
export function asPerson(env, command, args, lookup = passwdEntry) {
  if (process.getuid?.() !== 0 || !env.SUDO_USER || env.SUDO_USER === 'root') return undefined;
  const pw = lookup(env.SUDO_USER);
  if (!pw || pw.uid === 0) return undefined;
  const childEnv = { HOME: pw.home, USER: pw.user, LOGNAME: pw.user, SHELL: pw.shell, PATH: env.PATH ?? '/usr/local/bin:/usr/bin:/bin' };
  for (const k of SESSION_VARS) if (env[k] !== undefined) childEnv[k] = env[k];
  childEnv.XDG_RUNTIME_DIR ??= `/run/user/${pw.uid}`;
  return {
    person: pw,
    command: 'setpriv',
    args: [`--reuid=${pw.uid}`, `--regid=${pw.gid}`, '--init-groups', '--', command, ...args],
    env: childEnv,
  };
}

/** Adds the person to the socket group (they ran `sudo npm start`: they are root already). */
export function ensureInGroup(user, group) {
  const members = groupMembers(group);
  if (members === undefined || members.includes(user)) return false;
  execFileSync('usermod', ['-aG', group, user]);
  return true;
}
