/**
 * Proves the shared test harness itself: fixture images push to and read back from a real
 * docker-registry, a second registry mirrors the first (pull-through), blobs can be found and
 * corrupted on disk, and the throwaway sshd accepts its client key and is rejected under a wrong
 * host key. Every other integration suite relies on these.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extract } from 'tar-stream';
import { IS_ROOT } from '../harness/berthd';
import {
  bigImage,
  busyboxImage,
  getManifest,
  hostileLayerImage,
  multiLayerImage,
  multiPlatformIndex,
  pushImage,
  sharedBaseImages,
  shellFormImage,
  type FixtureImage,
} from '../harness/fixtures';
import { blobPath, corruptBlob, deadPort, listBlobFiles, startRegistry, type RegistryHandle } from '../harness/registry';
import { startSshAgent, startSshd, type SshdHandle } from '../harness/sshd';

const execFileP = promisify(execFile);

async function tarNames(tgz: Buffer): Promise<Map<string, { type: string; mode: number; uid: number; gid: number; linkname: string | null | undefined }>> {
  const ex = extract();
  const out = new Map<string, { type: string; mode: number; uid: number; gid: number; linkname: string | null | undefined }>();
  const done = new Promise<void>((res, rej) => {
    ex.on('entry', (h, stream, next) => {
      out.set(h.name, { type: h.type ?? 'file', mode: h.mode ?? 0, uid: h.uid ?? -1, gid: h.gid ?? -1, linkname: h.linkname });
      stream.on('end', next);
      stream.resume();
    });
    ex.on('finish', () => res());
    ex.on('error', rej);
  });
  ex.end(gunzipSync(tgz));
  await done;
  return out;
}

const sha = (b: Buffer) => 'sha256:' + createHash('sha256').update(b).digest('hex');

describe('fixture images', () => {
  it('busybox image is a valid schema2 image with every applet linked, root-owned, with the right modes', async () => {
    const img = await busyboxImage();
    const manifest = JSON.parse(img.manifest.toString());
    const config = JSON.parse(img.config.toString());
    expect(manifest.mediaType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    expect(manifest.config.digest).toBe(sha(img.config));
    expect(config.architecture).toBe('amd64');
    expect(config.os).toBe('linux');
    expect(config.config.Cmd).toEqual(['sh']);
    expect(config.history.some((h: { empty_layer?: boolean; created_by: string }) => h.empty_layer && h.created_by === '/bin/sh -c #(nop)  CMD ["sh"]')).toBe(true);
    const layer = img.layers[0]!;
    expect(layer.digest).toBe(sha(layer.tgz));
    expect(config.rootfs.diff_ids).toEqual([sha(gunzipSync(layer.tgz))]);
    const entries = await tarNames(layer.tgz);
    expect(entries.get('bin/busybox')?.mode).toBe(0o755);
    expect(entries.get('tmp/')?.mode).toBe(0o1777);
    expect(entries.get('bin/sh')).toMatchObject({ type: 'link', linkname: 'bin/busybox' });
    expect(entries.get('usr/bin/awk')).toMatchObject({ type: 'link', linkname: 'bin/busybox' });
    for (const [, e] of entries) {
      expect([0, 1000]).toContain(e.uid);
    }
    // Same builder, same bytes: digests are stable.
    expect((await busyboxImage()).manifestDigest).toBe(img.manifestDigest);
  });

  it.skipIf(!IS_ROOT)('busybox layer unpacks into a working root filesystem (chroot sh, applets, users)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-rootfs-'));
    try {
      const tgz = join(dir, 'layer.tgz');
      await writeFile(tgz, (await busyboxImage()).layers[0]!.tgz);
      const root = join(dir, 'root');
      await execFileP('mkdir', [root]);
      await execFileP('tar', ['-xzf', tgz, '-C', root, '--numeric-owner']);
      const { stdout } = await execFileP('chroot', [root, '/bin/sh', '-c', 'echo ok; id -un; awk "BEGIN{print 6*7}"; stat -c %a /tmp; stat -c %U /home/app']);
      expect(stdout.split('\n')).toEqual(['ok', 'root', '42', '1777', 'app', '']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('multi-layer image carries a whiteout and an opaque marker', async () => {
    const img = await multiLayerImage();
    expect(img.layers).toHaveLength(3);
    const top = await tarNames(img.layers[2]!.tgz);
    expect(top.has('data/.wh.gone')).toBe(true);
    expect(top.has('data/opq/.wh..wh..opq')).toBe(true);
  });

  it('shell-form, shared-base and hostile images have the promised shape', async () => {
    const shell = JSON.parse((await shellFormImage()).config.toString());
    expect(shell.config.Cmd).toEqual(['/bin/sh', '-c', 'sleep 1000']);
    expect(shell.history.map((h: { created_by: string }) => h.created_by)).toContain('/bin/sh -c #(nop)  CMD ["/bin/sh" "-c" "sleep 1000"]');
    const { a, b, baseDigest } = await sharedBaseImages();
    expect(a.layers[0]!.digest).toBe(baseDigest);
    expect(b.layers[0]!.digest).toBe(baseDigest);
    expect(a.layers[1]!.digest).not.toBe(b.layers[1]!.digest);
    const names = await tarNames((await hostileLayerImage('dotdot')).image.layers[1]!.tgz);
    expect(names.has('../berth-escape-dotdot')).toBe(true);
    const abs = await tarNames((await hostileLayerImage('absolute')).image.layers[1]!.tgz);
    expect(abs.has('/tmp/berth-escape-absolute')).toBe(true);
    const sym = await tarNames((await hostileLayerImage('symlink')).image.layers[1]!.tgz);
    expect(sym.get('link')).toMatchObject({ type: 'symlink', linkname: '/tmp' });
    const hard = await tarNames((await hostileLayerImage('hardlink')).image.layers[1]!.tgz);
    expect(hard.get('stolen')).toMatchObject({ type: 'link', linkname: '/etc/shadow' });
  });

  it('big image is deterministic and mostly incompressible (small variant)', async () => {
    const x = await bigImage({ layers: 2, totalMB: 2, compressibleMB: 2, seed: 'harness-test' });
    const y = await bigImage({ layers: 2, totalMB: 2, compressibleMB: 2, seed: 'harness-test' });
    expect(x.manifestDigest).toBe(y.manifestDigest);
    expect(x.layers).toHaveLength(2);
    const total = x.layers.reduce((s, l) => s + l.size, 0);
    expect(total).toBeGreaterThan(2 * 1024 * 1024);
    expect(total).toBeLessThan(2.3 * 1024 * 1024);
  });
});

describe.skipIf(!IS_ROOT)('registry harness', () => {
  let upstream: RegistryHandle;
  let mirror: RegistryHandle;
  let busybox: FixtureImage;

  beforeAll(async () => {
    upstream = await startRegistry();
    mirror = await startRegistry({ proxyRemoteUrl: upstream.url });
    busybox = await busyboxImage();
  });
  afterAll(async () => {
    await mirror?.stop();
    await upstream?.stop();
  });

  it('pushes busybox and serves the same manifest back', async () => {
    const pushed = await pushImage(upstream.url, 'library/busybox', 'latest', busybox);
    expect(pushed.manifestDigest).toBe(busybox.manifestDigest);
    const got = await getManifest(upstream.url, 'library/busybox', 'latest');
    expect(got.status).toBe(200);
    expect(got.body.equals(busybox.manifest)).toBe(true);
    expect(got.contentType).toBe('application/vnd.docker.distribution.manifest.v2+json');
    const blob = await fetch(`${upstream.url}/v2/library/busybox/blobs/${busybox.layers[0]!.digest}`);
    expect(sha(Buffer.from(await blob.arrayBuffer()))).toBe(busybox.layers[0]!.digest);
  });

  it('a proxy registry serves the upstream manifest and blobs (pull-through)', async () => {
    const got = await getManifest(mirror.url, 'library/busybox', 'latest');
    expect(got.status).toBe(200);
    expect(got.digest).toBe(busybox.manifestDigest);
    const blob = await fetch(`${mirror.url}/v2/library/busybox/blobs/${busybox.configDigest}`);
    expect(Buffer.from(await blob.arrayBuffer()).equals(busybox.config)).toBe(true);
  });

  it('pushes a multi-platform OCI index with an attestation manifest', async () => {
    const idx = await multiPlatformIndex();
    const pushed = await pushImage(upstream.url, 'multi', 'latest', idx);
    expect(pushed.manifestDigest).toBe(idx.indexDigest);
    expect(pushed.childDigests).toHaveLength(3);
    const got = await getManifest(upstream.url, 'multi', 'latest');
    expect(got.contentType).toBe('application/vnd.oci.image.index.v1+json');
    const body = JSON.parse(got.body.toString());
    expect(body.manifests.map((m: { platform: { architecture: string } }) => m.platform.architecture)).toEqual(['amd64', 'arm64', 'unknown']);
  });

  it('finds and corrupts blob files on disk', async () => {
    const files = await listBlobFiles(upstream.storageDir);
    const layerDigest = busybox.layers[0]!.digest;
    expect(files.map((f) => f.digest)).toContain(layerDigest);
    expect(existsSync(blobPath(upstream.storageDir, layerDigest))).toBe(true);
    await pushImage(upstream.url, 'corrupt', 'latest', await multiLayerImage());
    const victim = (await multiLayerImage()).layers[2]!.digest;
    await corruptBlob(upstream.storageDir, victim);
    const res = await fetch(`${upstream.url}/v2/corrupt/blobs/${victim}`);
    const data = Buffer.from(await res.arrayBuffer());
    expect(res.status).toBe(200);
    expect(sha(data)).not.toBe(victim);
  });

  it('deadPort refuses connections', async () => {
    const port = await deadPort();
    const err = await new Promise<string>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.on('connect', () => {
        s.destroy();
        resolve('connected');
      });
      s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    expect(err).toBe('ECONNREFUSED');
  });
});

describe.skipIf(!IS_ROOT)('sshd harness', () => {
  let sshd: SshdHandle;
  beforeAll(async () => {
    sshd = await startSshd();
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  /** ssh client args; with `key` undefined only an agent (SSH_AUTH_SOCK) can authenticate. */
  const sshArgs = (known: string, key?: string) => [
    '-o', 'BatchMode=yes',
    '-o', `UserKnownHostsFile=${known}`,
    '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', 'ConnectTimeout=10',
    ...(key ? ['-o', 'IdentitiesOnly=yes', '-o', 'IdentityAgent=none', '-i', key] : ['-o', 'IdentityFile=/dev/null']),
    '-p', String(sshd.port),
    'root@127.0.0.1',
  ];

  it('accepts the client key with the right known_hosts', async () => {
    const { stdout } = await execFileP('ssh', [...sshArgs(sshd.knownHostsPath, sshd.clientKeyPath), 'echo', 'berth-ok']);
    expect(stdout.trim()).toBe('berth-ok');
  });

  it('forwards a local unix socket to a remote unix socket (what the app uses to reach berthd)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-fwd-'));
    const remote = join(dir, 'remote.sock');
    const local = join(dir, 'local.sock');
    const server = createServer((c) => c.on('data', (d) => c.end(`echo:${d.toString()}`)));
    await new Promise<void>((res) => server.listen(remote, res));
    const ssh = spawn('ssh', ['-N', '-o', 'ExitOnForwardFailure=yes', '-L', `${local}:${remote}`, ...sshArgs(sshd.knownHostsPath, sshd.clientKeyPath)], { stdio: 'ignore' });
    try {
      const deadline = Date.now() + 15_000;
      while (!existsSync(local) && Date.now() < deadline && ssh.exitCode === null) await new Promise((r) => setTimeout(r, 50));
      expect(existsSync(local)).toBe(true);
      const reply = await new Promise<string>((resolve, reject) => {
        const c = connect(local);
        let buf = '';
        c.on('data', (d: Buffer) => (buf += d.toString()));
        c.on('end', () => resolve(buf));
        c.on('error', reject);
        c.write('ping');
      });
      expect(reply).toBe('echo:ping');
    } finally {
      if (ssh.exitCode === null && ssh.signalCode === null) {
        const gone = new Promise<void>((res) => ssh.once('exit', () => res()));
        ssh.kill('SIGTERM');
        await gone;
      }
      await new Promise<void>((res) => server.close(() => res()));
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses when the host key does not match', async () => {
    const err = await execFileP('ssh', [...sshArgs(sshd.wrongKnownHostsPath, sshd.clientKeyPath), 'true']).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(255);
    expect(err?.stderr).toMatch(/HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
  });

  it('refuses an unauthorized key', async () => {
    const err = await execFileP('ssh', [...sshArgs(sshd.knownHostsPath, sshd.unauthorizedKeyPath), 'true']).then(
      () => null,
      (e: { code: number; stderr: string }) => e,
    );
    expect(err?.code).toBe(255);
    expect(err?.stderr).toMatch(/Permission denied/);
  });

  it('authenticates through an ssh-agent', async () => {
    const agent = await startSshAgent([sshd.clientKeyPath]);
    try {
      const { stdout } = await execFileP('ssh', [...sshArgs(sshd.knownHostsPath), 'echo', 'agent-ok'], { env: { ...process.env, SSH_AUTH_SOCK: agent.socket } });
      expect(stdout.trim()).toBe('agent-ok');
    } finally {
      await agent.stop();
    }
  });
});
