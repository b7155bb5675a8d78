import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineConnection } from '../connections/engine-connection';
import { KnownHostsStore } from '../connections/ssh/known-hosts';
import { AppError } from '../lib/app-error';
import { HostsService } from './hosts-service';

/** An SSH link that never comes up: these tests are about the host list, not connecting. */
const deadLink = (): EngineConnection => ({
  address: 'ssh://fake',
  linkState: 'down',
  connect: () => Promise.reject(new AppError('Unavailable', 'SSH_CONNECT_FAILED', 'fake')),
  close: () => {},
  onLinkChange: () => () => {},
  openStream: () => Promise.reject(new AppError('Unavailable', 'HOST_NOT_CONNECTED', 'fake')),
});

describe('HostsService', () => {
  const dirs: string[] = [];
  const services: HostsService[] = [];
  afterEach(async () => {
    for (const s of services.splice(0)) s.close();
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });

  async function make(stateDir?: string): Promise<{ hosts: HostsService; stateDir: string; passphrases: (string | undefined)[] }> {
    const dir = stateDir ?? (await mkdtemp(join(tmpdir(), 'hosts-')));
    if (!stateDir) dirs.push(dir);
    const passphrases: (string | undefined)[] = [];
    const hosts = new HostsService({
      stateDir: dir,
      localSocket: join(dir, 'none.sock'),
      knownHosts: new KnownHostsStore({ ownFile: join(dir, 'known_hosts'), readFiles: [] }),
      backoff: { baseMs: 10_000, maxMs: 10_000, factor: 1, jitter: 0 },
      sshConnectionFactory: (_r, pass) => {
        passphrases.push(pass());
        return deadLink();
      },
    });
    services.push(hosts);
    await hosts.start();
    return { hosts, stateDir: dir, passphrases };
  }

  it('always has the local host first; cannot remove it', async () => {
    const { hosts } = await make();
    expect(hosts.list()).toEqual([expect.objectContaining({ id: 'local', kind: 'local' })]);
    await expect(hosts.remove('local')).rejects.toMatchObject({ kind: 'InvalidArgument' });
    expect(() => hosts.client('nope')).toThrow(expect.objectContaining({ kind: 'NotFound', code: 'HOST_NOT_FOUND' }) as Error);
  });

  it('persists SSH hosts atomically (0600), passphrases only when asked', async () => {
    const { hosts, stateDir } = await make();
    const a = await hosts.add({ name: 'a', host: 'example.test', user: 'me', keyPath: '/k', passphrase: 'secret' });
    const b = await hosts.add({ name: 'b', host: '10.0.0.2', port: 2222, user: 'me', useAgent: true, passphrase: 'saved', savePassphrase: true });
    expect(a).toMatchObject({ kind: 'ssh', address: 'ssh://me@example.test:22', ssh: { useAgent: false, hasSavedPassphrase: false, remoteSocket: '/run/berth/berthd.sock' } });
    expect(b.ssh?.hasSavedPassphrase).toBe(true);
    const text = await readFile(join(stateDir, 'hosts.json'), 'utf8');
    expect(text).not.toContain('secret');
    expect(text).toContain('saved');
    expect((await stat(join(stateDir, 'hosts.json'))).mode & 0o777).toBe(0o600);
    expect((await readdir(stateDir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    // A new process sees the same hosts (same ids), with the saved passphrase only.
    hosts.close();
    const again = await make(stateDir);
    expect(again.hosts.list().map((h) => h.id)).toEqual(['local', a.id, b.id]);
    expect(again.passphrases).toEqual([undefined, 'saved']);
    await again.hosts.remove(a.id);
    expect(JSON.parse(await readFile(join(stateDir, 'hosts.json'), 'utf8')).hosts).toHaveLength(1);
  });

  it('refuses bad input with a clear message and changes nothing', async () => {
    const { hosts, stateDir } = await make();
    await expect(hosts.add({ name: '', host: 'h', user: 'u' })).rejects.toMatchObject({ kind: 'InvalidArgument', message: expect.stringContaining('name') });
    await expect(hosts.add({ name: 'x', host: 'a b', user: 'u' })).rejects.toMatchObject({ kind: 'InvalidArgument' });
    await expect(hosts.add({ name: 'x', host: 'h', user: 'u', port: 70000 })).rejects.toMatchObject({ kind: 'InvalidArgument' });
    await expect(hosts.add({ name: 'x', host: 'h', user: 'u', useAgent: false })).rejects.toMatchObject({ code: 'SSH_NO_CREDENTIALS' });
    await expect(readFile(join(stateDir, 'hosts.json'))).rejects.toThrow();
  });

  it('a corrupt hosts.json is set aside, not lost', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hosts-'));
    dirs.push(dir);
    await writeFile(join(dir, 'hosts.json'), '{"version": 1, "hosts": [{"id": 3}]}');
    const { hosts } = await make(dir);
    expect(hosts.list()).toHaveLength(1);
    expect((await readdir(dir)).some((f) => f.startsWith('hosts.json.invalid-'))).toBe(true);
  });

  it('acceptHostKey needs a pending key', async () => {
    const { hosts } = await make();
    const h = await hosts.add({ name: 'a', host: 'h', user: 'u', keyPath: '/k' });
    await expect(hosts.acceptHostKey(h.id, 'SHA256:x')).rejects.toMatchObject({ code: 'NO_PENDING_HOST_KEY' });
    await expect(hosts.acceptHostKey('local', 'SHA256:x')).rejects.toMatchObject({ kind: 'InvalidArgument' });
  });
});
