/**
 * Local volumes on disk, laid out as dockerd's `local` driver does: `<data-root>/volumes/<name>/_data`
 * is the volume's content (its Mountpoint), `<name>/volume.json` its metadata (driver options,
 * labels, creation time). Identifiers: `name` (unique, `[a-zA-Z0-9][a-zA-Z0-9_.-]+`, or 64 hex for a
 * generated one). Lifecycle:
 * - `create` builds the whole directory under a `.tmp-*` name and renames it into place, so a crash
 *   leaves either no volume or a complete one;
 * - `remove` renames the directory to `.trash-*` first (the volume is gone at that instant), then
 *   deletes it; leftovers of either kind are swept by `load`.
 * The store knows nothing of containers: whether a volume is in use is the engine's question.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { conflict, errnoCode, invalidArgument, notFound } from '../../lib/errors';
import { writeFileAtomic, AsyncMutex } from '../atomic-file';

/** dockerd's local driver options (`-o type=tmpfs -o device=tmpfs -o o=size=10m`). */
export interface VolumeDriverOpts {
  type?: string;
  device?: string;
  o?: string;
}

export interface VolumeRecord {
  name: string;
  driver: 'local';
  /** ISO-8601. */
  createdAt: string;
  labels: Record<string, string>;
  /** The options as given (echoed in inspect's Options); empty for a plain directory volume. */
  options: Record<string, string>;
}

/** dockerd's volume name rule (volume/local: `validName`). */
export const VOLUME_NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

const META = 'volume.json';
const DATA = '_data';

export class VolumeStore {
  private readonly byName = new Map<string, VolumeRecord>();
  private readonly lock = new AsyncMutex();

  constructor(readonly root: string) {}

  /** Reads every volume's metadata and sweeps half-created or half-removed directories. */
  async load(): Promise<void> {
    // 0710 as dockerd's data-root dirs: only root (berthd) walks into it; never chmod'ed afterwards.
    await mkdir(this.root, { recursive: true, mode: 0o710 });
    for (const entry of await readdir(this.root)) {
      const dir = join(this.root, entry);
      if (entry.startsWith('.tmp-') || entry.startsWith('.trash-')) {
        await rm(dir, { recursive: true, force: true });
        continue;
      }
      const raw = await readFile(join(dir, META), 'utf8').catch(() => undefined);
      if (raw === undefined) continue;
      try {
        const rec = JSON.parse(raw) as VolumeRecord;
        if (rec.name === entry) this.byName.set(rec.name, rec);
      } catch {
        // A torn file cannot happen (atomic writes); a hand-edited broken one is left alone, unseen.
      }
    }
  }

  mountpoint(name: string): string {
    return join(this.root, name, DATA);
  }

  dir(name: string): string {
    return join(this.root, name);
  }

  list(): VolumeRecord[] {
    return [...this.byName.values()];
  }

  find(name: string): VolumeRecord | undefined {
    return this.byName.get(name);
  }

  get(name: string): VolumeRecord {
    const v = this.byName.get(name);
    if (!v) throw notFound('VOLUME_NOT_FOUND', `get ${name}: no such volume`);
    return v;
  }

  /** A fresh generated name (dockerd: 64 hex, as a container ID). */
  static generateName(): string {
    return randomBytes(32).toString('hex');
  }

  /**
   * Creates the volume, or returns the existing one of that name (dockerd's create is idempotent).
   * `created` tells which.
   */
  create(rec: VolumeRecord): Promise<{ volume: VolumeRecord; created: boolean }> {
    return this.lock.run(async () => {
      const existing = this.byName.get(rec.name);
      if (existing) return { volume: existing, created: false };
      if (!VOLUME_NAME_RE.test(rec.name)) {
        throw invalidArgument(
          'VOLUME_NAME_INVALID',
          `create ${rec.name}: "${rec.name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`,
        );
      }
      const tmp = join(this.root, `.tmp-${randomBytes(6).toString('hex')}`);
      try {
        await mkdir(join(tmp, DATA), { recursive: true, mode: 0o755 });
        await writeFileAtomic(join(tmp, META), JSON.stringify(rec, null, 2), 0o600);
        await rename(tmp, this.dir(rec.name));
      } catch (err) {
        await rm(tmp, { recursive: true, force: true }).catch(() => undefined);
        if (errnoCode(err) === 'ENOTEMPTY' || errnoCode(err) === 'EEXIST') {
          throw conflict('VOLUME_EXISTS', `create ${rec.name}: a directory of that name already exists under ${this.root}`, err);
        }
        throw err;
      }
      this.byName.set(rec.name, rec);
      return { volume: rec, created: true };
    });
  }

  /** Removes the volume's metadata and content. The caller checks it is unused (and unmounted). */
  remove(name: string): Promise<void> {
    return this.lock.run(async () => {
      this.get(name);
      const trash = join(this.root, `.trash-${randomBytes(6).toString('hex')}`);
      await rename(this.dir(name), trash);
      this.byName.delete(name);
      await rm(trash, { recursive: true, force: true });
    });
  }

  /** Whether the volume's content directory holds nothing (copy-up only fills an empty volume). */
  async isEmpty(name: string): Promise<boolean> {
    const entries = await readdir(this.mountpoint(name)).catch((err: unknown) => {
      if (errnoCode(err) === 'ENOENT') return [];
      throw err;
    });
    return entries.length === 0;
  }

  async exists(name: string): Promise<boolean> {
    try {
      await stat(this.mountpoint(name));
      return true;
    } catch {
      return false;
    }
  }
}
