/**
 * The Bearer token flow (Docker Hub's, engine-api.md §3.4) against a real docker-registry with
 * `auth.token` and a loopback token server: `docker login` asks for a token without scope and
 * gets "Login Succeeded" or the token server's reason; `docker push` asks for
 * `repository:<repo>:pull,push` and succeeds; the pushed image pulls back with the same creds.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_REGISTRY_PASSWORD, TEST_REGISTRY_USER, startTokenRegistry, type TokenRegistryHandle } from '../harness/auth-registry';
import { IS_ROOT, startBerthd, type BerthdHandle } from '../harness/berthd';
import { docker } from '../harness/docker-cli';
import { busyboxImage, pushImage } from '../harness/fixtures';
import { startRegistry, type RegistryHandle } from '../harness/registry';

describe.skipIf(!IS_ROOT)('token auth: login and push', () => {
  let registry: TokenRegistryHandle;
  let source: RegistryHandle;
  let d: BerthdHandle;
  let dockerConfig: string;

  beforeAll(async () => {
    registry = await startTokenRegistry();
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

  it('refuses a bad password with the token server\'s reason', async () => {
    const r = await docker(d.dockerHost, ['login', '-u', TEST_REGISTRY_USER, '--password-stdin', registry.host], { input: 'wrong', env: { DOCKER_CONFIG: dockerConfig } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Error response from daemon: Get "${registry.url}/v2/": unauthorized: incorrect username or password`);
  });

  it('logs in through the token flow without asking for a scope', async () => {
    registry.requestedScopes.length = 0;
    const r = await docker(d.dockerHost, ['login', '-u', TEST_REGISTRY_USER, '--password-stdin', registry.host], { input: TEST_REGISTRY_PASSWORD, env: { DOCKER_CONFIG: dockerConfig } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Login Succeeded');
    expect(registry.requestedScopes).toEqual(['']);
  });

  it('pushes with a pull,push token and pulls the image back', async () => {
    expect((await docker(d.dockerHost, ['pull', `${source.host}/library/busybox:latest`])).code).toBe(0);
    const ref = `${registry.host}/private/busybox:tok`;
    expect((await docker(d.dockerHost, ['tag', `${source.host}/library/busybox:latest`, ref])).code).toBe(0);
    registry.requestedScopes.length = 0;
    const r = await docker(d.dockerHost, ['push', ref], { env: { DOCKER_CONFIG: dockerConfig } });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/: Pushed/);
    expect(registry.requestedScopes).toContain('repository:private/busybox:pull,push');
    const digest = /tok: digest: (sha256:[0-9a-f]{64})/.exec(r.stdout)?.[1] as string;

    const fresh = await startBerthd();
    try {
      const back = await docker(fresh.dockerHost, ['pull', `${registry.host}/private/busybox@${digest}`], { env: { DOCKER_CONFIG: dockerConfig } });
      expect(back.code, back.stderr).toBe(0);
      expect(back.stdout).toContain(`Digest: ${digest}`);
    } finally {
      await fresh.cleanup();
    }
  });
});
