/**
 * Two concurrent pulls of images that share their base layer fetch that blob once: the second pull
 * waits for the layer the first one is downloading (dockerd shares downloads the same way). A
 * loopback proxy in front of the registry holds the first base-blob request until both pulls have
 * asked for their own top layers, so both are certainly in their layer phase at the same time; the
 * registry's access log then counts the GETs per blob.
 */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT, startBerthd, type BerthdHandle } from '../harness/berthd';
import { docker } from '../harness/docker-cli';
import { buildImage, busyboxRootfsEntries, makeLayer, pushImage, seededRandomBytes, type FixtureImage } from '../harness/fixtures';
import { blobGets, startRegistry, type RegistryHandle } from '../harness/registry';

describe.skipIf(!IS_ROOT)('images: concurrent pulls share a layer download', () => {
  let registry: RegistryHandle;
  let proxy: Server;
  let proxyHost: string;
  let d: BerthdHandle;
  let a: FixtureImage;
  let b: FixtureImage;
  const sockets = new Set<Socket>();
  const seenTops = new Set<string>();
  let releaseBase: () => void = () => undefined;
  const baseReleased = new Promise<void>((r) => (releaseBase = r));

  beforeAll(async () => {
    registry = await startRegistry({ accessLog: true });
    const base = await makeLayer([
      ...busyboxRootfsEntries(),
      { name: 'opt/', type: 'directory' },
      { name: 'opt/base.bin', content: seededRandomBytes('berth-share-base', 4 << 20) },
    ]);
    const image = async (v: string): Promise<FixtureImage> =>
      buildImage({ layers: [base, await makeLayer([{ name: 'etc/', type: 'directory' }, { name: 'etc/variant', content: `${v}\n` }])], config: { Cmd: ['sh'] } });
    a = await image('a');
    b = await image('b');
    await pushImage(registry.url, 'share/a', 'v1', a);
    await pushImage(registry.url, 'share/b', 'v1', b);
    const baseDigest = base.digest;
    const tops = [a.layers[1]!.digest, b.layers[1]!.digest];
    proxy = createServer((client) => {
      const upstream = connect(registry.port, '127.0.0.1');
      sockets.add(client).add(upstream);
      client.on('data', (chunk: Buffer) => {
        const line = chunk.toString('latin1').split('\r\n', 1)[0] ?? '';
        for (const t of tops) if (line.startsWith('GET ') && line.includes(`/blobs/${t} `)) seenTops.add(t);
        if (seenTops.size === tops.length) releaseBase();
        if (line.startsWith('GET ') && line.includes(`/blobs/${baseDigest} `)) {
          // Held until both pulls are downloading their top layers.
          client.pause();
          void baseReleased.then(() => {
            upstream.write(chunk);
            client.resume();
          });
          return;
        }
        upstream.write(chunk);
      });
      upstream.on('data', (chunk: Buffer) => client.write(chunk));
      const close = (): void => {
        client.destroy();
        upstream.destroy();
      };
      // End, not destroy, when one side finishes: the registry closes right after a blob, and
      // destroying the client then would drop what berthd has not read yet (a truncated blob and a
      // retry that the GET count would blame on berthd).
      client.on('error', close).on('end', () => upstream.end());
      upstream.on('error', close).on('end', () => client.end());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    proxyHost = `127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    d = await startBerthd();
  });
  afterAll(async () => {
    releaseBase();
    await d?.cleanup();
    for (const s of sockets) s.destroy();
    await new Promise((r) => proxy?.close(r));
    await registry?.stop();
  });

  it('downloads the shared base layer once and both images use it', async () => {
    const [ra, rb] = await Promise.all([docker(d.dockerHost, ['pull', `${proxyHost}/share/a:v1`]), docker(d.dockerHost, ['pull', `${proxyHost}/share/b:v1`])]);
    expect(ra.code, ra.stderr).toBe(0);
    expect(rb.code, rb.stderr).toBe(0);
    expect(seenTops.size).toBe(2);
    const base = a.layers[0]!.digest;
    expect(blobGets(registry.logs(), base)).toBe(1);
    expect(blobGets(registry.logs(), a.layers[1]!.digest)).toBe(1);
    expect(blobGets(registry.logs(), b.layers[1]!.digest)).toBe(1);
    // One of the two pulls waited for the other's download of the base layer.
    expect(`${ra.stdout}\n${rb.stdout}`).toContain(`${base.slice(7, 19)}: Waiting`);
    for (const [ref, img] of [[`${proxyHost}/share/a:v1`, a], [`${proxyHost}/share/b:v1`, b]] as const) {
      const id = await docker(d.dockerHost, ['image', 'inspect', '--format', '{{.Id}} {{index .RootFS.Layers 0}}', ref]);
      expect(id.stdout.trim()).toBe(`${img.configDigest} ${img.layers[0]!.diffId}`);
    }
    // Each image still runs from the shared layer.
    const run = await docker(d.dockerHost, ['run', '--rm', '--network', 'none', `${proxyHost}/share/b:v1`, 'cat', '/etc/variant']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe('b');
  });
});
