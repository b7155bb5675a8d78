/**
 * Registry mirrors, end to end. Docker Hub is unreachable on this machine, so a `docker pull
 * busybox` that succeeds can only have come through a mirror. The mirror is a real docker-registry
 * in pull-through mode (`proxy.remoteurl`) in front of a loopback "upstream" registry holding
 * library/busybox; a dead port is listed before it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT, engineRequest, startBerthd, type BerthdHandle } from '../harness/berthd';
import { docker } from '../harness/docker-cli';
import { busyboxImage, pushImage, type FixtureImage } from '../harness/fixtures';
import { deadPort, startRegistry, type RegistryHandle } from '../harness/registry';

describe.skipIf(!IS_ROOT)('images: pulls through registry mirrors', () => {
  let upstream: RegistryHandle;
  let mirror: RegistryHandle;
  let empty: RegistryHandle;
  let d: BerthdHandle;
  let dead: string;
  let busybox: FixtureImage;

  beforeAll(async () => {
    upstream = await startRegistry();
    busybox = await busyboxImage();
    await pushImage(upstream.url, 'library/busybox', 'latest', busybox);
    mirror = await startRegistry({ proxyRemoteUrl: upstream.url });
    empty = await startRegistry();
    dead = `http://127.0.0.1:${await deadPort()}`;
    d = await startBerthd({ config: { 'registry-mirrors': [dead, mirror.url] } });
  });
  afterAll(async () => {
    await d?.cleanup();
    for (const r of [mirror, empty, upstream]) await r?.stop();
  });

  it('pulls busybox from Docker Hub through the second mirror and says the first was skipped', async () => {
    const r = await docker(d.dockerHost, ['pull', 'busybox']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain(`Pulling from mirror ${dead}`);
    expect(r.stdout).toContain(`Mirror ${dead} skipped: connection refused`);
    expect(r.stdout).toContain(`Pulling from mirror ${mirror.url}`);
    expect(r.stdout).toContain('latest: Pulling from library/busybox');
    expect(r.stdout).toContain(`Digest: ${busybox.manifestDigest}`);
    expect(r.stdout).toContain('Status: Downloaded newer image for busybox:latest');
    expect(r.stdout.trim().split('\n').at(-1)).toBe('docker.io/library/busybox:latest');
    // The skipped endpoint comes before the serving one, and Hub itself was never tried.
    expect(r.stdout.indexOf('skipped')).toBeLessThan(r.stdout.indexOf(`Pulling from mirror ${mirror.url}`));
    expect(r.stdout).not.toContain('registry-1.docker.io');

    const list = await docker(d.dockerHost, ['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}} {{.Digest}}', '--digests']);
    expect(list.stdout.trim()).toBe(`busybox:latest ${busybox.configDigest.slice(7, 19)} ${busybox.manifestDigest}`);
  });

  it('names the serving endpoint in an aux message for the app', async () => {
    const r = await engineRequest(d.socket, 'POST', '/v1.48/images/create?fromImage=busybox&tag=latest');
    expect(r.status).toBe(200);
    const msgs = r.body.trim().split('\r\n').map((l) => JSON.parse(l) as { status?: string; aux?: unknown });
    expect(msgs).toContainEqual(expect.objectContaining({ aux: { BerthEndpoint: { url: mirror.url, mirror: true } } }));
    expect(msgs.filter((m) => m.aux !== undefined)).toHaveLength(1);
    expect(msgs.at(-1)?.status).toBe('Status: Image is up to date for busybox:latest');
  });

  it('keeps the old mirrors when a config with a bad URL is refused', async () => {
    const bad = await engineRequest(d.socket, 'PUT', '/berth/v1/config/mirrors', JSON.stringify({ registryMirrors: ['not-a-url'] }));
    expect(bad.status).toBe(400);
    expect((await docker(d.dockerHost, ['rmi', 'busybox'])).code).toBe(0);
    const r = await docker(d.dockerHost, ['pull', 'busybox:latest']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Pulling from mirror ${mirror.url}`);
    expect(r.stdout).toContain('Status: Downloaded newer image for busybox:latest');
  });

  it('falls back from a mirror that answers with a registry error (manifest unknown) to the next endpoint', async () => {
    // Berth's per-registry mirrors: the empty registry mirrors the upstream host; the upstream itself is last.
    const put = await engineRequest(d.socket, 'PUT', '/berth/v1/config/mirrors', JSON.stringify({ registryMirrors: [dead, mirror.url], mirrors: { [upstream.host]: [dead, empty.url] } }));
    expect(put.status, put.body).toBe(200);
    const ref = `${upstream.host}/library/busybox:latest`;
    const r = await docker(d.dockerHost, ['pull', ref]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`Mirror ${dead} skipped: connection refused`);
    expect(r.stdout).toMatch(new RegExp(`Mirror ${empty.url} skipped: .*manifest unknown`));
    expect(r.stdout).toContain(`Pulling from registry ${upstream.url}`);
    // Same image as through the Hub mirror: its layer was already there.
    expect(r.stdout).toContain('Already exists');
  });

  it('does not fall back past the registry itself: its errors are final and say what is missing', async () => {
    const r = await docker(d.dockerHost, ['pull', `${upstream.host}/library/nothing:here`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not found|repository does not exist/);
    expect(r.stdout + r.stderr).toContain(`Mirror ${empty.url} skipped`);
  });
});
