/**
 * Container policy as small pure(ish) functions used by the container engine: bind parsing,
 * HostConfig validation and defaults, user resolution from image layers, `ps` output filtering,
 * list filters. Kept apart from the service so they are unit-tested directly.
 */
import { execFile } from 'node:child_process';
import { lstat, mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { errnoCode, invalidArgument, isBerthError } from '../../lib/errors';
import type { BindMount, ContainerRecord, HostConfig, ResolvedUser } from '../../store/containers/container-record';
import { parseGroup, parsePasswd, resolveGroupAdd, resolveUser } from './user-resolve';

const execFileAsync = promisify(execFile);

/** The host's `ps` output for the given arguments (dockerd's top runs the host ps too). */
export async function hostPs(args: string[]): Promise<string> {
  try {
    return (await execFileAsync('ps', args, { maxBuffer: 16 * 1024 * 1024 })).stdout;
  } catch (err) {
    throw invalidArgument('PS_FAILED', `ps: ${(err as Error).message}`);
  }
}

/** moby's `parsePSOutput`: find the PID column in the header, keep rows of the given PIDs. */
export function parsePsOutput(output: string, pids: Set<number>): { Titles: string[]; Processes: string[][] } {
  const lines = output.split('\n').filter((l) => l.trim() !== '');
  const titles = (lines[0] ?? '').trim().split(/\s+/);
  const pidIndex = titles.indexOf('PID');
  if (pidIndex === -1) throw invalidArgument('PS_NO_PID', `Couldn't find PID field in ps output`);
  const processes: string[][] = [];
  for (const line of lines.slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (!pids.has(Number(fields[pidIndex]))) continue;
    // The last column (CMD/COMMAND) keeps its spaces.
    const head = fields.slice(0, titles.length - 1);
    processes.push([...head, fields.slice(titles.length - 1).join(' ')]);
  }
  return { Titles: titles, Processes: processes };
}

export function defaultOverlayOptions(rec: ContainerRecord): string[] {
  return ['index=off', `lowerdir=${rec.rootfs.lowerDirs.join(':')}`, `upperdir=${rec.rootfs.upperDir}`, `workdir=${rec.rootfs.workDir}`];
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

export async function raceTimeout(p: Promise<unknown>, ms: number | undefined): Promise<boolean> {
  if (ms === undefined) {
    await p;
    return true;
  }
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([p.then(() => true as const), t]);
  } finally {
    clearTimeout(timer);
  }
}

/** `-v /host:/ctr[:ro]`: host-path binds only; used when no volume engine is wired (engine unit tests). */
/**
 * Whether a process has died (a zombie its monitor has not reaped yet, or already reaped): an
 * attach then would join a stream that is about to end with the output already gone.
 */
export async function processEnded(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) S ...": the state follows the last ')' (comm may hold spaces and parentheses).
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
}

export function parseBinds(binds: string[]): BindMount[] {
  return binds.map((spec) => {
    const parts = spec.split(':');
    if (parts.length < 2 || parts.length > 3) throw invalidArgument('INVALID_BIND', `invalid volume specification: '${spec}'`);
    const [source = '', destination = '', mode = ''] = parts;
    if (!source.startsWith('/')) throw invalidArgument('VOLUMES_UNSUPPORTED', `invalid volume specification: '${spec}': named volumes are not supported by berthd; use an absolute host path`);
    if (!destination.startsWith('/')) throw invalidArgument('INVALID_BIND', `invalid volume specification: '${spec}': invalid mount config: invalid mount path: '${destination}' mount path must be absolute`);
    const flags = mode.split(',').filter((m) => m !== '');
    for (const fl of flags) {
      if (!['ro', 'rw', 'z', 'Z', 'private', 'rprivate', 'slave', 'rslave', 'shared', 'rshared', 'nocopy'].includes(fl)) throw invalidArgument('INVALID_BIND', `invalid mode: ${fl}`);
    }
    return { type: 'bind' as const, source, destination, readOnly: flags.includes('ro'), mode };
  });
}

/**
 * Config.Volumes of a new container, as moby's `merge` (daemon/commit.go): an empty or absent
 * posted set takes the image's as it is (null when the image has none: compose posts `{}`),
 * otherwise the image's paths are added to it.
 */
export function mergeVolumes(posted: Record<string, unknown> | null | undefined, image: Record<string, unknown> | null | undefined): Record<string, unknown> | null {
  if (!posted || Object.keys(posted).length === 0) return image ?? null;
  return { ...posted, ...(image ?? {}) };
}

/** dockerd's adaptContainerSettings: with a memory limit and no swap setting, swap = memory (total 2×). */
export function defaultMemorySwap(hc: HostConfig, swapLimitSupported: boolean): number {
  return hc.memory > 0 && hc.memorySwap === 0 && swapLimitSupported ? hc.memory * 2 : hc.memorySwap;
}

/** dockerd creates a missing `-v` host directory. */
export async function ensureBindSource(source: string): Promise<void> {
  try {
    await stat(source);
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw err;
    await mkdir(source, { recursive: true, mode: 0o755 });
  }
}

/**
 * Reads a file of the image's root from its layer directories (uppermost first), honouring
 * overlay whiteouts (a 0/0 char device hides the lower files). Undefined when absent.
 */
export async function readLayeredFile(dirs: string[], path: string): Promise<string | undefined> {
  for (const dir of dirs) {
    const p = join(dir, path);
    try {
      const st = await lstat(p);
      if (st.isCharacterDevice() && st.rdev === 0) return undefined;
      if (st.isFile()) return await readFile(p, 'utf8');
      return undefined;
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT' && errnoCode(err) !== 'ENOTDIR') throw err;
    }
  }
  return undefined;
}

/** Resolves `User` and HostConfig.GroupAdd against the image's (or container's) /etc/passwd and /etc/group, as dockerd's getUser. */
export async function resolveImageUser(spec: string, dirs: string[], groupAdd: readonly string[] = []): Promise<ResolvedUser> {
  const [passwd, group] = await Promise.all([readLayeredFile(dirs, 'etc/passwd'), readLayeredFile(dirs, 'etc/group')]);
  try {
    const groups = parseGroup(group ?? '');
    const user = resolveUser(spec, parsePasswd(passwd ?? ''), groups);
    return groupAdd.length > 0 ? { ...user, additionalGids: [...user.additionalGids, ...resolveGroupAdd(groupAdd, groups)] } : user;
  } catch (err) {
    if (isBerthError(err)) throw err;
    throw invalidArgument('USER_INVALID', `cannot resolve user ${spec}: ${(err as Error).message}`);
  }
}

/** Resolves an exec's user (and its container's GroupAdd) against the running container's root (`/proc/<pid>/root`). */
export async function resolveContainerUser(spec: string, rootDir: string, groupAdd: readonly string[] = []): Promise<ResolvedUser> {
  return resolveImageUser(spec, [rootDir], groupAdd);
}

export function safeRegex(v: string): RegExp {
  try {
    return new RegExp(v);
  } catch {
    return new RegExp(v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  }
}

export function matchLabels(rec: ContainerRecord, want: string[], notWant: string[]): boolean {
  const has = (l: string): boolean => {
    const eq = l.indexOf('=');
    return eq === -1 ? l in rec.config.labels : rec.config.labels[l.slice(0, eq)] === l.slice(eq + 1);
  };
  return want.every(has) && !notWant.some(has);
}

/** `until` of prune: a unix timestamp, an RFC3339 date, or a Go duration like `24h`. */
export function parseUntil(v: string): number {
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const dur = /^(\d+)(h|m|s)$/.exec(v);
  if (dur) return Date.now() - Number(dur[1]) * ({ h: 3600, m: 60, s: 1 } as const)[dur[2] as 'h' | 'm' | 's'] * 1000;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw invalidArgument('INVALID_FILTER', `invalid filter 'until=${v}'`);
  return t;
}

/** The attributes of a container's events (its labels, image and name), as dockerd sends them. */
export function actorAttributes(rec: ContainerRecord): Record<string, string> {
  return { ...rec.config.labels, image: rec.config.image, name: rec.name };
}
