import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/logger';
import type { HostMounter } from '../../platform/host-mounts';
import { VolumeStore } from '../../store/volumes/volume-store';
import { EventsService } from '../events/events-service';
import { ANONYMOUS_LABEL, VolumeService, type VolumeUser } from './volume-service';

class RecordingMounter implements HostMounter {
  readonly mounted = new Set<string>();
  readonly calls: string[] = [];
  async mount(fstype: string, source: string, target: string, options: string): Promise<void> {
    this.calls.push(`mount ${fstype} ${source} ${target} ${options}`);
    this.mounted.add(target);
  }
  async unmount(target: string): Promise<void> {
    this.calls.push(`umount ${target}`);
    this.mounted.delete(target);
  }
  async isMounted(target: string): Promise<boolean> {
    return this.mounted.has(target);
  }
}

describe('VolumeService', () => {
  let dir: string;
  let store: VolumeStore;
  let events: EventsService;
  let mounter: RecordingMounter;
  let svc: VolumeService;
  let users: Record<string, VolumeUser[]>;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-vol-unit-'));
    store = new VolumeStore(join(dir, 'volumes'));
    await store.load();
    events = new EventsService();
    mounter = new RecordingMounter();
    svc = new VolumeService({ store, events, mounter, log: createLogger('silent') });
    users = {};
    svc.setUsers((n) => users[n] ?? []);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates idempotently, persists across a reload, and generates names for anonymous volumes', async () => {
    const a = await svc.create({ name: 'db', labels: { tier: 'data' } });
    expect(a.created).toBe(true);
    expect((await svc.create({ name: 'db' })).created).toBe(false);
    const anon = await svc.create({}, { anonymous: true });
    expect(anon.view.volume.name).toMatch(/^[0-9a-f]{64}$/);
    expect(anon.view.volume.labels).toEqual({ [ANONYMOUS_LABEL]: '' });
    const again = new VolumeStore(join(dir, 'volumes'));
    await again.load();
    expect(again.list().map((v) => v.name).sort()).toEqual([anon.view.volume.name, 'db'].sort());
    expect(again.get('db').labels).toEqual({ tier: 'data' });
  });

  it('validates names and local driver options as dockerd', async () => {
    await expect(svc.create({ name: 'a' })).rejects.toThrow(/includes invalid characters/);
    await expect(svc.create({ name: 'x', driverOpts: { type: 'tmpfs' } })).rejects.toThrow('missing required option: "device"');
    await expect(svc.create({ name: 'xy', driverOpts: { device: '/srv' } })).rejects.toThrow('missing required option: "type"');
    await expect(svc.create({ name: 'xy', driverOpts: { colour: 'red' } })).rejects.toThrow('invalid option: "colour"');
    await expect(svc.create({ name: 'xy', driverOpts: { size: '10m' } })).rejects.toThrow('quota size requested but no quota support');
    await expect(svc.create({ name: 'xy', driver: 'nfs' })).rejects.toThrow('plugin "nfs" not found');
    expect(store.list()).toEqual([]);
  });

  it('refuses to remove a volume in use (also with force); force makes a missing one a success', async () => {
    await svc.create({ name: 'held' });
    users.held = [{ id: 'c1', name: 'one', running: false }];
    await expect(svc.remove('held', { force: true })).rejects.toMatchObject({ kind: 'Conflict', code: 'VOLUME_IN_USE' });
    users.held = [];
    await svc.remove('held', { force: false });
    await expect(svc.remove('held', { force: false })).rejects.toMatchObject({ kind: 'NotFound' });
    await svc.remove('held', { force: true });
  });

  it('lists with filters and usage; prunes anonymous only unless all', async () => {
    await svc.create({ name: 'named', labels: { a: '1' } });
    const anon = (await svc.create({}, { anonymous: true })).view.volume.name;
    await writeFile(join(store.mountpoint('named'), 'f'), Buffer.alloc(1234));
    users.named = [{ id: 'c', name: 'c', running: true }];
    expect((await svc.list(new Map([['dangling', ['true']]]))).map((v) => v.volume.name)).toEqual([anon]);
    expect((await svc.list(new Map([['label', ['a=1']]]))).map((v) => v.volume.name)).toEqual(['named']);
    expect((await svc.list(new Map([['name', ['nam']]]), true))[0]?.usage).toEqual({ size: 1234, refCount: 1 });
    await expect(svc.list(new Map([['colour', ['x']]]))).rejects.toThrow("invalid filter 'colour'");
    expect((await svc.prune(new Map())).deleted).toEqual([anon]);
    expect((await svc.prune(new Map([['all', ['true']]]))).deleted).toEqual([]);
    users.named = [];
    expect(await svc.prune(new Map([['all', ['true']]]))).toEqual({ deleted: ['named'], spaceReclaimed: 1234 });
  });

  it('mounts driver options on first use and unmounts when the last running user stops', async () => {
    await svc.create({ name: 'tmp', driverOpts: { type: 'tmpfs', device: 'tmpfs', o: 'size=1m' } });
    const mp = store.mountpoint('tmp');
    await svc.activate('tmp', { container: 'c1', destination: '/t', readOnly: false });
    await svc.activate('tmp', { container: 'c2', destination: '/t', readOnly: false });
    expect(mounter.calls).toEqual([`mount tmpfs tmpfs ${mp} size=1m`]);
    users.tmp = [{ id: 'c1', name: 'a', running: true }, { id: 'c2', name: 'b', running: true }];
    await svc.deactivate('tmp', 'c1');
    expect(mounter.mounted.has(mp)).toBe(true);
    users.tmp = [{ id: 'c1', name: 'a', running: false }, { id: 'c2', name: 'b', running: true }];
    await svc.deactivate('tmp', 'c2');
    expect(mounter.mounted.has(mp)).toBe(false);
    const actions = events.recent(new Map()).map((e) => `${e.action} ${e.actorId}`);
    expect(actions).toEqual(['create tmp', 'mount tmp', 'mount tmp', 'unmount tmp', 'unmount tmp']);
  });
});
