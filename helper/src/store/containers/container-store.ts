import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { conflict, errnoCode, internal, invalidArgument, notFound } from '../../lib/errors';
import { normalizeRecord, type ContainerRecord } from './container-record';
import { generateName } from './names';

const ID_RE = /^[0-9a-f]{64}$/;
/** dockerd's rule for names (daemon/names.go `validContainerNamePattern`). */
const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
const RECORD_FILE = 'container.json';

/**
 * Container records on disk, one directory per container under `<root>/<id>/` holding the record
 * (`container.json`, written atomically: temp file + rename) and the files the runtime bind-mounts
 * or writes (hostname, hosts, resolv.conf, the json-file log, the monitor's socket and status).
 *
 * The store keeps every record in memory after `load()`: lookups by ID, ID prefix or name are
 * synchronous and the name index guarantees uniqueness. Callers mutate a record through `update`,
 * which persists before it returns; a failed write leaves the previous file intact.
 */
export class ContainerStore {
  private readonly byId = new Map<string, ContainerRecord>();
  private readonly byName = new Map<string, string>();
  /** Names handed out by `reserveName` whose record is not saved yet. */
  private readonly reserved = new Set<string>();

  constructor(private readonly root: string) {}

  /** Reads every record; unreadable ones are reported, not fatal (the rest still load). */
  async load(onBad: (id: string, err: unknown) => void = () => undefined): Promise<ContainerRecord[]> {
    await mkdir(this.root, { recursive: true });
    for (const entry of await readdir(this.root)) {
      if (!ID_RE.test(entry)) continue;
      try {
        const rec = normalizeRecord(JSON.parse(await readFile(join(this.root, entry, RECORD_FILE), 'utf8')) as ContainerRecord);
        this.byId.set(rec.id, rec);
        this.byName.set(rec.name, rec.id);
      } catch (err) {
        onBad(entry, err);
      }
    }
    return this.list();
  }

  list(): ContainerRecord[] {
    return [...this.byId.values()];
  }

  /** The directory holding a container's files. */
  dir(id: string): string {
    return join(this.root, id);
  }

  newId(): string {
    let id: string;
    do id = randomBytes(32).toString('hex');
    while (this.byId.has(id) || /^\d+$/.test(id.slice(0, 12)));
    return id;
  }

  /**
   * Claims a name (given, or generated docker-style). The claim holds until `create` or
   * `releaseName`, so two concurrent creates cannot take the same name.
   */
  reserveName(requested: string | undefined, id: string): string {
    if (requested !== undefined && requested !== '') {
      const name = requested.startsWith('/') ? requested.slice(1) : requested;
      if (!NAME_RE.test(name)) throw invalidArgument('INVALID_CONTAINER_NAME', `Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
      const owner = this.byName.get(name);
      if (owner !== undefined || this.reserved.has(name)) {
        throw conflict('CONTAINER_NAME_IN_USE', `Conflict. The container name "/${name}" is already in use by container "${owner ?? 'being created'}". You have to remove (or rename) that container to be able to reuse that name.`);
      }
      this.reserved.add(name);
      return name;
    }
    for (let retry = 0; ; retry++) {
      const name = generateName(retry);
      if (!this.byName.has(name) && !this.reserved.has(name)) {
        this.reserved.add(name);
        return name;
      }
      if (retry > 50) return this.reserveName(`${name}_${id.slice(0, 6)}`, id);
    }
  }

  releaseName(name: string): void {
    this.reserved.delete(name);
  }

  async create(rec: ContainerRecord): Promise<void> {
    await mkdir(this.dir(rec.id), { recursive: true, mode: 0o710 });
    await this.write(rec);
    this.byId.set(rec.id, rec);
    this.byName.set(rec.name, rec.id);
    this.reserved.delete(rec.name);
  }

  /**
   * Finds a container by full ID, unique ID prefix or name (with or without "/"), as dockerd's
   * `GetContainer`: exact ID, then exact name, then prefix. Unknown: NotFound with dockerd's text.
   */
  get(ref: string): ContainerRecord {
    const found = this.find(ref);
    if (!found) throw notFound('CONTAINER_NOT_FOUND', `No such container: ${ref}`);
    return found;
  }

  find(ref: string): ContainerRecord | undefined {
    if (ref === '') return undefined;
    const exact = this.byId.get(ref);
    if (exact) return exact;
    const name = ref.startsWith('/') ? ref.slice(1) : ref;
    const byName = this.byName.get(name);
    if (byName !== undefined) return this.byId.get(byName);
    if (!/^[0-9a-f]+$/.test(ref)) return undefined;
    let match: ContainerRecord | undefined;
    for (const [id, rec] of this.byId) {
      if (!id.startsWith(ref)) continue;
      if (match) throw invalidArgument('AMBIGUOUS_CONTAINER_ID', `multiple IDs found with provided prefix: ${ref}`);
      match = rec;
    }
    return match;
  }

  /** Applies `mutate` to the live record and persists it; on a write failure the change is rolled back. */
  async update(id: string, mutate: (rec: ContainerRecord) => void): Promise<ContainerRecord> {
    const rec = this.byId.get(id);
    if (!rec) throw notFound('CONTAINER_NOT_FOUND', `No such container: ${id}`);
    const before = structuredClone(rec);
    mutate(rec);
    try {
      await this.write(rec);
    } catch (err) {
      Object.assign(rec, before);
      throw err;
    }
    return rec;
  }

  /**
   * Gives a container a new name (docker rename): the new name is claimed in the index before the
   * record is persisted, and the old one released only after; a failed write restores both.
   */
  async rename(id: string, requested: string): Promise<{ oldName: string; newName: string }> {
    const rec = this.byId.get(id);
    if (!rec) throw notFound('CONTAINER_NOT_FOUND', `No such container: ${id}`);
    const oldName = rec.name;
    const newName = requested.startsWith('/') ? requested.slice(1) : requested;
    if (newName === oldName) throw invalidArgument('RENAME_SAME_NAME', 'Renaming a container with the same name as its current name');
    this.reserveName(newName, id);
    try {
      await this.update(id, (r) => {
        r.name = newName;
      });
    } finally {
      this.reserved.delete(newName);
    }
    this.byName.set(newName, id);
    if (this.byName.get(oldName) === id) this.byName.delete(oldName);
    return { oldName, newName };
  }

  /** Forgets the record and deletes its directory (log, hostname files, record). */
  async delete(id: string): Promise<void> {
    this.forget(id);
    await this.deleteFiles(id);
  }

  /**
   * Drops the record from the live view (lookups, name index) without touching the disk; the
   * caller deletes the files with `deleteFiles` later. Until then a restart would load it again.
   */
  forget(id: string): void {
    const rec = this.byId.get(id);
    if (!rec) return;
    this.byId.delete(id);
    if (this.byName.get(rec.name) === id) this.byName.delete(rec.name);
  }

  async deleteFiles(id: string): Promise<void> {
    await rm(this.dir(id), { recursive: true, force: true });
  }

  private async write(rec: ContainerRecord): Promise<void> {
    const file = join(this.dir(rec.id), RECORD_FILE);
    const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, JSON.stringify(rec), { mode: 0o600 });
      await rename(tmp, file);
    } catch (err) {
      await rm(tmp, { force: true }).catch(() => undefined);
      if (errnoCode(err) === 'ENOENT') throw notFound('CONTAINER_NOT_FOUND', `No such container: ${rec.id}`, err);
      throw internal('CONTAINER_STORE_WRITE', `cannot persist container ${rec.id}: ${(err as Error).message}`, err);
    }
  }
}
