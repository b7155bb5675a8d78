/**
 * Mounts in berthd's own (the host's) mount namespace, through util-linux `mount`/`umount`: Node
 * has no mount(2), and these tools parse dockerd-style option strings (`bind,ro`, `size=10m`)
 * exactly as moby/sys/mount does. Used for local volumes with driver options (tmpfs, bind, …) while a
 * container uses them, and for the short read-only view of an image used by volume copy-up.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export interface HostMounter {
  /** mount -t <fstype> [-o <options>] <source> <target>; `cwd` for relative overlay lowerdirs. */
  mount(fstype: string, source: string, target: string, options: string, cwd?: string): Promise<void>;
  /** umount <target>; lazily (MNT_DETACH) when `lazy`, so a busy mount never blocks cleanup. */
  unmount(target: string, lazy?: boolean): Promise<void>;
  isMounted(target: string): Promise<boolean>;
}

/** mountinfo escapes space, tab, newline and backslash as \ooo. */
const unescape = (s: string): string => s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));

export class LinuxHostMounter implements HostMounter {
  async mount(fstype: string, source: string, target: string, options: string, cwd?: string): Promise<void> {
    const args = ['-t', fstype === '' ? 'none' : fstype, ...(options !== '' ? ['-o', options] : []), source, target];
    try {
      await execFileP('mount', args, { cwd });
    } catch (err) {
      const stderr = (err as { stderr?: string }).stderr?.trim();
      throw new Error(stderr && stderr !== '' ? stderr : (err as Error).message, { cause: err });
    }
  }

  async unmount(target: string, lazy = false): Promise<void> {
    await execFileP('umount', [...(lazy ? ['-l'] : []), target]);
  }

  async isMounted(target: string): Promise<boolean> {
    const info = await readFile('/proc/self/mountinfo', 'utf8');
    return info.split('\n').some((l) => unescape(l.split(' ')[4] ?? '') === target);
  }
}
