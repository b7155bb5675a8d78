/**
 * userns-remap (issue 12): berthd started with daemon.json `"userns-remap": "default"` creates the
 * dockremap user and its ranges, and runs containers in a user namespace: root inside is the
 * remapped uid on the host, image files keep their owners, what a container writes comes out of
 * cp/commit with container owners, volumes and their copy-up keep owners, host binds are unshifted,
 * `--userns host` opts out, dockerd's refusals apply, exec joins, info says name=userns, and a
 * setuid-root binary in the container is not host root.
 */
import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT, startBerthd, type BerthdHandle } from '../harness/berthd';
import { docker, type DockerResult } from '../harness/docker-cli';
import { busyboxImage, pushImage, volumeImage } from '../harness/fixtures';
import { startRegistry, type RegistryHandle } from '../harness/registry';
import { SANDBOX_ADDR, startNetnsSandbox, type NetnsSandbox } from '../harness/netns-sandbox';
import { hostProcessesOf } from './containers-env';

/** Prints its effective uid, then whether it can open argv[1] for writing. */
const SUID_PROBE = `#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv) {
  printf("euid=%d\\n", (int)geteuid());
  int fd = argc > 1 ? open(argv[1], O_WRONLY) : -1;
  printf("open=%s\\n", fd >= 0 ? "ok" : strerror(errno));
  return 0;
}
`;

/** The first range of a user in /etc/subuid or /etc/subgid. */
async function rangeOf(file: string, user: string): Promise<number> {
  const line = (await readFile(file, 'utf8')).split('\n').find((l) => l.startsWith(`${user}:`));
  if (!line) throw new Error(`${user} has no range in ${file}`);
  return Number(line.split(':')[1]);
}

/** uid and gid columns of a tar listing's owner field (`tar -tvn`: `-rw-r--r-- 1000/1000 …`). */
const owners = (listing: string): Record<string, string> =>
  Object.fromEntries(
    listing
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .map((f) => [f[f.length - 1] ?? '', f[1] ?? '']),
  );

describe.skipIf(!IS_ROOT)('security: userns-remap', () => {
  let registry: RegistryHandle;
  let berthd: BerthdHandle;
  let work = '';
  let image = '';
  let volImage = '';
  let subuid = 0;
  let subgid = 0;
  const d = (args: string[]): Promise<DockerResult> => docker(berthd.dockerHost, args);
  const ok = async (args: string[]): Promise<string> => {
    const r = await d(args);
    expect(r.code, `docker ${args.join(' ')}: ${r.stderr}\n${berthd.logs().slice(-3000)}`).toBe(0);
    return r.stdout;
  };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'berth-userns-'));
    await chmod(work, 0o755);
    await writeFile(join(work, 'probe.c'), SUID_PROBE);
    execFileSync('cc', ['-O2', '-static', '-o', join(work, 'probe'), join(work, 'probe.c')]);
    await writeFile(join(work, 'host-root-file'), 'host\n', { mode: 0o644 });
    registry = await startRegistry();
    await pushImage(registry.url, 'busybox', 'latest', await busyboxImage());
    await pushImage(registry.url, 'volimage', 'latest', await volumeImage());
    berthd = await startBerthd({ config: { 'userns-remap': 'default' } });
    image = `${registry.host}/busybox:latest`;
    volImage = `${registry.host}/volimage:latest`;
    await ok(['pull', image]);
    await ok(['pull', volImage]);
    subuid = await rangeOf('/etc/subuid', 'dockremap');
    subgid = await rangeOf('/etc/subgid', 'dockremap');
  }, 180_000);

  afterAll(async () => {
    const ids = (await d(['ps', '-aq']).catch(() => undefined))?.stdout.split('\n').filter(Boolean) ?? [];
    if (ids.length > 0) await d(['rm', '-f', ...ids]).catch(() => undefined);
    await berthd?.cleanup();
    await registry?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('creates dockremap with ranges and runs root in the container as the remapped uid on the host', async () => {
    expect(execFileSync('id', ['-u', 'dockremap'], { encoding: 'utf8' }).trim()).toMatch(/^\d+$/);
    expect(subuid).toBeGreaterThanOrEqual(100000);
    const id = (await ok(['run', '-d', '--name', 'remapped', image, 'sleep', '300'])).trim();
    const pids = await hostProcessesOf(id);
    expect(pids.length).toBeGreaterThan(0);
    const status = await readFile(`/proc/${pids[0]}/status`, 'utf8');
    expect(status).toMatch(new RegExp(`^Uid:\\s+${subuid}\\s+${subuid}\\s+${subuid}\\s+${subuid}$`, 'm'));
    expect(status).toMatch(new RegExp(`^Gid:\\s+${subgid}\\s`, 'm'));
    const inside = await ok(['exec', 'remapped', 'sh', '-c', 'id -u; id -g; cat /proc/self/uid_map; stat -c %u:%g /bin/busybox /etc /etc/hostname']);
    const lines = inside.trim().split('\n').map((l) => l.trim().replace(/\s+/g, ' '));
    expect(lines).toEqual(['0', '0', `0 ${subuid} 65536`, '0:0', '0:0', '0:0']);
    // Root inside still binds a low port (moby's default ip_unprivileged_port_start=0 of a private netns).
    const net = await ok(['exec', 'remapped', 'sh', '-c', '(nc -l -p 80 &) ; sleep 0.3; netstat -ltn | grep -c ":80 "']);
    expect(net.trim()).toBe('1');
  });

  it('tmpfs, /dev, /dev/shm and the pty are container root\'s; --read-only, --init, --user and container: namespaces work', async () => {
    const out = await ok(['run', '--rm', '-t', '--read-only', '--tmpfs', '/t', '--init', image, 'sh', '-c', 'stat -c %u:%g /t /dev /dev/shm $(tty); touch /t/x && echo tmpfs-ok; touch /x 2>/dev/null || echo ro-ok; cat /proc/1/cmdline | tr "\\0" " "']);
    // The pty is root:tty (devpts gid=5 mapped), as under dockerd.
    const lines = out.replace(/\r/g, '').trim().split('\n');
    expect(lines.slice(0, 6)).toEqual(['0:0', '0:0', '0:0', '0:5', 'tmpfs-ok', 'ro-ok']);
    expect(lines[6]).toMatch(/^\/sbin\/docker-init -- sh -c /);
    const id = (await ok(['run', '-d', '--user', '1000:1000', image, 'sleep', '300'])).trim();
    const [pid] = await hostProcessesOf(id);
    expect(await readFile(`/proc/${pid}/status`, 'utf8')).toMatch(new RegExp(`^Uid:\\s+${subuid + 1000}\\s`, 'm'));
    // Sharing a remapped container's net or pid namespace shares its user namespace, as dockerd.
    const own = (await ok(['exec', 'remapped', 'readlink', '/proc/self/ns/user'])).trim();
    const shared = await ok(['run', '--rm', '--network', 'container:remapped', '--pid', 'container:remapped', image, 'sh', '-c', 'id -u; ps -o comm | grep -c sleep; readlink /proc/self/ns/user']);
    expect(shared.trim().split('\n')).toEqual(['0', '1', own]);
    const apart = (await ok(['run', '--rm', image, 'readlink', '/proc/self/ns/user'])).trim();
    expect(apart).not.toBe(own);
  });

  it('its UTS and IPC namespaces belong to its user namespace, its network and mount ones to the host, as under dockerd', async () => {
    const id = (await ok(['run', '-d', '--cap-add', 'SYS_ADMIN', image, 'sh', '-c', 'hostname renamed && touch /tmp/done; sleep 300'])).trim();
    const [pid] = await hostProcessesOf(id);
    const nsId = (link: string): string => /\[(\d+)\]/.exec(link)?.[1] ?? link;
    const own = nsId(execFileSync('readlink', [`/proc/${pid}/ns/user`], { encoding: 'utf8' }));
    const host = nsId(execFileSync('readlink', ['/proc/self/ns/user'], { encoding: 'utf8' }));
    expect(own).not.toBe(host);
    const owner = (type: string): string => execFileSync('lsns', ['-n', '-o', 'ONS', '-t', type, '-p', String(pid)], { encoding: 'utf8' }).trim();
    expect({ uts: owner('uts'), ipc: owner('ipc'), net: owner('net'), mnt: owner('mnt') }).toEqual({ uts: own, ipc: own, net: host, mnt: host });
    // Root with SYS_ADMIN renames its own host (runc's behaviour); without it, it cannot.
    expect((await ok(['exec', id, 'sh', '-c', 'until [ -f /tmp/done ]; do sleep 0.1; done; hostname'])).trim()).toBe('renamed');
    const plain = await ok(['run', '--rm', '--hostname', 'kept', image, 'sh', '-c', 'hostname other 2>/dev/null || echo refused; hostname']);
    expect(plain.trim().split('\n')).toEqual(['refused', 'kept']);
    // exec joins them all, as host root, then the user namespace.
    expect((await ok(['exec', id, 'readlink', '/proc/self/ns/uts'])).trim()).toBe(execFileSync('readlink', [`/proc/${pid}/ns/uts`], { encoding: 'utf8' }).trim());
    await ok(['rm', '-f', id]);
  });

  it('lists name=userns in docker info', async () => {
    expect(JSON.parse(await ok(['info', '--format', '{{json .SecurityOptions}}']))).toContain('name=userns');
  });

  it('gives what a container writes container owners in cp, diff and commit', async () => {
    await ok(['run', '--name', 'writer', image, 'sh', '-c', 'echo hi > /f && mkdir /d && echo x > /d/g && chown -R 1000:1001 /d']);
    // The stored layer is unshifted: container ids on disk.
    const upper = (await ok(['inspect', '--format', '{{.GraphDriver.Data.UpperDir}}', 'writer'])).trim();
    const st = await stat(join(upper, 'd/g'));
    expect([st.uid, st.gid]).toEqual([1000, 1001]);
    expect((await stat(join(upper, 'f'))).uid).toBe(0);
    const tar = execFileSync('sh', ['-c', `docker cp writer:/d - | tar -tvn`], { env: { ...process.env, DOCKER_HOST: berthd.dockerHost }, encoding: 'utf8' });
    expect(owners(tar)).toMatchObject({ 'd/': '1000/1001', 'd/g': '1000/1001' });
    expect(await ok(['diff', 'writer'])).toMatch(/A \/d\/g/);
    await ok(['commit', 'writer', 'userns-committed:1']);
    const out = await ok(['run', '--rm', 'userns-committed:1', 'stat', '-c', '%u:%g', '/d/g', '/f']);
    expect(out.trim().split('\n')).toEqual(['1000:1001', '0:0']);
  });

  it('cp from and into a running remapped container keeps container owners', async () => {
    await ok(['run', '-d', '--name', 'live', image, 'sh', '-c', 'mkdir /w && echo y > /w/y && chown 1000:1000 /w/y && sleep 300']);
    await new Promise((r) => setTimeout(r, 300));
    const tar = execFileSync('sh', ['-c', `docker cp live:/w - | tar -tvn`], { env: { ...process.env, DOCKER_HOST: berthd.dockerHost }, encoding: 'utf8' });
    expect(owners(tar)).toMatchObject({ 'w/': '0/0', 'w/y': '1000/1000' });
    await writeFile(join(work, 'in.txt'), 'in\n');
    await ok(['cp', join(work, 'in.txt'), 'live:/w/in.txt']);
    expect((await ok(['exec', 'live', 'stat', '-c', '%u:%g', '/w/in.txt'])).trim()).toBe('0:0');
  });

  it('export of a running remapped container and a build (RUN in remapped containers) keep container owners', async () => {
    const tar = execFileSync('sh', ['-c', 'docker export live | tar -tvn w/y'], { env: { ...process.env, DOCKER_HOST: berthd.dockerHost }, encoding: 'utf8' });
    expect(owners(tar)).toMatchObject({ 'w/y': '1000/1000' });
    const ctx = join(work, 'ctx');
    execFileSync('mkdir', ['-p', ctx]);
    await writeFile(join(ctx, 'Dockerfile'), `FROM ${image}\nRUN mkdir /b && echo b > /b/f && chown -R 1000:1002 /b\nRUN id -u > /b/builder-uid\n`);
    const built = await docker(berthd.dockerHost, ['build', '--network', 'none', '-t', 'userns-built:1', ctx], { env: { DOCKER_BUILDKIT: '0' }, timeoutMs: 120_000 });
    expect(built.code, built.stderr).toBe(0);
    const out = await ok(['run', '--rm', 'userns-built:1', 'sh', '-c', 'stat -c %u:%g /b/f; cat /b/builder-uid']);
    expect(out.trim().split('\n')).toEqual(['1000:1002', '0']);
  });

  it('exec still joins a remapped container after berthd restarts', async () => {
    berthd = await berthd.restart();
    expect((await ok(['exec', 'live', 'sh', '-c', 'id -u; cat /proc/self/uid_map'])).trim().replace(/\s+/g, ' ')).toBe(`0 0 ${subuid} 65536`);
  });

  it('named volumes work and their copy-up keeps the image’s owners', async () => {
    const out = await ok(['run', '--rm', '-v', 'uvol:/data', volImage, 'sh', '-c', 'stat -c %u:%g /data /data/seed.txt /data/sub; touch /data/new; stat -c %u:%g /data/new']);
    expect(out.trim().split('\n')).toEqual(['1000:1000', '1000:1000', '1001:1001', '0:0']);
    const mountpoint = (await ok(['volume', 'inspect', '--format', '{{.Mountpoint}}', 'uvol'])).trim();
    expect((await stat(join(mountpoint, 'seed.txt'))).uid).toBe(1000);
    expect((await stat(join(mountpoint, 'new'))).uid).toBe(0);
  });

  it('does not shift host binds, nor a local volume bound to a host directory: host root files show as 65534', async () => {
    const out = await ok(['run', '--rm', '-v', `${join(work, 'host-root-file')}:/h:ro`, image, 'stat', '-c', '%u:%g', '/h']);
    expect(out.trim()).toBe('65534:65534');
    await ok(['volume', 'create', '--opt', 'type=none', '--opt', 'o=bind', '--opt', `device=${work}`, 'hostdir']);
    const vol = await ok(['run', '--rm', '-v', 'hostdir:/w', image, 'sh', '-c', 'stat -c %u:%g /w/host-root-file; echo x >> /w/host-root-file 2>/dev/null || echo denied']);
    expect(vol.trim().split('\n')).toEqual(['65534:65534', 'denied']);
    expect(await readFile(join(work, 'host-root-file'), 'utf8')).toBe('host\n');
  });

  it('runs --userns host without the user namespace', async () => {
    const out = await ok(['run', '--rm', '--userns', 'host', image, 'cat', '/proc/self/uid_map']);
    expect(out.trim().replace(/\s+/g, ' ')).toBe('0 0 4294967295');
    const priv = await ok(['run', '--rm', '--userns', 'host', '--privileged', image, 'cat', '/proc/self/uid_map']);
    expect(priv.trim().replace(/\s+/g, ' ')).toBe('0 0 4294967295');
  });

  it('refuses --privileged, --network host and --pid host without --userns host, as dockerd', async () => {
    const cases: Array<[string[], string]> = [
      [['--privileged'], 'privileged mode is incompatible with user namespaces.  You must run the container in the host namespace when running privileged mode'],
      [['--network', 'host'], "cannot share the host's network namespace when user namespaces are enabled"],
      [['--pid', 'host'], 'cannot share the host PID namespace when user namespaces are enabled'],
    ];
    for (const [args, message] of cases) {
      const r = await d(['create', ...args, image, 'true']);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr).toContain(message);
    }
  });

  it('a setuid-root binary in the container is root there but not on the host', async () => {
    const hostFile = join(work, 'host-root-file');
    await ok(['run', '-d', '--name', 'suid', '-v', `${join(work, 'probe')}:/probe:ro`, '-v', `${hostFile}:/hf`, image, 'sh', '-c', 'cp /probe /s && chmod 4755 /s && sleep 300']);
    await new Promise((r) => setTimeout(r, 300));
    const out = await ok(['exec', '--user', '1000', 'suid', '/s', '/hf']);
    expect(out).toContain('euid=0');
    expect(out).toContain('open=Permission denied');
    // The same with --userns host is host root.
    await ok(['run', '-d', '--name', 'suid-host', '--userns', 'host', '-v', `${join(work, 'probe')}:/probe:ro`, '-v', `${hostFile}:/hf`, image, 'sh', '-c', 'cp /probe /s && chmod 4755 /s && sleep 300']);
    await new Promise((r) => setTimeout(r, 300));
    expect(await ok(['exec', '--user', '1000', 'suid-host', '/s', '/hf'])).toContain('open=ok');
  });

  it('exec -t, top and stats work on a remapped container', async () => {
    const top = await ok(['top', 'remapped']);
    expect(top).toMatch(/sleep 300/);
    const stats = await ok(['stats', '--no-stream', '--format', '{{.Name}}', 'remapped']);
    expect(stats.trim()).toBe('remapped');
    const tty = await ok(['exec', '-t', 'remapped', 'sh', '-c', 'stat -c %u $(tty)']);
    expect(tty.trim()).toBe('0');
  });
});

describe.skipIf(!IS_ROOT)('security: userns-remap on the default bridge (netns sandbox)', () => {
  let seed: RegistryHandle;
  let sb: NetnsSandbox;

  beforeAll(async () => {
    seed = await startRegistry();
    await pushImage(seed.url, 'busybox', 'latest', await busyboxImage());
    sb = await startNetnsSandbox({ registryStorage: seed.storageDir, berthd: { config: { 'userns-remap': 'default' } } });
  }, 180_000);
  afterAll(async () => {
    await sb?.cleanup();
    await seed?.stop();
  }, 60_000);

  it('a remapped container on the bridge serves a published low port as its root', async () => {
    const image = `${sb.registry.host}/busybox:latest`;
    expect((await sb.d(['pull', image], { timeoutMs: 120_000 })).code).toBe(0);
    const run = await sb.d(['run', '-d', '--name', 'web', '-p', '8080:80', image, 'sh', '-c', 'mkdir -p /www && id -u > /www/index.html && exec httpd -f -p 80 -h /www']);
    expect(run.code, run.stderr).toBe(0);
    let body = '';
    for (let i = 0; i < 50 && body === ''; i++) {
      const r = await sb.exec('outside', ['curl', '-s', '--max-time', '3', `http://${SANDBOX_ADDR}:8080/`]);
      body = r.code === 0 ? r.stdout : '';
      if (body === '') await new Promise((res) => setTimeout(res, 200));
    }
    expect(body).toBe('0\n');
    expect((await sb.d(['exec', 'web', 'cat', '/proc/self/uid_map'])).stdout.trim()).toMatch(/^0\s+\d{6,}\s+65536$/);
  });
});
