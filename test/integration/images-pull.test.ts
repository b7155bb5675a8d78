/**
 * Images end to end with the stock docker CLI against berthd and a real docker-registry on
 * loopback: pull (with dockerd's progress messages), images, history, image inspect, tag, rmi,
 * layer sharing ("Already exists", removing one image keeps the other's layers), the whiteout
 * image seen through a real overlay mount, multi-platform selection, import, and the Berth
 * layers view and system df.
 */
import { execFileSync } from 'node:child_process';
import { lstat, mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BerthImageLayersResponse, JsonMessageDto } from '../../src-shared/docker-api/images';
import { IS_ROOT, REPO_ROOT, engineRequest, startBerthd, type BerthdHandle } from '../harness/berthd';
import { docker } from '../harness/docker-cli';
import { busyboxImage, makeTar, multiLayerImage, multiPlatformIndex, pushImage, sharedBaseImages, type FixtureImage } from '../harness/fixtures';
import { startRegistry, type RegistryHandle } from '../harness/registry';

const short = (digest: string): string => digest.replace(/^sha256:/, '').slice(0, 12);

async function dockerOk(d: BerthdHandle, args: string[], input?: Buffer): Promise<string> {
  const r = await docker(d.dockerHost, args, input ? { input } : {});
  expect(r.code, `docker ${args.join(' ')}\n${r.stdout}\n${r.stderr}`).toBe(0);
  return r.stdout;
}

async function exists(p: string): Promise<boolean> {
  return lstat(p).then(
    () => true,
    () => false,
  );
}

async function berthLayers(d: BerthdHandle, name: string): Promise<BerthImageLayersResponse> {
  const r = await engineRequest(d.socket, 'GET', `/berth/v1/images/${name}/layers`);
  expect(r.status, r.body).toBe(200);
  return JSON.parse(r.body) as BerthImageLayersResponse;
}

describe.skipIf(!IS_ROOT)('images: pull, list, history, inspect, tag, rmi through the docker CLI', () => {
  let registry: RegistryHandle;
  let d: BerthdHandle;
  let busybox: FixtureImage;
  let multi: FixtureImage;
  let shared: Awaited<ReturnType<typeof sharedBaseImages>>;
  let busyboxRef: string;
  let multiRef: string;

  beforeAll(async () => {
    registry = await startRegistry();
    d = await startBerthd();
    busybox = await busyboxImage();
    multi = await multiLayerImage();
    shared = await sharedBaseImages();
    await pushImage(registry.url, 'library/busybox', 'latest', busybox);
    await pushImage(registry.url, 'test/multi', 'v1', multi);
    await pushImage(registry.url, 'test/a', 'v1', shared.a);
    await pushImage(registry.url, 'test/b', 'v1', shared.b);
    await pushImage(registry.url, 'test/multiarch', 'latest', await multiPlatformIndex());
    busyboxRef = `${registry.host}/library/busybox`;
    multiRef = `${registry.host}/test/multi:v1`;
  });
  afterAll(async () => {
    await d?.cleanup();
    await registry?.stop();
  });

  it('pulls busybox with dockerd progress and shows it in images, inspect and history', async () => {
    const out = await dockerOk(d, ['pull', busyboxRef]);
    expect(out).toContain('latest: Pulling from library/busybox');
    expect(out).toContain(`${short(busybox.layers[0]!.digest)}: Pull complete`);
    expect(out).toContain(`Digest: ${busybox.manifestDigest}`);
    expect(out).toContain(`Status: Downloaded newer image for ${busyboxRef}:latest`);

    const list = await dockerOk(d, ['images', '--format', '{{.Repository}}|{{.Tag}}|{{.ID}}']);
    expect(list.trim().split('\n')).toContain(`${busyboxRef}|latest|${short(busybox.configDigest)}`);

    const inspect = JSON.parse(await dockerOk(d, ['image', 'inspect', busyboxRef])) as [{ Id: string; RepoDigests: string[]; RootFS: { Layers: string[] }; GraphDriver: { Name: string; Data: Record<string, string> }; Config: { Cmd: string[] }; Os: string; Architecture: string }];
    const img = inspect[0];
    expect(img.Id).toBe(busybox.configDigest);
    expect(img.RepoDigests).toEqual([`${busyboxRef}@${busybox.manifestDigest}`]);
    expect(img.RootFS.Layers).toEqual(busybox.layers.map((l) => l.diffId));
    expect(img.Config.Cmd).toEqual(['sh']);
    expect([img.Os, img.Architecture]).toEqual(['linux', 'amd64']);
    expect(img.GraphDriver.Name).toBe('overlay2');
    expect(img.GraphDriver.Data.UpperDir?.startsWith(join(d.dataRoot, 'overlay2'))).toBe(true);
    // The layer really is on disk, in overlay2 layout, with busybox in it.
    for (const dir of ['UpperDir', 'MergedDir', 'WorkDir']) expect((await stat(img.GraphDriver.Data[dir] as string)).isDirectory()).toBe(true);
    const upper = img.GraphDriver.Data.UpperDir as string;
    expect((await stat(join(upper, 'bin/busybox'))).mode & 0o777).toBe(0o755);
    const cacheDir = join(upper, '..');
    const link = (await readFile(join(cacheDir, 'link'), 'utf8')).trim();
    expect(link).toMatch(/^[A-Z0-9]{26}$/);
    expect(await readdir(join(d.dataRoot, 'overlay2/l'))).toContain(link);
    // Applets are hardlinks to /bin/busybox, as in the tar.
    expect((await stat(join(upper, 'bin/busybox'))).ino).toBe((await stat(join(upper, 'bin/sh'))).ino);
    // /etc/shadow keeps 0640 and numeric ownership.
    expect((await stat(join(upper, 'etc/shadow'))).mode & 0o777).toBe(0o640);
    expect((await stat(join(upper, 'home/app'))).uid).toBe(1000);

    const hist = (await dockerOk(d, ['history', '--no-trunc', '--format', '{{.ID}}|{{.CreatedBy}}|{{.Size}}', busyboxRef])).trim().split('\n');
    expect(hist).toHaveLength(2);
    expect(hist[0]).toMatch(new RegExp(`^${busybox.configDigest}\\|/bin/sh -c #\\(nop\\)  CMD \\["sh"\\]\\|0B$`));
    expect(hist[1]).toMatch(/^<missing>\|\/bin\/sh -c #\(nop\) ADD file:[0-9a-f]+ in \/ \|[\d.]+MB$/);

    const again = await dockerOk(d, ['pull', busyboxRef]);
    expect(again).toContain(`Status: Image is up to date for ${busyboxRef}:latest`);
  });

  it('streams the dockerd jsonmessage sequence for a multi-layer pull', async () => {
    const r = await engineRequest(d.socket, 'POST', `/v1.48/images/create?fromImage=${encodeURIComponent(`${registry.host}/test/multi`)}&tag=v1`, undefined, { 'X-Registry-Auth': 'e30' });
    expect(r.status).toBe(200);
    const msgs = r.body
      .trim()
      .split('\r\n')
      .map((l) => JSON.parse(l) as JsonMessageDto);
    expect(msgs[0]).toMatchObject({ status: 'Pulling from test/multi', id: 'v1' });
    const base = short(multi.layers[0]!.digest);
    expect(msgs).toContainEqual(expect.objectContaining({ status: 'Already exists', id: base }));
    for (const l of multi.layers.slice(1)) {
      const seq = msgs.filter((m) => m.id === short(l.digest)).map((m) => m.status);
      const order = ['Pulling fs layer', 'Downloading', 'Verifying Checksum', 'Download complete', 'Extracting', 'Pull complete'];
      const firstIdx = order.map((s) => seq.indexOf(s));
      expect(firstIdx.every((i) => i >= 0), JSON.stringify(seq)).toBe(true);
      expect([...firstIdx].sort((a, b) => a - b)).toEqual(firstIdx);
      const dl = msgs.find((m) => m.id === short(l.digest) && m.status === 'Downloading' && (m.progressDetail?.current ?? 0) > 0);
      expect(dl?.progressDetail?.total).toBe(l.size);
    }
    expect(msgs.at(-2)).toEqual(expect.objectContaining({ status: `Digest: ${multi.manifestDigest}` }));
    expect(msgs.at(-1)).toEqual(expect.objectContaining({ status: `Status: Downloaded newer image for ${registry.host}/test/multi:v1` }));
  });

  it('applies whiteouts in overlay form: the deletion and the opaque dir are visible in a mounted overlay', async () => {
    const layers = (await berthLayers(d, multiRef)).layers;
    expect(layers).toHaveLength(3);
    const insp = JSON.parse(await dockerOk(d, ['image', 'inspect', '--format', '{{json .GraphDriver.Data}}', multiRef])) as Record<string, string>;
    expect(insp.UpperDir).toBe(layers[2]!.diffDir);
    expect(insp.LowerDir).toBe(`${layers[1]!.diffDir}:${layers[0]!.diffDir}`);
    const top = layers[2]!.diffDir;
    // Whiteout = char device 0/0; the marker file itself is not written.
    const wh = await lstat(join(top, 'data/gone'));
    expect(wh.isCharacterDevice()).toBe(true);
    expect(wh.rdev).toBe(0);
    expect(await exists(join(top, 'data/.wh.gone'))).toBe(false);
    expect(await exists(join(top, 'data/opq/.wh..wh..opq'))).toBe(false);
    // berth-getxattr (built with berthd) prints the value as hex: 79 = "y".
    const opaque = execFileSync(join(REPO_ROOT, 'helper/native/build/berth-getxattr'), [top, 'trusted.overlay.opaque'], { input: 'data/opq\0', encoding: 'utf8' });
    expect(opaque.trim()).toBe('79');

    const mnt = await mkdtemp(join(tmpdir(), 'berth-ovl-'));
    const lower = [...layers].reverse().map((l) => l.diffDir).join(':');
    execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `ro,index=off,lowerdir=${lower}`, mnt]);
    try {
      expect(await exists(join(mnt, 'data/gone'))).toBe(false);
      expect((await readdir(join(mnt, 'data/opq'))).sort()).toEqual(['c.txt']);
      expect(await readFile(join(mnt, 'data/keep.txt'), 'utf8')).toBe('keep\n');
      expect(await readFile(join(mnt, 'etc/motd'), 'utf8')).toBe('v2\n');
      expect(await exists(join(mnt, 'bin/busybox'))).toBe(true);
    } finally {
      execFileSync('umount', [mnt]);
      await rm(mnt, { recursive: true, force: true });
    }
  });

  it('tags, untags and deletes layers only this image used', async () => {
    await dockerOk(d, ['tag', multiRef, 'mine/multi:copy']);
    const list = await dockerOk(d, ['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}']);
    expect(list).toContain(`mine/multi:copy ${short(multi.configDigest)}`);
    const layers = (await berthLayers(d, multiRef)).layers;

    // Removing one of two tags only untags.
    expect(await dockerOk(d, ['rmi', 'mine/multi:copy'])).toBe('Untagged: mine/multi:copy\n');
    expect((await docker(d.dockerHost, ['image', 'inspect', multiRef])).code).toBe(0);

    const out = await dockerOk(d, ['rmi', multiRef]);
    expect(out).toContain(`Untagged: ${multiRef}`);
    expect(out).toContain(`Untagged: ${registry.host}/test/multi@${multi.manifestDigest}`);
    expect(out).toContain(`Deleted: ${multi.configDigest}`);
    // The two layers of its own are deleted from disk; the busybox base stays for busybox.
    expect(await exists(layers[1]!.diffDir)).toBe(false);
    expect(await exists(layers[2]!.diffDir)).toBe(false);
    expect(await exists(layers[0]!.diffDir)).toBe(true);
    expect(out).not.toContain(`Deleted: ${layers[0]!.chainId}`);
    expect(out).toContain(`Deleted: ${layers[2]!.chainId}`);
    const insp = await docker(d.dockerHost, ['image', 'inspect', multiRef]);
    expect(insp.code).toBe(1);
    expect(insp.stderr).toMatch(/No such image/);
    expect((await docker(d.dockerHost, ['run', '--rm', 'no-such-image-anywhere:1'])).code).not.toBe(0);
  });

  it('shares base layers: Already exists on pull, shared sizes, and removal keeps the other image intact', async () => {
    const a = `${registry.host}/test/a:v1`;
    const b = `${registry.host}/test/b:v1`;
    await dockerOk(d, ['rmi', busyboxRef]);
    await dockerOk(d, ['pull', a]);
    const outB = await dockerOk(d, ['pull', b]);
    expect(outB).toContain(`${short(shared.baseDigest)}: Already exists`);
    expect(outB).toContain(`${short(shared.b.layers[1]!.digest)}: Pull complete`);

    const la = await berthLayers(d, a);
    expect(la.layers[0]).toMatchObject({ shared: true, sharedWith: [`${registry.host}/test/b:v1`] });
    expect(la.layers[1]).toMatchObject({ shared: false, sharedWith: [] });

    const df = await dockerOk(d, ['system', 'df', '-v', '--format', '{{json .Images}}']);
    const rows = JSON.parse(df) as { Repository: string; SharedSize: string; UniqueSize: string }[];
    expect(rows.find((r) => r.Repository.endsWith('test/a'))?.SharedSize).toMatch(/MB$/);

    await dockerOk(d, ['rmi', a]);
    expect(await exists(la.layers[0]!.diffDir)).toBe(true);
    expect(await exists(la.layers[1]!.diffDir)).toBe(false);
    const lb = await berthLayers(d, b);
    expect(lb.layers[0]!.diffDir).toBe(la.layers[0]!.diffDir);
    expect(await exists(join(lb.layers[0]!.diffDir, 'bin/busybox'))).toBe(true);
    expect(await readFile(join(lb.layers[1]!.diffDir, 'etc/variant'), 'utf8')).toBe('b\n');

    const again = await dockerOk(d, ['pull', a]);
    expect(again).toContain(`${short(shared.baseDigest)}: Already exists`);
    await dockerOk(d, ['rmi', a, b]);
    // Nothing is left: no layers, no blobs, no image records.
    expect((await readdir(join(d.dataRoot, 'overlay2'))).filter((n) => n !== 'l' && n !== '.tmp')).toEqual([]);
    expect(await readdir(join(d.dataRoot, 'content/blobs/sha256'))).toEqual([]);
    expect(await readdir(join(d.dataRoot, 'overlay2/l'))).toEqual([]);
  });

  it('selects linux/amd64 from an index, skipping the attestation manifest', async () => {
    const idx = await multiPlatformIndex();
    const ref = `${registry.host}/test/multiarch`;
    const out = await dockerOk(d, ['pull', ref]);
    expect(out).toContain(`Digest: ${idx.indexDigest}`);
    const id = (await dockerOk(d, ['image', 'inspect', '--format', '{{.Id}} {{.Architecture}}', ref])).trim();
    expect(id).toBe(`${idx.children[0]!.configDigest} amd64`);
    const byDigest = await dockerOk(d, ['pull', `${ref}@${idx.indexDigest}`]);
    expect(byDigest).toContain(`Status: Image is up to date for ${ref}@${idx.indexDigest}`);
    await dockerOk(d, ['rmi', ref]);
  });

  it('imports a tar from stdin (docker import -) with changes', async () => {
    const tar = await makeTar([
      { name: 'hello/', type: 'directory' },
      { name: 'hello/world.txt', content: 'hi\n', uid: 1000, gid: 1000, mode: 0o4755 },
    ]);
    const out = await dockerOk(d, ['import', '--change', 'CMD ["/hello/world.txt"]', '--change', 'ENV A=b', '-', 'imported:v1'], tar);
    expect(out.trim()).toMatch(/^sha256:[0-9a-f]{64}$/);
    const cfg = JSON.parse(await dockerOk(d, ['image', 'inspect', '--format', '{{json .Config}}', 'imported:v1'])) as { Cmd: string[]; Env: string[] };
    expect(cfg.Cmd).toEqual(['/hello/world.txt']);
    expect(cfg.Env).toEqual(['A=b']);
    const layer = (await berthLayers(d, 'imported:v1')).layers[0]!;
    const st = await stat(join(layer.diffDir, 'hello/world.txt'));
    expect([st.uid, st.gid, st.mode & 0o7777]).toEqual([1000, 1000, 0o4755]);
    const hist = await dockerOk(d, ['history', '--format', '{{.Comment}}', 'imported:v1']);
    expect(hist.trim()).toBe('Imported from -');
    await dockerOk(d, ['rmi', 'imported:v1']);
  });

  it('prunes dangling images only, and reports the space reclaimed', async () => {
    const first = (await dockerOk(d, ['import', '-', 'prune/me:v1'], await makeTar([{ name: 'one.txt', content: 'x'.repeat(5000) }]))).trim();
    const second = (await dockerOk(d, ['import', '-', 'prune/me:v1'], await makeTar([{ name: 'two.txt', content: 'y' }]))).trim();
    const dangling = (await dockerOk(d, ['images', '-q', '--no-trunc', '--filter', 'dangling=true'])).trim().split('\n');
    expect(dangling).toEqual([first]);
    const out = await dockerOk(d, ['image', 'prune', '-f']);
    expect(out).toContain(`deleted: ${first}`);
    expect(out).toMatch(/Total reclaimed space: 5(\.\d+)?kB/);
    const left = (await dockerOk(d, ['images', '-q', '--no-trunc', 'prune/me'])).trim();
    expect(left).toBe(second);
    await dockerOk(d, ['rmi', 'prune/me:v1']);
  });

  it('publishes dockerd image events (pull, tag, untag, delete)', async () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    await dockerOk(d, ['pull', busyboxRef]);
    await dockerOk(d, ['tag', busyboxRef, 'evt/box:1']);
    await dockerOk(d, ['rmi', 'evt/box:1', busyboxRef]);
    const until = Math.floor(Date.now() / 1000) + 1;
    const ev = await dockerOk(d, ['events', '--since', String(since), '--until', String(until), '--filter', 'type=image', '--format', '{{.Action}} {{.Actor.ID}} {{index .Actor.Attributes "name"}}']);
    const lines = ev.trim().split('\n');
    expect(lines).toContain(`pull ${busyboxRef}:latest ${busyboxRef}:latest`);
    expect(lines).toContain(`tag ${busybox.configDigest} evt/box:1`);
    expect(lines).toContain(`untag ${busybox.configDigest} evt/box:1`);
    expect(lines).toContain(`delete ${busybox.configDigest} ${busybox.configDigest}`);
  });

  it('answers unknown images with 404 and bad references with 400', async () => {
    const insp = await engineRequest(d.socket, 'GET', '/v1.48/images/nope:1/json');
    expect(insp.status).toBe(404);
    expect(JSON.parse(insp.body)).toEqual({ message: 'No such image: nope:1' });
    const bad = await engineRequest(d.socket, 'POST', '/v1.48/images/create?fromImage=Bad%20Name&tag=latest');
    expect(bad.status).toBe(400);
    const missing = await docker(d.dockerHost, ['pull', `${registry.host}/test/missing:v9`]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/manifest for .*test\/missing:v9 not found|repository does not exist/);
  });
});
