/**
 * `sudo npm start` runs berthd as root but the app as the person who typed it (issue 12): the web
 * mode process started by scripts/start.mjs has the person's uid, gets the `berth` group, and
 * reaches berthd through the socket's group (root:berth 0660).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { IS_ROOT, REPO_ROOT, startBerthd, type BerthdHandle } from '../harness/berthd';

const berthGid = (): number | undefined => {
  const line = execFileSync('getent', ['group', 'berth'], { encoding: 'utf8' }).trim();
  return line ? Number(line.split(':')[2]) : undefined;
};

describe.skipIf(!IS_ROOT)('app: runs as the person, reaches berthd through the berth group', () => {
  const user = `berthp${randomBytes(3).toString('hex')}`;
  let home = '';
  let d: BerthdHandle;
  let start: ChildProcess | undefined;
  let output = '';

  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'berth-person-'));
    execFileSync('useradd', ['--home-dir', home, '--no-create-home', '--shell', '/bin/sh', user]);
    execFileSync('chown', [`${user}:`, home]);
    d = await startBerthd();
    await chmod(dirname(d.socket), 0o755);
  });
  afterAll(async () => {
    if (start?.exitCode === null) {
      start.kill('SIGTERM');
      await new Promise((r) => start?.once('exit', r));
    }
    await d?.cleanup();
    try {
      execFileSync('userdel', [user]);
    } catch {
      // already gone
    }
    await rm(home, { recursive: true, force: true });
  });

  it('starts web mode as the sudo user, in the berth group, and the app talks to berthd', async () => {
    const gid = berthGid();
    expect(gid, 'scripts/setup.sh creates the berth group').toBeDefined();
    const sock = await stat(d.socket);
    expect([sock.gid, sock.mode & 0o777]).toEqual([gid, 0o660]);
    start = spawn(process.execPath, [join(REPO_ROOT, 'scripts/start.mjs'), '--web'], {
      env: { ...process.env, SUDO_USER: user, BERTH_SOCKET: d.socket, BERTH_WEB_PORT: '0', HOME: '/root' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    start.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    start.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const m = /open (http:\/\/\S+)/.exec(output);
        if (m?.[1]) {
          clearInterval(timer);
          resolve(m[1]);
        } else if (start?.exitCode !== null) {
          clearInterval(timer);
          reject(new Error(`start.mjs exited:\n${output}`));
        }
      }, 100);
    });
    expect(output).toMatch(new RegExp(`running the app as ${user}`));
    // The web server is start.mjs's child (setpriv execs node in place).
    const pid = Number(execFileSync('pgrep', ['-P', String(start.pid)], { encoding: 'utf8' }).trim().split('\n')[0]);
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
    expect(/^Uid:\s+(\d+)\s+(\d+)/m.exec(status)?.slice(1, 3)).toEqual([String(uid), String(uid)]);
    expect(/^Groups:\s*(.*)$/m.exec(status)?.[1]?.split(/\s+/)).toContain(String(gid));
    expect(await readFile(`/proc/${pid}/environ`, 'utf8')).toContain(`HOME=${home}`);

    // Through the app's own contract: the person's process reaches berthd over the socket.
    const origin = new URL(url).origin;
    const first = await fetch(url, { redirect: 'manual' });
    const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const reply = await new Promise<{ ok: boolean; value?: unknown; error?: unknown }>((resolve, reject) => {
      const ws = new WebSocket(`${origin.replace('http', 'ws')}/ws`, { headers: { Origin: origin, Cookie: cookie } });
      ws.on('error', reject);
      ws.on('open', () => ws.send(JSON.stringify({ t: 'invoke', id: 1, channel: 'system:info', args: { hostId: 'local' } })));
      ws.on('message', (m) => {
        const msg = JSON.parse(m.toString()) as { t: string; id: number; ok: boolean };
        if (msg.t === 'result' && msg.id === 1) {
          ws.close();
          resolve(msg);
        }
      });
    });
    expect(reply.ok, JSON.stringify(reply.error)).toBe(true);
  });
});
