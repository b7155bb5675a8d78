/**
 * `docker save` / `docker load` through the stock CLI, both ways with a private dockerd 20.10
 * (test/harness/dockerd.ts): several images sharing layers in one archive, the layout dockerd 25+
 * writes (OCI layout + manifest.json) out of berthd, the classic docker-archive out of dockerd,
 * and hostile archives refused with nothing kept.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { extract } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT } from '../harness/berthd';
import { docker } from '../harness/docker-cli';
import { startDockerd, type PrivateDockerd } from '../harness/dockerd';
import { makeTar, sha256 } from '../harness/fixtures';
import { startContainersEnv, type ContainersEnv } from './containers-env';

async function tarEntries(file: string): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  const ex = extract();
  const reading = (async () => {
    for await (const e of ex) {
      const chunks: Buffer[] = [];
      for await (const c of e) chunks.push(c as Buffer);
      out.set(e.header.name, Buffer.concat(chunks));
    }
  })();
  ex.end(await readFile(file));
  await reading;
  return out;
}

describe.skipIf(!IS_ROOT)('docker save / load', () => {
  let env: ContainersEnv;
  let dockerd: PrivateDockerd;
  let work: string;
  const dd = (args: string[]) => docker(dockerd.dockerHost, args, { timeoutMs: 180_000 });
  beforeAll(async () => {
    env = await startContainersEnv();
    dockerd = await startDockerd();
    work = await mkdtemp(join(tmpdir(), 'berth-save-'));
    const pulled = await dd(['pull', env.image]);
    if (pulled.code !== 0) throw new Error(`dockerd pull: ${pulled.stderr}`);
  });
  afterAll(async () => {
    await dockerd?.stop();
    await env?.cleanup();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('berthd save of two images sharing layers -> dockerd load -> run', async () => {
    await env.d(['run', '--name', 'mk', env.image, 'sh', '-c', 'echo from-berthd > /made.txt']);
    expect((await env.d(['commit', 'mk', 'made:1'])).code).toBe(0);
    const file = join(work, 'berthd.tar');
    const saved = await env.d(['save', '-o', file, env.image, 'made:1']);
    expect(saved.code, saved.stderr).toBe(0);

    const entries = await tarEntries(file);
    const manifest = JSON.parse((entries.get('manifest.json') as Buffer).toString()) as { Config: string; RepoTags: string[]; Layers: string[] }[];
    expect(manifest.map((m) => m.RepoTags)).toEqual([[env.image], ['made:1']]);
    expect(entries.has('oci-layout')).toBe(true);
    const index = JSON.parse((entries.get('index.json') as Buffer).toString()) as { manifests: { annotations: Record<string, string> }[] };
    expect(index.manifests.map((m) => m.annotations['org.opencontainers.image.ref.name'])).toEqual(['latest', '1']);
    // The shared base layer is in the archive once, and every layer blob hashes to its name.
    const layerFiles = [...new Set(manifest.flatMap((m) => m.Layers))];
    expect(manifest[1]?.Layers.slice(0, -1)).toEqual(manifest[0]?.Layers);
    for (const l of layerFiles) expect(sha256(entries.get(l) as Buffer)).toBe(`sha256:${l.split('/').pop() as string}`);

    const loaded = await dd(['load', '-i', file]);
    expect(loaded.code, loaded.stderr).toBe(0);
    expect(loaded.stdout).toContain('Loaded image: made:1');
    const run = await dd(['run', '--rm', 'made:1', 'cat', '/made.txt']);
    expect(run.stdout).toBe('from-berthd\n');
    const ids = await Promise.all([env.d(['image', 'inspect', '-f', '{{.Id}}', 'made:1']), dd(['image', 'inspect', '-f', '{{.Id}}', 'made:1'])]);
    expect(ids[1].stdout).toBe(ids[0].stdout);
  });

  it('dockerd save (classic docker-archive, shared layers) -> berthd load -> run', async () => {
    await dd(['run', '--name', 'mk2', env.image, 'sh', '-c', 'echo from-dockerd > /theirs.txt && rm /etc/group']);
    expect((await dd(['commit', 'mk2', 'theirs:2'])).code).toBe(0);
    const file = join(work, 'dockerd.tar');
    expect((await dd(['save', '-o', file, 'theirs:2', env.image])).code).toBe(0);
    await env.d(['rmi', '-f', env.image]);
    const loaded = await env.d(['load', '-i', file]);
    expect(loaded.code, loaded.stderr).toBe(0);
    expect(loaded.stdout).toContain('Loaded image: theirs:2');
    expect(loaded.stdout).toContain(`Loaded image: ${env.image}`);
    const run = await env.d(['run', '--rm', 'theirs:2', 'sh', '-c', 'cat /theirs.txt; test -e /etc/group && echo group || echo no-group']);
    expect(run.stdout).toBe('from-dockerd\nno-group\n');
    const ids = await Promise.all([env.d(['image', 'inspect', '-f', '{{.Id}}', 'theirs:2']), dd(['image', 'inspect', '-f', '{{.Id}}', 'theirs:2'])]);
    expect(ids[0].stdout).toBe(ids[1].stdout);
    // And back out of berthd: the loaded layers are saved byte for byte (dockerd loads it again).
    const again = join(work, 'again.tar');
    expect((await env.d(['save', '-o', again, 'theirs:2'])).code).toBe(0);
    await dd(['rmi', '-f', 'theirs:2']);
    const reloaded = await dd(['load', '-q', '-i', again]);
    expect(reloaded.code, reloaded.stderr).toBe(0);
  });

  it('a hostile or inconsistent archive is refused and leaves no image, layer or blob behind', async () => {
    const dataRoot = env.berthd.dataRoot;
    const before = {
      images: (await env.d(['images', '-aq', '--no-trunc'])).stdout,
      layers: (await readdir(join(dataRoot, 'overlay2'))).length,
      blobs: (await readdir(join(dataRoot, 'content/blobs/sha256'))).length,
    };
    const good = await makeTar([{ name: 'ok.txt', content: 'fine\n' }]);
    const evil = await makeTar([{ name: '../../evil.txt', content: 'x' }]);
    const archive = async (layers: Buffer[], diffIds: string[]): Promise<Buffer> => {
      const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: diffIds } }));
      return makeTar([
        { name: 'cfg.json', content: config },
        ...layers.map((l, i) => ({ name: `l${i}/layer.tar`, content: l })),
        { name: 'manifest.json', content: JSON.stringify([{ Config: 'cfg.json', RepoTags: ['hostile:load'], Layers: layers.map((_, i) => `l${i}/layer.tar`) }]) },
      ]);
    };
    // An OCI layout (no manifest.json) whose gzip layer blob is not the one its manifest names.
    const ociWith = async (blob: Buffer, named: string, diffId: string): Promise<Buffer> => {
      const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [diffId] } }));
      const manifest = Buffer.from(JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
        layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: named, size: blob.length }],
      }));
      const index = { schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256(manifest), size: manifest.length, annotations: { 'io.containerd.image.name': 'hostile:oci' } }] };
      return makeTar([
        { name: `blobs/sha256/${named.slice(7)}`, content: blob },
        { name: `blobs/sha256/${sha256(config).slice(7)}`, content: config },
        { name: `blobs/sha256/${sha256(manifest).slice(7)}`, content: manifest },
        { name: 'index.json', content: JSON.stringify(index) },
      ]);
    };
    const goodGz = gzipSync(good);
    const cases: [string, Buffer][] = [
      ['a layer escaping its root', await archive([good, evil], [sha256(good), sha256(evil)])],
      ['a gzip layer cut short', await archive([goodGz.subarray(0, goodGz.length - 12)], [sha256(good)])],
      ['an OCI layer blob that is not the one its manifest names', await ociWith(goodGz, sha256(gzipSync(evil)), sha256(good))],
      ['a diffID that does not match', await archive([good], [sha256(evil)])],
      ['a manifest pointing outside the archive', await makeTar([{ name: 'manifest.json', content: JSON.stringify([{ Config: '../../etc/passwd', RepoTags: [], Layers: [] }]) }])],
      ['not a tar at all', Buffer.from('hello, this is not an archive at all, just text '.repeat(20))],
    ];
    for (const [what, bytes] of cases) {
      const file = join(work, 'hostile.tar');
      await writeFile(file, bytes);
      const r = await env.d(['load', '-i', file]);
      expect(r.code, what).not.toBe(0);
      expect(r.stderr, what).toMatch(/invalid image archive|refusing|invalid/i);
    }
    expect(execFileSync('ls', ['/']).toString()).not.toContain('evil.txt');
    expect((await env.d(['images', '-aq', '--no-trunc'])).stdout).toBe(before.images);
    expect((await env.d(['image', 'inspect', 'hostile:load'])).code).not.toBe(0);
    expect((await readdir(join(dataRoot, 'overlay2'))).length).toBe(before.layers);
    expect((await readdir(join(dataRoot, 'content/blobs/sha256'))).length).toBe(before.blobs);
    // Layers unpacked while the archive streamed in are gone too.
    expect(await readdir(join(dataRoot, 'overlay2/.tmp'))).toEqual([]);
  });

  it('a loaded image pushes with gzip layers (as dockerd) and pulls back as the same image', async () => {
    const loadedId = (await env.d(['image', 'inspect', '-f', '{{.Id}}', 'theirs:2'])).stdout;
    // A loaded layer is kept uncompressed; a push sends it gzipped (as dockerd), and the image
    // pulled back is the same image (its diffIDs, hence its ID, unchanged).
    const pushed = `${env.registry.host}/theirs:pushed`;
    expect((await env.d(['tag', 'theirs:2', pushed])).code).toBe(0);
    const push = await env.d(['push', pushed]);
    expect(push.code, push.stderr).toBe(0);
    const manifest = JSON.parse(execFileSync('curl', ['-sf', '-H', 'Accept: application/vnd.docker.distribution.manifest.v2+json', `${env.registry.url}/v2/theirs/manifests/pushed`]).toString()) as { layers: { mediaType: string }[] };
    expect(manifest.layers.map((l) => l.mediaType)).toEqual(manifest.layers.map(() => 'application/vnd.docker.image.rootfs.diff.tar.gzip'));
    await dd(['rmi', '-f', 'theirs:2']).catch(() => undefined);
    expect((await dd(['pull', pushed])).code).toBe(0);
    expect((await dd(['image', 'inspect', '-f', '{{.Id}}', pushed])).stdout).toBe(loadedId);
  });
});
