import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);
const PROFILES = '/sys/kernel/security/apparmor/profiles';

/** Where apparmor_parser lives on Debian/Ubuntu (sbin) and elsewhere. */
export function findAppArmorParser(): string | undefined {
  return ['/sbin/apparmor_parser', '/usr/sbin/apparmor_parser'].find((p) => existsSync(p));
}

/** Profile names the kernel has loaded (`name (mode)` per line); empty when AppArmor is off. */
export function loadedAppArmorProfiles(): Set<string> {
  try {
    return new Set(readFileSync(PROFILES, 'utf8').split('\n').map((l) => l.replace(/ \([a-z]+\)$/, '').trim()).filter(Boolean));
  } catch {
    return new Set();
  }
}

/**
 * Writes a profile under the data root and (re)loads it into the kernel, as dockerd does with
 * docker-default at start. Returns the profile name, or throws with apparmor_parser's reason.
 */
export async function installAppArmorProfile(dataRoot: string, name: string, text: string): Promise<string> {
  const parser = findAppArmorParser();
  if (parser === undefined) throw new Error('apparmor_parser is not installed (Debian/Ubuntu: the apparmor package)');
  const dir = join(dataRoot, 'apparmor');
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, name);
  await writeFile(`${file}.tmp`, text, { mode: 0o600 });
  await rename(`${file}.tmp`, file);
  try {
    await execFileP(parser, ['-Kr', file]);
  } catch (err) {
    throw new Error(`apparmor_parser could not load ${name}: ${(err as { stderr?: string }).stderr?.trim() || (err as Error).message}`, { cause: err });
  }
  return name;
}
