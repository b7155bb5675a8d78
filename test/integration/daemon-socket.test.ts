import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { BERTHD_BIN, IS_ROOT, engineRequest, startBerthd, type BerthdHandle } from '../harness/berthd';
import { docker } from '../harness/docker-cli';

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

  it('creates the socket with mode 0660', async () => {
    const s = await stat(d.socket);
    expect(s.isSocket()).toBe(true);
    expect(s.mode & 0o777).toBe(0o660);
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
