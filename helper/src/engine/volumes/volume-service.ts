/**
 * The `local` volume driver and the `/volumes` use cases: create, list with filters, inspect with
 * usage, remove (refused while a container uses the volume), prune, and mounting volumes that
 * have driver options (tmpfs, bind, …) while a container runs with them, as dockerd's local driver.
 *
 * Which containers use a volume is asked of the container engine through `setUsers` (wired in
 * main.ts), so this service never depends on the container store.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AsyncMutex } from '../../store/atomic-file';
import { conflict, errnoCode, internal, invalidArgument, isBerthError } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import type { HostMounter } from '../../platform/host-mounts';
import { VolumeStore, type VolumeRecord } from '../../store/volumes/volume-store';
import type { EventsService } from '../events/events-service';

/** dockerd 23+ marks volumes it creates for `-v /path` and image VOLUMEs with this label. */
export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';

export interface VolumeUser {
  id: string;
  name: string;
  running: boolean;
}

export interface VolumeView {
  volume: VolumeRecord;
  mountpoint: string;
  /** With usage asked for: bytes of content (-1 when it cannot be computed) and users. */
  usage?: { size: number; refCount: number };
}

export interface VolumeCreateInput {
  name?: string;
  driver?: string;
  driverOpts?: Record<string, string>;
  labels?: Record<string, string>;
}

export interface VolumeServiceDeps {
  store: VolumeStore;
  events: EventsService;
  mounter: HostMounter;
  log: Logger;
}

/** dockerd local driver's `validOpts`. `size` needs project quota support berthd does not have. */
const VALID_OPTS = new Set(['type', 'device', 'o', 'size']);
const LIST_FILTERS = new Set(['dangling', 'name', 'label', 'label!', 'driver']);
const PRUNE_FILTERS = new Set(['label', 'label!', 'all']);

export class VolumeService {
  private users: (name: string) => VolumeUser[] = () => [];
  private readonly mountLocks = new Map<string, AsyncMutex>();

  constructor(private readonly deps: VolumeServiceDeps) {}

  /** Set once containers exist (main.ts); until then no volume is in use. */
  setUsers(fn: (name: string) => VolumeUser[]): void {
    this.users = fn;
  }

  async create(input: VolumeCreateInput, opts: { anonymous?: boolean } = {}): Promise<{ view: VolumeView; created: boolean }> {
    const driver = input.driver === undefined || input.driver === '' ? 'local' : input.driver;
    if (driver !== 'local') throw invalidArgument('VOLUME_DRIVER_UNSUPPORTED', `error looking up volume plugin ${driver}: plugin "${driver}" not found`);
    const options = input.driverOpts ?? {};
    validateOpts(options);
    const name = input.name === undefined || input.name === '' ? VolumeStore.generateName() : input.name;
    const labels = { ...(input.labels ?? {}), ...(opts.anonymous ? { [ANONYMOUS_LABEL]: '' } : {}) };
    const { volume, created } = await this.deps.store.create({ name, driver: 'local', createdAt: new Date().toISOString(), labels, options });
    // Every call, as moby's VolumesService.Create: `volume create` of an existing name and each
    // container create that names the volume publish "create" again (compose stacks show 1 + n).
    this.deps.events.publish('volume', 'create', name, { driver: 'local' });
    return { view: this.view(volume), created };
  }

  inspect(name: string): VolumeView {
    return this.view(this.deps.store.get(name));
  }

  async list(filters: Map<string, string[]>, withUsage = false): Promise<VolumeView[]> {
    for (const k of filters.keys()) if (!LIST_FILTERS.has(k)) throw invalidArgument('INVALID_FILTER', `invalid filter '${k}'`);
    const dangling = filters.get('dangling')?.map(parseBoolFilter('dangling'));
    const out: VolumeView[] = [];
    for (const v of this.deps.store.list().sort((a, b) => a.name.localeCompare(b.name))) {
      if (dangling && !dangling.includes(this.users(v.name).length === 0)) continue;
      const names = filters.get('name');
      if (names && !names.some((n) => v.name.includes(n) || safeMatch(n, v.name))) continue;
      const drivers = filters.get('driver');
      if (drivers && !drivers.includes(v.driver)) continue;
      if (!matchLabels(v.labels, filters.get('label') ?? [], filters.get('label!') ?? [])) continue;
      out.push(withUsage ? await this.withUsage(v) : this.view(v));
    }
    return out;
  }

  /** A volume with its size and reference count (system df, the app's Volumes view). */
  async withUsage(v: VolumeRecord): Promise<VolumeView> {
    const size = await directorySize(this.deps.store.mountpoint(v.name)).catch(() => -1);
    return { ...this.view(v), usage: { size, refCount: this.users(v.name).length } };
  }

  containersUsing(name: string): VolumeUser[] {
    this.deps.store.get(name);
    return this.users(name);
  }

  /** `docker volume rm`: 409 while a container uses it; `force` makes a missing volume a success. */
  async remove(name: string, opts: { force: boolean }): Promise<void> {
    const v = this.deps.store.find(name);
    if (!v) {
      if (opts.force) return;
      this.deps.store.get(name);
      return;
    }
    const users = this.users(name);
    if (users.length > 0) throw conflict('VOLUME_IN_USE', `remove ${name}: volume is in use - [${users.map((u) => u.id).join(', ')}]`);
    await this.lockFor(name).run(async () => {
      const mp = this.deps.store.mountpoint(name);
      if (await this.deps.mounter.isMounted(mp)) await this.deps.mounter.unmount(mp, true);
      await this.deps.store.remove(name);
    });
    this.mountLocks.delete(name);
    this.deps.events.publish('volume', 'destroy', name, { driver: v.driver });
  }

  /** dockerd 23+: only anonymous volumes unless `all=true`; never one in use. */
  async prune(filters: Map<string, string[]>): Promise<{ deleted: string[]; spaceReclaimed: number }> {
    for (const k of filters.keys()) if (!PRUNE_FILTERS.has(k)) throw invalidArgument('INVALID_FILTER', `invalid filter '${k}'`);
    const all = (filters.get('all') ?? []).map(parseBoolFilter('all')).includes(true);
    const deleted: string[] = [];
    let spaceReclaimed = 0;
    for (const v of this.deps.store.list()) {
      if (!all && !(ANONYMOUS_LABEL in v.labels)) continue;
      if (!matchLabels(v.labels, filters.get('label') ?? [], filters.get('label!') ?? [])) continue;
      if (this.users(v.name).length > 0) continue;
      const size = await directorySize(this.deps.store.mountpoint(v.name)).catch(() => 0);
      try {
        await this.remove(v.name, { force: false });
      } catch (err) {
        // A container took it meanwhile: leave it, as dockerd does.
        if (isBerthError(err) && err.code === 'VOLUME_IN_USE') continue;
        throw err;
      }
      deleted.push(v.name);
      spaceReclaimed += size;
    }
    this.deps.events.publish('volume', 'prune', '', { reclaimed: String(spaceReclaimed) });
    return { deleted, spaceReclaimed };
  }

  /**
   * A container is about to run with the volume: mount its driver options on `_data` if they ask
   * for a mount and it is not mounted yet (dockerd's local driver mounts on first use).
   */
  async activate(name: string, event: { container: string; destination: string; readOnly: boolean }): Promise<void> {
    const v = this.deps.store.get(name);
    const mount = mountOf(v.options);
    if (mount) {
      await this.lockFor(name).run(async () => {
        const mp = this.deps.store.mountpoint(name);
        if (await this.deps.mounter.isMounted(mp)) return;
        try {
          await this.deps.mounter.mount(mount.type, mount.device, mp, mount.options);
        } catch (err) {
          throw internal('VOLUME_MOUNT_FAILED', `error while mounting volume '${mp}': failed to mount local volume: mount ${mount.device}:${mp}, data: ${mount.options}: ${(err as Error).message}`, err);
        }
      });
    }
    this.deps.events.publish('volume', 'mount', name, {
      container: event.container,
      destination: event.destination,
      driver: v.driver,
      propagation: '',
      'read/write': String(!event.readOnly),
    });
  }

  /** A container using the volume stopped: unmount driver-option mounts nobody else runs with. */
  async deactivate(name: string, containerId: string): Promise<void> {
    const v = this.deps.store.find(name);
    if (!v) return;
    this.deps.events.publish('volume', 'unmount', name, { container: containerId, driver: v.driver });
    if (!mountOf(v.options)) return;
    await this.lockFor(name).run(async () => {
      if (this.users(name).some((u) => u.running && u.id !== containerId)) return;
      const mp = this.deps.store.mountpoint(name);
      if (await this.deps.mounter.isMounted(mp)) await this.deps.mounter.unmount(mp, true);
    });
  }

  mountpoint(name: string): string {
    return this.deps.store.mountpoint(name);
  }

  isEmpty(name: string): Promise<boolean> {
    return this.deps.store.isEmpty(name);
  }

  private view(v: VolumeRecord): VolumeView {
    return { volume: v, mountpoint: this.deps.store.mountpoint(v.name) };
  }

  private lockFor(name: string): AsyncMutex {
    let m = this.mountLocks.get(name);
    if (!m) {
      m = new AsyncMutex();
      this.mountLocks.set(name, m);
    }
    return m;
  }
}

function validateOpts(opts: Record<string, string>): void {
  for (const k of Object.keys(opts)) if (!VALID_OPTS.has(k)) throw invalidArgument('VOLUME_OPT_INVALID', `invalid option: "${k}"`);
  if (opts.size !== undefined && opts.size !== '' && opts.size !== '0') {
    throw invalidArgument('VOLUME_QUOTA_UNSUPPORTED', 'quota size requested but no quota support');
  }
  const { type = '', device = '' } = opts;
  if (type !== '' && device === '') throw invalidArgument('VOLUME_OPT_MISSING', 'missing required option: "device"');
  if (type === '' && device !== '') throw invalidArgument('VOLUME_OPT_MISSING', 'missing required option: "type"');
}

/** What the local driver mounts on `_data`, if anything (type/device/o given). */
function mountOf(opts: Record<string, string>): { type: string; device: string; options: string } | undefined {
  const { type = '', device = '', o = '' } = opts;
  if (type === '' && device === '') return undefined;
  return { type, device, options: o };
}

const parseBoolFilter = (key: string) => (s: string): boolean => {
  if (s === 'true' || s === '1') return true;
  if (s === 'false' || s === '0') return false;
  throw invalidArgument('INVALID_FILTER', `invalid filter '${key}=${s}'`);
};

function safeMatch(pattern: string, value: string): boolean {
  try {
    return new RegExp(pattern).test(value);
  } catch {
    return false;
  }
}

export function matchLabels(labels: Record<string, string>, want: string[], notWant: string[]): boolean {
  const has = (l: string): boolean => {
    const eq = l.indexOf('=');
    return eq === -1 ? l in labels : labels[l.slice(0, eq)] === l.slice(eq + 1);
  };
  return want.every(has) && !notWant.some(has);
}

/** Bytes of regular files below `dir`, hard links counted once, symlinks not followed (dockerd's directory.Size). */
export async function directorySize(dir: string, seen = new Set<string>()): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return 0;
    throw err;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += await directorySize(p, seen);
    else if (e.isFile()) {
      const st = await lstat(p);
      const key = `${st.dev}:${st.ino}`;
      if (st.nlink > 1) {
        if (seen.has(key)) continue;
        seen.add(key);
      }
      total += st.size;
    }
  }
  return total;
}
