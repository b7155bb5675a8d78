/**
 * `docker login` through berthd against a docker-registry that requires credentials (htpasswd):
 * good credentials log in, bad ones give dockerd's 401 message and exit code 1.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_REGISTRY_PASSWORD, TEST_REGISTRY_USER, startAuthRegistry, type AuthRegistryHandle } from '../harness/auth-registry';
import { IS_ROOT, engineRequest, startBerthd, type BerthdHandle } from '../harness/berthd';
import { docker } from '../harness/docker-cli';

describe.skipIf(!IS_ROOT)('docker login', () => {
  let d: BerthdHandle;
  let registry: AuthRegistryHandle;
  let dockerConfig: string;

  beforeAll(async () => {
    registry = await startAuthRegistry();
    d = await startBerthd();
    dockerConfig = await mkdtemp(join(tmpdir(), 'berth-docker-config-'));
  });
  afterAll(async () => {
    await d?.cleanup();
    await registry?.stop();
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
});
