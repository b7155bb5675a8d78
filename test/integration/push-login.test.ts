/**
 * `docker login` through berthd against a docker-registry that requires credentials (htpasswd):
 * good credentials log in, bad ones give dockerd's 401 message and exit code 1; `docker push`
 * then carries the stored credentials (X-Registry-Auth) and succeeds, and fails without them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_REGISTRY_PASSWORD, TEST_REGISTRY_USER, startAuthRegistry, type AuthRegistryHandle } from '../harness/auth-registry';
import { IS_ROOT, engineRequest } from '../harness/berthd';
import { docker } from '../harness/docker-cli';
import { startPushAuthEnv, type PushAuthEnv } from './push-auth-env';

describe.skipIf(!IS_ROOT)('docker login', () => {
  let env: PushAuthEnv<AuthRegistryHandle>;

  beforeAll(async () => {
    env = await startPushAuthEnv(startAuthRegistry);
  });
  afterAll(async () => {
    await env?.cleanup();
  });

  it('logs in with good credentials', async () => {
    const r = await env.login(TEST_REGISTRY_PASSWORD);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Login Succeeded');
  });

  it('refuses bad credentials with a 401 and dockerd\'s message', async () => {
    const r = await env.login('wrong-password');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Error response from daemon: login attempt to ${env.registry.url}/v2/ failed with status: 401 Unauthorized`);
    const raw = await engineRequest(env.d.socket, 'POST', '/auth', JSON.stringify({ username: TEST_REGISTRY_USER, password: 'nope', serveraddress: env.registry.host }));
    expect(raw.status).toBe(401);
  });

  it('answers the Engine API shape', async () => {
    const r = await engineRequest(env.d.socket, 'POST', '/auth', JSON.stringify({ username: TEST_REGISTRY_USER, password: TEST_REGISTRY_PASSWORD, serveraddress: env.registry.host }));
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ Status: 'Login Succeeded', IdentityToken: '' });
    const bad = await engineRequest(env.d.socket, 'POST', '/auth', '{"username": ');
    expect(bad.status).toBe(400);
  });

  it('pushes with the credentials docker login stored, and is refused without them', async () => {
    const ref = `${env.registry.host}/private/busybox:1`;
    await env.tagBusyboxAs(ref);
    const anonymousConfig = await mkdtemp(join(tmpdir(), 'berth-docker-config-'));
    try {
      const denied = await docker(env.d.dockerHost, ['push', ref], { env: { DOCKER_CONFIG: anonymousConfig } });
      expect(denied.code).toBe(1);
      expect(denied.stderr).toMatch(/unauthorized: authentication required/);
    } finally {
      await rm(anonymousConfig, { recursive: true, force: true });
    }
    const login = await env.login(TEST_REGISTRY_PASSWORD);
    expect(login.code, login.stderr).toBe(0);
    const pushed = await docker(env.d.dockerHost, ['push', ref], { env: { DOCKER_CONFIG: env.dockerConfig } });
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(pushed.stdout).toMatch(/: Pushed/);
    expect(pushed.stdout).toMatch(/1: digest: sha256:[0-9a-f]{64} size: \d+/);
    const auth = `Basic ${Buffer.from(`${TEST_REGISTRY_USER}:${TEST_REGISTRY_PASSWORD}`).toString('base64')}`;
    const tags = await fetch(`${env.registry.url}/v2/private/busybox/tags/list`, { headers: { Authorization: auth } });
    expect(await tags.json()).toEqual({ name: 'private/busybox', tags: ['1'] });
  });
});
