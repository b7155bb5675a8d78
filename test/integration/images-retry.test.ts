/**
 * A layer download whose connection drops midway is retried (moby's retryOnError) and the pull
 * succeeds; the failed attempt leaves nothing behind. A loopback TCP proxy in front of a real
 * registry cuts the first transfer of the big layer after ~1 MB.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT, startBerthd, type BerthdHandle } from '../harness/berthd';
import { docker } from '../harness/docker-cli';
import { bigImage, pushImage, type FixtureImage } from '../harness/fixtures';
import { startRegistry, type RegistryHandle } from '../harness/registry';

describe.skipIf(!IS_ROOT)('images: retry of a dropped layer download', () => {
  let registry: RegistryHandle;
  let proxy: Server;
  let proxyHost: string;
  let d: BerthdHandle;
  let img: FixtureImage;
  let cut = 0;
  const sockets = new Set<Socket>();

  beforeAll(async () => {
    registry = await startRegistry();
    img = await bigImage({ layers: 2, totalMB: 8, compressibleMB: 8, seed: 'berth-retry' });
    await pushImage(registry.url, 'retry/img', 'v1', img);
    const victim = img.layers[1]!.digest;
    proxy = createServer((client) => {
      const upstream = connect(registry.port, '127.0.0.1');
      sockets.add(client).add(upstream);
      let cutThis = false;
      let forwarded = 0;
      client.on('data', (d: Buffer) => {
        if (cut === 0 && d.toString('latin1').startsWith(`GET /v2/retry/img/blobs/${victim}`)) {
          cut++;
          cutThis = true;
        }
        upstream.write(d);
      });
      upstream.on('data', (d: Buffer) => {
        forwarded += d.length;
        client.write(d);
        if (cutThis && forwarded > 1_000_000) {
          client.destroy();
          upstream.destroy();
        }
      });
      const close = (): void => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    proxyHost = `127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    d = await startBerthd();
  });
  afterAll(async () => {
    await d?.cleanup();
    for (const s of sockets) s.destroy();
    await new Promise((r) => proxy?.close(r));
    await registry?.stop();
  });

  it('retries the layer and completes the pull', async () => {
    const r = await docker(d.dockerHost, ['pull', `${proxyHost}/retry/img:v1`]);
    expect(r.code, r.stderr).toBe(0);
    expect(cut).toBe(1);
    expect(r.stdout).toContain(`${img.layers[1]!.digest.slice(7, 19)}: Retrying in 1 second`);
    expect(r.stdout).toContain('Status: Downloaded newer image');
    const id = await docker(d.dockerHost, ['image', 'inspect', '--format', '{{.Id}}', `${proxyHost}/retry/img:v1`]);
    expect(id.stdout.trim()).toBe(img.configDigest);
  });
});
