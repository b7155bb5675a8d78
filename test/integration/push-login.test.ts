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
import { IS_ROOT, engineRequest, startBerthd, type BerthdHandle } from '../harness/berthd';
import { docker } from '../harness/docker-cli';
import { busyboxImage, pushImage } from '../harness/fixtures';
import { startRegistry, type RegistryHandle } from '../harness/registry';

describe.skipIf(!IS_ROOT)('docker login', () => {
  let d: BerthdHandle;
  let registry: AuthRegistryHandle;
  let dockerConfig: string;
  let source: RegistryHandle;

  beforeAll(async () => {
    registry = await startAuthRegistry();
    source = await startRegistry();
    await pushImage(source.url, 'library/busybox', 'latest', await busyboxImage());
    d = await startBerthd();
    dockerConfig = await mkdtemp(join(tmpdir(), 'berth-docker-config-'));
  });
  afterAll(async () => {
    await d?.cleanup();
    await registry?.stop();
    await source?.stop();
    if (dockerConfig) await rm(dockerConfig, { recursive: true, force: true });
  });

  it('logs in with good credentials', async () => {
    const r = await docker(d.dockerHost, ['login', '-u', TEST_REGISTRY_USER, '--password-stdin', registry.host], { input: TEST_REGISTRY_PASSWORD, env: { DOCKER_CONFIG: dockerConfig } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Login Succeeded');
  });

  it('refuses bad credentials with a 401 and dockerd\'s message', async () => {
    const r = await docker(d.dockerHost, ['login', '-u', TEST_REGISTRY_USER, '--password-stdin', registry.host], { input: 'wrong-password', env: { DOCKER_CONFIG: dockerConfig } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Error response from daemon: login attempt to ${registry.url}/v2/ failed with status: 401 Unauthorized`);
    const raw = await engineRequest(d.socket, 'POST', '/auth', JSON.stringify({ username: TEST_REGISTRY_USER, password: 'nope', serveraddress: registry.host }));
    expect(raw.status).toBe(401);
  });

  it('answers the Engine API shape', async () => {
    const r = await engineRequest(d.socket, 'POST', '/auth', JSON.stringify({ username: TEST_REGISTRY_USER, password: TEST_REGISTRY_PASSWORD, serveraddress: registry.host }));
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ Status: 'Login Succeeded', IdentityToken: '' });
    const bad = await engineRequest(d.socket, 'POST', '/auth', '{"username": ');
    expect(bad.status).toBe(400);
  });

  it('pushes with the credentials docker login stored, and is refused without them', async () => {
    expect((await docker(d.dockerHost, ['pull', `${source.host}/library/busybox:latest`])).code).toBe(0);
    const ref = `${registry.host}/private/busybox:1`;
    expect((await docker(d.dockerHost, ['tag', `${source.host}/library/busybox:latest`, ref])).code).toBe(0);
    const anonymousConfig = await mkdtemp(join(tmpdir(), 'berth-docker-config-'));
    try {
      const denied = await docker(d.dockerHost, ['push', ref], { env: { DOCKER_CONFIG: anonymousConfig } });
      expect(denied.code).toBe(1);
      expect(denied.stderr).toMatch(/unauthorized: authentication required/);
    } finally {
      await rm(anonymousConfig, { recursive: true, force: true });
    }
    const login = await docker(d.dockerHost, ['login', '-u', TEST_REGISTRY_USER, '--password-stdin', registry.host], { input: TEST_REGISTRY_PASSWORD, env: { DOCKER_CONFIG: dockerConfig } });
    expect(login.code, login.stderr).toBe(0);
    const pushed = await docker(d.dockerHost, ['push', ref], { env: { DOCKER_CONFIG: dockerConfig } });
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(pushed.stdout).toMatch(/: Pushed/);
    expect(pushed.stdout).toMatch(/1: digest: sha256:[0-9a-f]{64} size: \d+/);
    const auth = `Basic ${Buffer.from(`${TEST_REGISTRY_USER}:${TEST_REGISTRY_PASSWORD}`).toString('base64')}`;
    const tags = await fetch(`${registry.url}/v2/private/busybox/tags/list`, { headers: { Authorization: auth } });
    expect(await tags.json()).toEqual({ name: 'private/busybox', tags: ['1'] });
  });
});
