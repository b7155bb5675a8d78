/**
 * Volumes through the stock docker CLI against berthd: named volumes outlive their containers,
 * image VOLUMEs get a new anonymous volume filled from the image (owners and modes included),
 * `rm -v` removes only anonymous volumes, a volume in use cannot be removed, `--mount` options,
 * `--volumes-from`, tmpfs driver options, prune, filters, `system df` and inspect's Mounts.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineRequest, IS_ROOT } from '../harness/berthd';
import { pushImage, volumeImage } from '../harness/fixtures';
import { mountsMentioning, startContainersEnv, type ContainersEnv } from './containers-env';

interface MountDto {
  Type: string;
  Name?: string;
  Source: string;
  Destination: string;
  Driver?: string;
  Mode: string;
  RW: boolean;
  Propagation: string;
}

describe.skipIf(!IS_ROOT)('volumes: docker CLI against berthd', () => {
  let env: ContainersEnv;
  let volImage: string;
  beforeAll(async () => {
    env = await startContainersEnv();
    volImage = `${env.registry.host}/volimage:latest`;
    await pushImage(env.registry.url, 'volimage', 'latest', await volumeImage());
    const pulled = await env.d(['pull', volImage], { timeoutMs: 120_000 });
    expect(pulled.code, pulled.stderr).toBe(0);
  });
  afterAll(async () => {
    await env?.cleanup();
  });

  const volumeNames = async (): Promise<string[]> => (await env.d(['volume', 'ls', '-q'])).stdout.split('\n').filter((l) => l !== '');
  const mountsOf = async (name: string): Promise<MountDto[]> => JSON.parse((await env.d(['inspect', '-f', '{{json .Mounts}}', name])).stdout) as MountDto[];

  it('a named volume keeps what a container wrote after the container is removed', async () => {
    const w = await env.d(['run', '--name', 'writer', '-v', 'keep:/data', env.image, 'sh', '-c', 'echo hello > /data/greeting; mkdir /data/d; chown 1000:1000 /data/d']);
    expect(w.code, w.stderr).toBe(0);
    const mounts = await mountsOf('writer');
    expect(mounts).toEqual([
      {
        Type: 'volume',
        Name: 'keep',
        Source: join(env.berthd.dataRoot, 'volumes', 'keep', '_data'),
        Destination: '/data',
        Driver: 'local',
        Mode: 'z',
        RW: true,
        Propagation: '',
      },
    ]);
    expect((await env.d(['rm', 'writer'])).code).toBe(0);
    expect(await volumeNames()).toContain('keep');
    const r = await env.d(['run', '--rm', '-v', 'keep:/again:ro', env.image, 'sh', '-c', 'cat /again/greeting; stat -c %u:%g /again/d; echo x > /again/no']);
    expect(r.stdout).toBe('hello\n1000:1000\n');
    expect(r.stderr).toMatch(/Read-only file system/);
    const inspect = JSON.parse((await env.d(['volume', 'inspect', 'keep'])).stdout) as { Name: string; Driver: string; Mountpoint: string; Scope: string; CreatedAt: string }[];
    // As dockerd 20.10 shows a volume made without labels or options (checked side by side).
    expect(inspect[0]).toMatchObject({ Name: 'keep', Driver: 'local', Scope: 'local', Labels: null, Options: null, Mountpoint: join(env.berthd.dataRoot, 'volumes', 'keep', '_data') });
    expect(Date.parse(inspect[0]?.CreatedAt ?? '')).toBeGreaterThan(Date.now() - 600_000);
    expect(await readFile(join(env.berthd.dataRoot, 'volumes', 'keep', '_data', 'greeting'), 'utf8')).toBe('hello\n');
    // UsageData when asked (Berth's ?size=1; dockerd fills it only in system df).
    const sized = JSON.parse((await engineRequest(env.berthd.socket, 'GET', '/volumes/keep?size=1')).body) as { UsageData?: { Size: number; RefCount: number } };
    expect(sized.UsageData).toEqual({ Size: 6, RefCount: 0 });
    expect(JSON.parse((await engineRequest(env.berthd.socket, 'GET', '/volumes/keep')).body)).not.toHaveProperty('UsageData');
  });

  it("an image VOLUME gets a new anonymous volume holding the image's content, owners and modes included", async () => {
    const out = await env.d(['run', '--name', 'seeded', volImage, 'sh', '-c', 'cd /data && stat -c "%n %u:%g %a" . seed.txt sub sub/deep.txt && readlink link && cat seed.txt sub/deep.txt']);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toBe('. 1000:1000 750\nseed.txt 1000:1000 640\nsub 1001:1001 700\nsub/deep.txt 1001:1001 600\nseed.txt\nseed\ndeep\n');
    const [m] = await mountsOf('seeded');
    expect(m).toMatchObject({ Type: 'volume', Destination: '/data', Driver: 'local', Mode: '', RW: true });
    expect(m?.Name).toMatch(/^[0-9a-f]{64}$/);
    // The volume really is on the host, outside the container's layers.
    const st = await stat(join(m?.Source ?? '', 'sub', 'deep.txt'));
    expect([st.uid, st.gid, st.mode & 0o777]).toEqual([1001, 1001, 0o600]);
    const labels = JSON.parse((await env.d(['volume', 'inspect', '-f', '{{json .Labels}}', m?.Name ?? ''])).stdout) as Record<string, string>;
    expect(labels).toEqual({ 'com.docker.volume.anonymous': '' });
    await env.d(['rm', 'seeded']);
  });

  it('a named volume that already has content is not overwritten by the image; nocopy leaves a new one empty', async () => {
    expect((await env.d(['run', '--rm', '-v', 'prefilled:/data', env.image, 'sh', '-c', 'echo mine > /data/own'])).code).toBe(0);
    const kept = await env.d(['run', '--rm', '-v', 'prefilled:/data', volImage, 'ls', '/data']);
    expect(kept.stdout).toBe('own\n');
    const empty = await env.d(['run', '--rm', '-v', 'fresh-nocopy:/data:nocopy', volImage, 'ls', '-A', '/data']);
    expect(empty.code, empty.stderr).toBe(0);
    expect(empty.stdout).toBe('');
    const filled = await env.d(['run', '--rm', '--mount', 'type=volume,src=viamount,dst=/data', volImage, 'cat', '/data/seed.txt']);
    expect(filled.stdout).toBe('seed\n');
    await env.d(['volume', 'rm', 'prefilled', 'fresh-nocopy', 'viamount']);
  });

  it('rm -v removes the anonymous volume and keeps the named one', async () => {
    const created = await env.d(['create', '--name', 'both', '-v', 'named-keep:/named', '-v', '/anon', env.image, 'true']);
    expect(created.code, created.stderr).toBe(0);
    const mounts = await mountsOf('both');
    const anon = mounts.find((m) => m.Destination === '/anon')?.Name ?? '';
    expect(anon).toMatch(/^[0-9a-f]{64}$/);
    expect(await volumeNames()).toEqual(expect.arrayContaining(['named-keep', anon]));
    expect((await env.d(['rm', '-v', 'both'])).code).toBe(0);
    const after = await volumeNames();
    expect(after).toContain('named-keep');
    expect(after).not.toContain(anon);
    expect((await env.d(['volume', 'rm', 'named-keep'])).code).toBe(0);
  });

  it('run --rm removes its anonymous volumes; plain rm keeps them', async () => {
    const before = await volumeNames();
    const r = await env.d(['run', '--rm', '-v', '/scratch', env.image, 'sh', '-c', 'echo x > /scratch/f']);
    expect(r.code, r.stderr).toBe(0);
    expect(await volumeNames()).toEqual(before);
    await env.d(['run', '--name', 'plain', '-v', '/scratch', env.image, 'true']);
    const anon = (await mountsOf('plain'))[0]?.Name ?? '';
    await env.d(['rm', 'plain']);
    expect(await volumeNames()).toContain(anon);
    await env.d(['volume', 'rm', anon]);
  });

  it('volume rm of a volume in use is 409 (also with -f); after the container goes it is removed', async () => {
    await env.d(['run', '-d', '--name', 'holder', '-v', 'busy:/data', env.image, 'sleep', '300']);
    const rm = await env.d(['volume', 'rm', 'busy']);
    expect(rm.code).toBe(1);
    expect(rm.stderr).toMatch(/remove busy: volume is in use - \[[0-9a-f]{64}\]/);
    const raw = await engineRequest(env.berthd.socket, 'DELETE', '/volumes/busy?force=1');
    expect(raw.status).toBe(409);
    // Even stopped, a container still holds its volumes.
    await env.d(['stop', '-t', '0', 'holder']);
    expect((await engineRequest(env.berthd.socket, 'DELETE', '/volumes/busy')).status).toBe(409);
    await env.d(['rm', 'holder']);
    expect((await env.d(['volume', 'rm', 'busy'])).code).toBe(0);
    const gone = await env.d(['volume', 'inspect', 'busy']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/no such volume/);
    expect((await env.d(['volume', 'rm', '-f', 'busy'])).code).toBe(0);
  });

  it('--volumes-from shares the volumes, with :ro', async () => {
    await env.d(['create', '--name', 'source', '-v', 'shared:/shared', '-v', '/anon2', env.image, 'true']);
    await env.d(['run', '--rm', '--volumes-from', 'source', env.image, 'sh', '-c', 'echo from-b > /shared/b; echo anon > /anon2/a']);
    const ro = await env.d(['run', '--rm', '--volumes-from', 'source:ro', env.image, 'sh', '-c', 'cat /shared/b /anon2/a; touch /shared/c']);
    expect(ro.stdout).toBe('from-b\nanon\n');
    expect(ro.stderr).toMatch(/Read-only file system/);
    // The --rm containers above did not take the source's anonymous volume with them.
    const anon = (await mountsOf('source')).find((m) => m.Destination === '/anon2')?.Name ?? '';
    expect(await volumeNames()).toContain(anon);
    await env.d(['rm', '-v', 'source']);
    expect(await volumeNames()).not.toContain(anon);
    await env.d(['volume', 'rm', 'shared']);
  });

  it('volume create with tmpfs driver options mounts a tmpfs while a container uses it', async () => {
    const c = await env.d(['volume', 'create', '--driver', 'local', '--opt', 'type=tmpfs', '--opt', 'device=tmpfs', '--opt', 'o=size=2m,uid=1000', 'tmpvol']);
    expect(c.code, c.stderr).toBe(0);
    const out = await env.d(['run', '--rm', '-v', 'tmpvol:/t', env.image, 'sh', '-c', 'stat -c %u /t; df -k /t | tail -1']);
    expect(out.code, out.stderr).toBe(0);
    const [uid, df] = out.stdout.split('\n');
    expect(uid).toBe('1000');
    expect(df).toMatch(/^tmpfs\s+2048\s/);
    // Unmounted from the host again once no container runs with it.
    expect(await mountsMentioning(join('volumes', 'tmpvol', '_data'))).toEqual([]);
    const opts = JSON.parse((await env.d(['volume', 'inspect', '-f', '{{json .Options}}', 'tmpvol'])).stdout) as Record<string, string>;
    expect(opts).toEqual({ type: 'tmpfs', device: 'tmpfs', o: 'size=2m,uid=1000' });
    const bad = await env.d(['volume', 'create', '--opt', 'colour=blue', 'badvol']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/invalid option: "colour"/);
    const plugin = await env.d(['volume', 'create', '--driver', 'nfs-plugin', 'badvol']);
    expect(plugin.stderr).toMatch(/plugin "nfs-plugin" not found/);
    await env.d(['volume', 'rm', 'tmpvol']);
  });

  it('ls filters, prune anonymous-only by default and all=true, system df counts volumes', async () => {
    await env.d(['volume', 'create', '--label', 'team=db', 'labelled']);
    await env.d(['volume', 'create', 'unlabelled']);
    await env.d(['create', '--name', 'user', '-v', 'labelled:/x', '-v', '/anon3', env.image, 'true']);
    await env.d(['run', '--rm', '-v', 'unlabelled:/x', env.image, 'sh', '-c', 'head -c 100000 /dev/zero > /x/blob']);
    expect((await env.d(['volume', 'ls', '-q', '--filter', 'label=team=db'])).stdout.trim()).toBe('labelled');
    const dangling = (await env.d(['volume', 'ls', '-q', '--filter', 'dangling=true'])).stdout.split('\n');
    expect(dangling).toContain('unlabelled');
    expect(dangling).not.toContain('labelled');
    expect((await env.d(['volume', 'ls', '-q', '--filter', 'name=unlab'])).stdout.trim()).toBe('unlabelled');
    const df = JSON.parse((await engineRequest(env.berthd.socket, 'GET', '/system/df')).body) as { Volumes: { Name: string; UsageData: { Size: number; RefCount: number } }[] };
    expect(df.Volumes.find((r) => r.Name === 'unlabelled')?.UsageData).toEqual({ Size: 100000, RefCount: 0 });
    expect(df.Volumes.find((r) => r.Name === 'labelled')?.UsageData).toEqual({ Size: 0, RefCount: 1 });
    const dfText = await env.d(['system', 'df']);
    expect(dfText.stdout).toMatch(/Local Volumes\s+[1-9]\d*\s+[1-9]\d*\s+100(\.\d+)?kB/);
    // An anonymous volume left by a removed container is what plain prune takes.
    await env.d(['run', '--name', 'leaver', '-v', '/left', env.image, 'true']);
    const left = (await mountsOf('leaver'))[0]?.Name ?? '';
    await env.d(['rm', 'leaver']);
    const pruned = await env.d(['volume', 'prune', '-f']);
    expect(pruned.stdout).toContain(left);
    let names = await volumeNames();
    expect(names).toContain('unlabelled');
    expect(names).not.toContain(left);
    const all = await env.d(['volume', 'prune', '-f', '--all']);
    expect(all.stdout).toContain('unlabelled');
    expect(all.stdout).toMatch(/Total reclaimed space: 100kB/);
    names = await volumeNames();
    // In use: kept.
    expect(names).toContain('labelled');
    await env.d(['rm', '-v', 'user']);
    await env.d(['volume', 'rm', 'labelled']);
  });

  it('events: create, mount, unmount, destroy', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    await env.d(['volume', 'create', 'evvol']);
    await env.d(['run', '--rm', '-v', 'evvol:/e', env.image, 'true']);
    await env.d(['volume', 'rm', 'evvol']);
    const ev = await env.d(['events', '--since', String(since), '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'type=volume', '--format', '{{.Action}} {{.Actor.ID}}']);
    // dockerd publishes "create" again when a container create names the existing volume.
    expect(ev.stdout.split('\n').filter((l) => l.endsWith('evvol'))).toEqual(['create evvol', 'create evvol', 'mount evvol', 'unmount evvol', 'destroy evvol']);
  });

  it('--mount type=volume with volume-opt, readonly and volume-nocopy', async () => {
    const out = await env.d([
      'run', '--rm',
      '--mount', 'type=volume,src=mopt,dst=/m,volume-opt=type=tmpfs,volume-opt=device=tmpfs,volume-opt=o=size=1m',
      '--mount', 'type=volume,src=mro,dst=/ro,readonly',
      '--mount', 'type=volume,dst=/data,volume-nocopy',
      volImage, 'sh', '-c', 'df -k /m | tail -1; touch /ro/x || echo ro-refused; ls -A /data | wc -l',
    ]);
    expect(out.code, out.stderr).toBe(0);
    const [df, ro, count] = out.stdout.trim().split('\n');
    expect(df).toMatch(/^tmpfs\s+1024\s/);
    expect(ro).toBe('ro-refused');
    expect(count?.trim()).toBe('0');
    const opts = JSON.parse((await env.d(['volume', 'inspect', '-f', '{{json .Options}}', 'mopt'])).stdout) as Record<string, string>;
    expect(opts).toEqual({ type: 'tmpfs', device: 'tmpfs', o: 'size=1m' });
    await env.d(['volume', 'rm', 'mopt', 'mro']);
  });

  it('browsing a volume never leaves it: symlinks are resolved inside the volume root', async () => {
    const mk = await env.d(['run', '--rm', '-v', 'hostile:/v', env.image, 'sh', '-c', 'echo inside > /v/mine; ln -s / /v/root; ln -s ../../../../../etc /v/up; ln -s /v/loop /v/loop']);
    expect(mk.code, mk.stderr).toBe(0);
    const get = async (path: string): Promise<{ status: number; body: string }> => engineRequest(env.berthd.socket, 'GET', path);
    // "/root" points at the container's "/", which inside the volume is the volume itself.
    const root = await get('/berth/v1/volumes/hostile/files?path=%2Froot');
    expect(root.status).toBe(200);
    expect((JSON.parse(root.body) as { entries: { name: string }[] }).entries.map((e) => e.name).sort()).toEqual(['loop', 'mine', 'root', 'up']);
    expect((await get('/berth/v1/volumes/hostile/file?path=%2Froot%2Fmine')).body).toBe('inside\n');
    // The host's /etc/passwd is never what comes back.
    for (const p of ['/up/passwd', '/root/etc/passwd', '/../../../../etc/passwd']) {
      const r = await get(`/berth/v1/volumes/hostile/file?path=${encodeURIComponent(p)}`);
      expect(r.status, p).toBe(404);
    }
    expect((await get('/berth/v1/volumes/hostile/file?path=%2Floop')).status).toBeGreaterThanOrEqual(400);
    await env.d(['volume', 'rm', 'hostile']);
  });

  it('volumes and their labels survive a daemon restart', async () => {
    await env.d(['volume', 'create', '--label', 'keep=yes', 'durable']);
    await env.d(['run', '--rm', '-v', 'durable:/d', env.image, 'sh', '-c', 'echo persisted > /d/f']);
    env.berthd = await (async () => {
      await env.berthd.stop();
      return env.berthd.restart();
    })();
    const labels = JSON.parse((await env.d(['volume', 'inspect', '-f', '{{json .Labels}}', 'durable'])).stdout) as Record<string, string>;
    expect(labels).toEqual({ keep: 'yes' });
    expect((await env.d(['run', '--rm', '-v', 'durable:/d', env.image, 'cat', '/d/f'])).stdout).toBe('persisted\n');
    await env.d(['volume', 'rm', 'durable']);
  });

  it('refuses what it cannot do, with the field named', async () => {
    const rel = await env.d(['run', '--rm', '-v', 'rel/path:/x', env.image, 'true']);
    expect(rel.code).toBe(125);
    expect(rel.stderr).toMatch(/includes invalid characters for a local volume name/);
    const dup = await env.d(['run', '--rm', '-v', 'a1:/x', '-v', 'a2:/x', env.image, 'true']);
    expect(dup.stderr).toMatch(/Duplicate mount point: \/x/);
    const driver = await engineRequest(env.berthd.socket, 'POST', '/containers/create', JSON.stringify({ Image: env.image, HostConfig: { VolumeDriver: 'flocker' } }));
    expect(driver.status).toBe(400);
    const typ = await engineRequest(env.berthd.socket, 'POST', '/containers/create', JSON.stringify({ Image: env.image, HostConfig: { Mounts: [{ Type: 'npipe', Source: 'x', Target: '/x' }] } }));
    expect(typ.status).toBe(400);
    expect((JSON.parse(typ.body) as { message: string }).message).toMatch(/HostConfig.Mounts: type npipe/);
    // Nothing was left behind by the refused creates.
    expect(await volumeNames()).not.toEqual(expect.arrayContaining(['a1']));
  });
});
