import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ContainerRecord } from './container-record';
import { ContainerStore } from './container-store';

const record = (id: string, name: string): ContainerRecord =>
  ({ id, name, created: new Date().toISOString(), state: { status: 'created' }, config: { labels: {} } }) as unknown as ContainerRecord;

describe('ContainerStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-cstore-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('persists records atomically and loads them back, skipping unreadable ones', async () => {
    const s = new ContainerStore(dir);
    await s.load();
    const id = s.newId();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const name = s.reserveName('web', id);
    await s.create(record(id, name));
    await s.update(id, (r) => {
      r.state.status = 'exited';
    });
    expect((await readdir(s.dir(id))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const bad = 'f'.repeat(64);
    await rm(join(dir, bad), { recursive: true, force: true });
    await (await import('node:fs/promises')).mkdir(join(dir, bad));
    await writeFile(join(dir, bad, 'container.json'), '{broken');
    const bads: string[] = [];
    const again = new ContainerStore(dir);
    await again.load((badId) => bads.push(badId));
    expect(again.get('web').state.status).toBe('exited');
    expect(bads).toEqual([bad]);
  });

  it('finds by ID, unique prefix, or name with or without "/"; refuses ambiguous prefixes', async () => {
    const s = new ContainerStore(dir);
    await s.load();
    const a = `ab${'1'.repeat(62)}`;
    const b = `ab${'2'.repeat(62)}`;
    await s.create(record(a, s.reserveName('one', a)));
    await s.create(record(b, s.reserveName('two', b)));
    expect(s.get(a).name).toBe('one');
    expect(s.get('ab1').name).toBe('one');
    expect(s.get('/two').id).toBe(b);
    expect(() => s.get('ab')).toThrow(/multiple IDs/);
    expect(() => s.get('zz')).toThrow(/No such container: zz/);
  });

  it('reserves names against concurrent creates and validates them', async () => {
    const s = new ContainerStore(dir);
    await s.load();
    s.reserveName('busy', 'x');
    expect(() => s.reserveName('busy', 'y')).toThrow(/already in use/);
    s.releaseName('busy');
    expect(s.reserveName('/busy', 'y')).toBe('busy');
    expect(() => s.reserveName('bad name', 'z')).toThrow(/Invalid container name/);
    expect(s.reserveName(undefined, 'z')).toMatch(/^[a-z]+_[a-z]+\d?$/);
  });

  it('keeps the old record when a write fails', async () => {
    const s = new ContainerStore(dir);
    await s.load();
    const id = s.newId();
    await s.create(record(id, s.reserveName('ro', id)));
    // A file where the directory was: the temp write fails (ENOTDIR), even for root.
    await rm(s.dir(id), { recursive: true });
    await writeFile(s.dir(id), 'not a dir');
    await expect(s.update(id, (r) => (r.state.status = 'running'))).rejects.toMatchObject({ kind: 'Internal' });
    expect(s.get(id).state.status).toBe('created');
  });

  it('forget hides a record before its files are deleted', async () => {
    const s = new ContainerStore(dir);
    await s.load();
    const id = s.newId();
    await s.create(record(id, s.reserveName('gone', id)));
    s.forget(id);
    expect(s.find('gone')).toBeUndefined();
    expect(await readdir(dir)).toContain(id);
    await s.deleteFiles(id);
    expect(await readdir(dir)).not.toContain(id);
  });
});
