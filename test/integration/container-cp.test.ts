import { execFileSync } from 'node:child_process';
/**
 * `docker cp` both ways through the stock CLI: a tree with modes, owners, symlinks, a hardlink and
 * mtimes survives a round trip; copying into a stopped (never started) container; and hostile
 * symlinks in the container (absolute, relative, looping, through a bind-mounted volume) never
 * lead to the host's files, for reads and for writes, on running and stopped containers.
 */
import { chmod, chown, link, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extract } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineRequest, IS_ROOT } from '../harness/berthd';
import { makeTar } from '../harness/fixtures';
import { startContainersEnv, type ContainersEnv } from './containers-env';

const T1 = new Date('2021-03-04T05:06:07Z');
const T2 = new Date('2019-11-12T13:14:15Z');

/** A source tree with what `cp` must keep. */
async function makeTree(root: string): Promise<void> {
  await mkdir(join(root, 'tree/conf/deep'), { recursive: true });
  await writeFile(join(root, 'tree/conf/app.ini'), 'key=value\n');
  await writeFile(join(root, 'tree/run.sh'), '#!/bin/sh\necho run\n');
  await writeFile(join(root, 'tree/secret'), 'shh\n');
  await writeFile(join(root, 'tree/conf/deep/empty'), '');
  await link(join(root, 'tree/run.sh'), join(root, 'tree/run-hard.sh'));
  await symlink('conf/app.ini', join(root, 'tree/rel-link'));
  await symlink('/etc/hostname', join(root, 'tree/abs-link'));
  await chmod(join(root, 'tree/run.sh'), 0o4755);
  await chmod(join(root, 'tree/secret'), 0o600);
  await chmod(join(root, 'tree/conf'), 0o750);
  await chown(join(root, 'tree/secret'), 1234, 5678);
  await chown(join(root, 'tree/conf'), 42, 43);
  for (const p of ['tree/conf/app.ini', 'tree/run.sh', 'tree/secret', 'tree/conf/deep/empty', 'tree/conf/deep', 'tree/conf', 'tree']) await utimes(join(root, p), T1, p === 'tree/secret' ? T2 : T1);
}

interface Node {
  path: string;
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  link?: string;
  body?: string;
  ino?: number;
}

async function snapshot(root: string, rel = ''): Promise<Node[]> {
  const out: Node[] = [];
  for (const name of (await readdir(join(root, rel))).sort()) {
    const path = rel === '' ? name : `${rel}/${name}`;
    const st = await lstat(join(root, path));
    const node: Node = { path, mode: st.mode, uid: st.uid, gid: st.gid, mtime: st.isSymbolicLink() ? 0 : Math.floor(st.mtimeMs / 1000) };
    if (st.isSymbolicLink()) node.link = await readlink(join(root, path));
    if (st.isFile()) node.body = await readFile(join(root, path), 'utf8');
    out.push(node);
    if (st.isDirectory()) out.push(...(await snapshot(root, path)));
  }
  return out;
}

describe.skipIf(!IS_ROOT)('docker cp', () => {
  let env: ContainersEnv;
  let work: string;
  beforeAll(async () => {
    env = await startContainersEnv();
    work = await mkdtemp(join(tmpdir(), 'berth-cp-'));
    await makeTree(join(work, 'src'));
  });
  afterAll(async () => {
    await env?.cleanup();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('round trip into a stopped container and back keeps modes, owners, symlinks, hardlinks and mtimes', async () => {
    expect((await env.d(['create', '--name', 'rt', env.image, 'sleep', '300'])).code).toBe(0);
    const into = await env.d(['cp', join(work, 'src/tree'), 'rt:/tmp/']);
    expect(into.code, into.stderr).toBe(0);
    // Seen from inside once it runs: owners and modes as copied, the hardlink shared.
    expect((await env.d(['start', 'rt'])).code).toBe(0);
    const ls = await env.d(['exec', 'rt', 'sh', '-c', 'stat -c "%n %a %u:%g %h" /tmp/tree/secret /tmp/tree/run.sh /tmp/tree/conf; readlink /tmp/tree/rel-link']);
    expect(ls.stdout).toBe('/tmp/tree/secret 600 1234:5678 1\n/tmp/tree/run.sh 4755 0:0 2\n/tmp/tree/conf 750 42:43 3\nconf/app.ini\n');
    await mkdir(join(work, 'back'));
    const out = await env.d(['cp', '-a', 'rt:/tmp/tree', join(work, 'back/')]);
    expect(out.code, out.stderr).toBe(0);
    // The CLI extracts on the host as the invoking user (owners are the container's only in the
    // archive itself, checked below); modes, mtimes, links and content must match.
    const noOwner = (n: Node[]): Omit<Node, 'uid' | 'gid'>[] => n.map(({ uid: _u, gid: _g, ...rest }) => rest);
    const before = await snapshot(join(work, 'src'));
    const after = await snapshot(join(work, 'back'));
    expect(noOwner(after)).toEqual(noOwner(before));
    // The archive `docker cp rt:/tmp/tree -` streams carries the owners.
    const tarFile = join(work, 'tree.tar');
    execFileSync('sh', ['-c', `docker cp rt:/tmp/tree - > ${tarFile}`], { env: { ...process.env, DOCKER_HOST: env.berthd.dockerHost } });
    const owners = new Map<string, string>();
    const ex = extract();
    const reading = (async () => {
      for await (const e of ex) {
        owners.set(e.header.name.replace(/\/$/, ''), `${e.header.uid}:${e.header.gid} ${(e.header.mode ?? 0).toString(8)} ${e.header.type}${e.header.linkname ? ` ${e.header.linkname}` : ''}`);
        e.resume();
      }
    })();
    ex.end(await readFile(tarFile));
    await reading;
    expect(owners.get('tree/secret')).toBe('1234:5678 600 file');
    expect(owners.get('tree/conf')).toBe('42:43 750 directory');
    // The first name of the inode in walk order is the file, the other a link to it.
    expect(owners.get('tree/run-hard.sh')).toBe('0:0 4755 file');
    expect(owners.get('tree/run.sh')).toBe('0:0 4755 link tree/run-hard.sh');
    expect(owners.get('tree/abs-link')).toBe('0:0 777 symlink /etc/hostname');
    const [a, b] = await Promise.all([lstat(join(work, 'back/tree/run.sh')), lstat(join(work, 'back/tree/run-hard.sh'))]);
    expect(a.ino).toBe(b.ino);
  });

  it('a start waits for a copy out of the stopped container to end, then runs (the rootfs is never mounted twice)', async () => {
    expect((await env.d(['create', '--name', 'gate', env.image, 'sleep', '300'])).code).toBe(0);
    // A download of the whole root that the client stops reading: the copy's view stays open.
    const req = request({ socketPath: env.berthd.socket, path: '/containers/gate/archive?path=/', method: 'GET' });
    const firstBytes = new Promise<void>((resolveFirst, reject) => {
      req.on('response', (res) => {
        expect(res.statusCode).toBe(200);
        res.once('data', () => {
          res.pause();
          resolveFirst();
        });
      });
      req.on('error', reject);
    });
    req.end();
    await firstBytes;
    let startDone = false;
    const start = env.d(['start', 'gate'], { timeoutMs: 60_000 }).then((r) => ((startDone = true), r));
    await new Promise((r) => setTimeout(r, 1500));
    expect(startDone).toBe(false);
    expect((await env.d(['inspect', '-f', '{{.State.Running}}', 'gate'])).stdout.trim()).toBe('false');
    req.destroy();
    const started = await start;
    expect(started.code, started.stderr).toBe(0);
    expect((await env.d(['inspect', '-f', '{{.State.Running}}', 'gate'])).stdout.trim()).toBe('true');
    // A copy of the running container goes through its own mount namespace.
    expect((await env.d(['cp', 'gate:/etc/hostname', '-'])).code).toBe(0);
    await env.d(['rm', '-f', 'gate']);
  });

  it('HEAD archive: the stat header names the path, its mode and where a symlink leads inside the container', async () => {
    await env.d(['run', '-d', '--name', 'st', env.image, 'sh', '-c', 'mkdir -p /x/y && ln -s /x/y /lnk && sleep 300']);
    const deadline = Date.now() + 20_000;
    let res = await engineRequest(env.berthd.socket, 'HEAD', '/containers/st/archive?path=/lnk');
    while (res.status !== 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      res = await engineRequest(env.berthd.socket, 'HEAD', '/containers/st/archive?path=/lnk');
    }
    const stat = JSON.parse(Buffer.from(res.headers['x-docker-container-path-stat'] as string, 'base64').toString()) as { name: string; mode: number; linkTarget: string };
    expect(stat.name).toBe('lnk');
    expect(stat.mode & (1 << 27)).not.toBe(0);
    expect(stat.linkTarget).toBe('/x/y');
    const missing = await engineRequest(env.berthd.socket, 'HEAD', '/containers/st/archive?path=/nope');
    expect(missing.status).toBe(404);
    const cp = await env.d(['cp', 'st:/nope', work]);
    expect(cp.stderr).toMatch(/Could not find the file \/nope in container st/);
  });

  describe.each(['running', 'stopped'])('hostile symlinks in a %s container never reach the host', (state) => {
    const host = '/etc/passwd';
    let name: string;
    let vol: string;
    beforeAll(async () => {
      name = `hostile-${state}`;
      vol = await mkdtemp(join(tmpdir(), 'berth-cp-vol-'));
      // Inside the volume: a relative link climbing far above it.
      await symlink('../../../../../../../etc', join(vol, 'up'));
      // An image whose /etc is a symlink to / (made by copying links into a stopped container and committing).
      if ((await env.d(['image', 'inspect', 'hostile:1'])).code !== 0) {
        await env.d(['create', '--name', 'hostile-base', env.image, 'true']);
        const tar = await makeTar([
          { name: 'passwd', content: 'container-root-passwd\n' },
          { name: 'etc.real', type: 'directory' },
          { name: 'etc', type: 'symlink', linkname: '/' }, // absolute: /etc -> /
          { name: 'a/b', type: 'directory' },
          { name: 'a/b/rel', type: 'symlink', linkname: '../../../../../../..' }, // relative, far above the root
          { name: 'loop1', type: 'symlink', linkname: '/loop2' },
          { name: 'loop2', type: 'symlink', linkname: '/loop1' },
          { name: 'magic', type: 'symlink', linkname: '/proc/self/root' }, // a magic link
        ]);
        const put = await engineRequest(env.berthd.socket, 'PUT', '/containers/hostile-base/archive?path=/', tar, { 'Content-Type': 'application/x-tar' });
        expect(put.status, put.body).toBe(200);
        expect((await env.d(['commit', 'hostile-base', 'hostile:1'])).code).toBe(0);
        await env.d(['rm', 'hostile-base']);
      }
      const args = state === 'running' ? ['run', '-d'] : ['create'];
      const run = await env.d([...args, '--name', name, '-v', `${vol}:/data`, 'hostile:1', 'sleep', '300']);
      expect(run.code, run.stderr).toBe(0);
    });
    afterAll(async () => {
      await env.d(['rm', '-f', name]);
      await rm(vol, { recursive: true, force: true });
    });

    const readOut = async (path: string): Promise<{ code: number; text: string; err: string }> => {
      const r = await env.d(['cp', `${name}:${path}`, '-']);
      return { code: r.code, text: r.stdout, err: r.stderr };
    };

    it('reads: absolute, relative, through a volume and magic links stay inside; loops are an error', async () => {
      const hostPasswd = await readFile(host, 'utf8');
      const abs = await readOut('/etc/passwd');
      expect(abs.code, abs.err).toBe(0);
      expect(abs.text).toContain('container-root-passwd');
      expect(abs.text).not.toContain(hostPasswd.split('\n')[0] as string);
      const rel = await readOut('/a/b/rel/passwd');
      expect(rel.code, rel.err).toBe(0);
      expect(rel.text).toContain('container-root-passwd');
      const viaVolume = await readOut('/data/up/passwd');
      expect(viaVolume.code, viaVolume.err).toBe(0);
      expect(viaVolume.text).toContain('container-root-passwd');
      const loop = await readOut('/loop1/x');
      expect(loop.code).not.toBe(0);
      expect(loop.err).toMatch(/too many levels of symbolic links/);
      const magic = await readOut('/magic/etc/shadow');
      expect(magic.code).not.toBe(0);
      expect(magic.text).not.toContain('root:');
    });

    it('writes: a copy into /etc (a symlink to /) lands in the container root, not on the host', async () => {
      const unique = `berth-cp-escape-${state}-${process.pid}`;
      await writeFile(join(work, unique), 'payload\n');
      const r = await env.d(['cp', join(work, unique), `${name}:/etc/`]);
      expect(r.code, r.stderr).toBe(0);
      const r2 = await env.d(['cp', join(work, unique), `${name}:/a/b/rel/`]);
      expect(r2.code, r2.stderr).toBe(0);
      const r3 = await env.d(['cp', join(work, unique), `${name}:/data/up/`]);
      expect(r3.code, r3.stderr).toBe(0);
      await expect(lstat(join('/etc', unique))).rejects.toThrow();
      await expect(lstat(join('/', unique))).rejects.toThrow();
      const back = await env.d(['cp', `${name}:/${unique}`, '-']);
      expect(back.stdout).toContain('payload');
    });
  });

  it('a hostile archive is refused: ".." and absolute names, writing through a symlink of the same archive', async () => {
    await env.d(['create', '--name', 'tarbad', env.image, 'true']);
    const cases = [
      [{ name: '../escape', content: 'x' }],
      [{ name: '/abs', content: 'x' }],
      [{ name: 'l', type: 'symlink' as const, linkname: '/tmp' }, { name: 'l/evil', content: 'x' }],
      [{ name: 'h', type: 'link' as const, linkname: 'etc/shadow' }],
    ];
    for (const entries of cases) {
      const res = await engineRequest(env.berthd.socket, 'PUT', '/containers/tarbad/archive?path=/', await makeTar(entries), { 'Content-Type': 'application/x-tar' });
      expect(res.status, JSON.stringify(entries)).toBe(400);
      expect(res.body).toMatch(/refusing archive entry/);
    }
    await expect(lstat('/tmp/evil')).rejects.toThrow();
  });
});
