import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { BERTHD_BIN, IS_ROOT, engineRequest, startBerthd, type BerthdHandle } from '../harness/berthd';
import { docker } from '../harness/docker-cli';

async function groupGid(name: string): Promise<number | undefined> {
  const r = await new Promise<string>((res) => execFile('getent', ['group', name], (_e, out) => res(out)));
  const gid = r.split(':')[2];
  return gid ? Number(gid) : undefined;
}

/** The docker CLI as another user (util-linux setpriv), against a daemon's socket. */
function dockerAs(setpriv: string[], dockerHost: string): Promise<{ code: number; out: string }> {
  return new Promise((res) => {
    execFile('setpriv', [...setpriv, '--', 'docker', 'version', '--format', '{{.Server.Version}} {{.Server.Platform.Name}}'], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', DOCKER_HOST: dockerHost, DOCKER_CONFIG: '/tmp/berth-nobody-docker-config' } }, (err, stdout, stderr) =>
      res({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: `${stdout}${stderr}` }),
    );
  });
}

describe.skipIf(!IS_ROOT)('berthd socket and version', () => {
  let d: BerthdHandle;
  beforeAll(async () => {
    d = await startBerthd();
  });
  afterAll(async () => {
    await d.cleanup();
  });

  it('answers docker version with a Server section', async () => {
    const r = await docker(d.dockerHost, ['version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Server: Berth/);
    expect(r.stdout).toMatch(/API version:\s+1\.48 \(minimum version 1\.24\)/);
  });

  it('creates the socket root:berth 0660 after setup (which creates the berth group)', async () => {
    const gid = await groupGid('berth');
    expect(gid, 'scripts/setup.sh creates the berth group').toBeDefined();
    const s = await stat(d.socket);
    expect(s.isSocket()).toBe(true);
    expect([s.uid, s.gid, s.mode & 0o777]).toEqual([0, gid, 0o660]);
  });

  it('lets a member of the socket group in and refuses a user outside it; without the group the socket is root-only', async () => {
    const group = `berth-t${randomBytes(3).toString('hex')}`;
    execFileSync('groupadd', [group]);
    const e = await startBerthd({ extraArgs: ['--group', group] });
    try {
      // mkdtemp made the dir 0700: open it so the socket's own mode decides.
      await chmod(dirname(e.socket), 0o755);
      const gid = (await groupGid(group)) as number;
      const s = await stat(e.socket);
      expect([s.uid, s.gid, s.mode & 0o777]).toEqual([0, gid, 0o660]);
      const outsider = await dockerAs(['--reuid=65534', '--regid=65534', '--clear-groups'], e.dockerHost);
      expect(outsider.code).toBe(1);
      expect(outsider.out).toMatch(/permission denied/);
      const member = await dockerAs(['--reuid=65534', '--regid=65534', `--groups=${gid}`], e.dockerHost);
      expect(member.code, member.out).toBe(0);
      expect(member.out).toMatch(/Berth/);
      // gid 0 is never a fallback: a gid-0 user outside the group is refused too.
      const gid0 = await dockerAs(['--reuid=65534', '--regid=0', '--clear-groups'], e.dockerHost);
      expect(gid0.code).toBe(1);
    } finally {
      await e.cleanup();
    }
    execFileSync('groupdel', [group]);
    const f = await startBerthd({ extraArgs: ['--group', group] });
    try {
      const s = await stat(f.socket);
      expect([s.uid, s.gid, s.mode & 0o777]).toEqual([0, 0, 0o600]);
      expect(f.logs()).toMatch(/the socket is root-only/);
    } finally {
      await f.cleanup();
    }
  });

  it('rejects API versions above its own and unknown paths', async () => {
    const tooNew = await engineRequest(d.socket, 'GET', '/v9.99/version');
    expect(tooNew.status).toBe(400);
    expect(JSON.parse(tooNew.body)).toEqual({ message: expect.stringMatching(/client version 9.99 is too new/) });
    const missing = await engineRequest(d.socket, 'GET', '/v1.48/nope');
    expect(missing.status).toBe(404);
  });

  it('refuses to start a second daemon on a live socket, with a clear message', async () => {
    const second = spawn(BERTHD_BIN, ['--socket', d.socket, '--data-root', `${d.dataRoot}-2`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    second.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((r) => second.on('exit', r));
    expect(code).toBe(1);
    expect(stderr).toMatch(/another daemon is already serving/);
    // The first daemon still serves.
    expect((await docker(d.dockerHost, ['version'])).code).toBe(0);
  });

  it('replaces a stale socket left by kill -9', async () => {
    await d.kill();
    await expect(stat(d.socket)).resolves.toBeTruthy();
    d = await d.restart();
    const r = await docker(d.dockerHost, ['version', '--format', '{{.Server.Version}}']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('0.1.0');
  });
});
