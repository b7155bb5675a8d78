/**
 * The Bearer token flow (Docker Hub's, engine-api.md §3.4) against a real docker-registry with
 * `auth.token` and a loopback token server: `docker login` asks for a token without scope and
 * gets "Login Succeeded" or the token server's reason; `docker push` asks for
 * `repository:<repo>:pull,push` and succeeds; the pushed image pulls back with the same creds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_REGISTRY_PASSWORD, startTokenRegistry, type TokenRegistryHandle } from '../harness/auth-registry';
import { IS_ROOT, startBerthd } from '../harness/berthd';
import { docker } from '../harness/docker-cli';
import { startPushAuthEnv, type PushAuthEnv } from './push-auth-env';

describe.skipIf(!IS_ROOT)('token auth: login and push', () => {
  let env: PushAuthEnv<TokenRegistryHandle>;

  beforeAll(async () => {
    env = await startPushAuthEnv(startTokenRegistry);
  });
  afterAll(async () => {
    await env?.cleanup();
  });

  it('refuses a bad password with the token server\'s reason', async () => {
    const r = await env.login('wrong');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Error response from daemon: Get "${env.registry.url}/v2/": unauthorized: incorrect username or password`);
  });

  it('logs in through the token flow without asking for a scope', async () => {
    env.registry.requestedScopes.length = 0;
    const r = await env.login(TEST_REGISTRY_PASSWORD);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Login Succeeded');
    expect(env.registry.requestedScopes).toEqual(['']);
  });

  it('pushes with a pull,push token and pulls the image back', async () => {
    const ref = `${env.registry.host}/private/busybox:tok`;
    await env.tagBusyboxAs(ref);
    env.registry.requestedScopes.length = 0;
    const r = await docker(env.d.dockerHost, ['push', ref], { env: { DOCKER_CONFIG: env.dockerConfig } });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/: Pushed/);
    expect(env.registry.requestedScopes).toContain('repository:private/busybox:pull,push');
    const digest = /tok: digest: (sha256:[0-9a-f]{64})/.exec(r.stdout)?.[1] as string;

    const fresh = await startBerthd();
    try {
      const back = await docker(fresh.dockerHost, ['pull', `${env.registry.host}/private/busybox@${digest}`], { env: { DOCKER_CONFIG: env.dockerConfig } });
      expect(back.code, back.stderr).toBe(0);
      expect(back.stdout).toContain(`Digest: ${digest}`);
    } finally {
      await fresh.cleanup();
    }
  });
});
