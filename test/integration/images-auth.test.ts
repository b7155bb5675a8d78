/**
 * Pulls from registries that require credentials, with what `docker login` stored (sent by the CLI
 * as X-Registry-Auth): htpasswd (Basic challenge) and a token server (Bearer, the Docker Hub
 * flow). Without credentials the pull is refused with dockerd's "pull access denied" message.
 * Images get there through berthd's own push (docker push after docker login).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT, startBerthd, type BerthdHandle } from '../harness/berthd';
import { docker } from '../harness/docker-cli';
import { TEST_REGISTRY_PASSWORD, TEST_REGISTRY_USER, startAuthRegistry, startTokenRegistry, type AuthRegistryHandle, type TokenRegistryHandle } from '../harness/auth-registry';
import { multiLayerImage, pushImage } from '../harness/fixtures';
import { startRegistry, type RegistryHandle } from '../harness/registry';

describe.skipIf(!IS_ROOT)('images: pulls with credentials', () => {
  let source: RegistryHandle;
  let basic: AuthRegistryHandle;
  let token: TokenRegistryHandle;
  let d: BerthdHandle;
  let loggedIn: string;
  let anonymous: string;

  beforeAll(async () => {
    source = await startRegistry();
    await pushImage(source.url, 'test/multi', 'v1', await multiLayerImage());
    basic = await startAuthRegistry();
    token = await startTokenRegistry();
    d = await startBerthd();
    loggedIn = await mkdtemp(join(tmpdir(), 'berth-docker-config-'));
    anonymous = await mkdtemp(join(tmpdir(), 'berth-docker-config-'));
    expect((await docker(d.dockerHost, ['pull', `${source.host}/test/multi:v1`])).code).toBe(0);
  });
  afterAll(async () => {
    await d?.cleanup();
    for (const r of [source, basic, token]) await r?.stop();
    for (const dir of [loggedIn, anonymous]) if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function pushThenPull(host: string): Promise<void> {
    const ref = `${host}/private/multi:1`;
    const login = await docker(d.dockerHost, ['login', '-u', TEST_REGISTRY_USER, '--password-stdin', host], { input: TEST_REGISTRY_PASSWORD, env: { DOCKER_CONFIG: loggedIn } });
    expect(login.code, login.stderr).toBe(0);
    expect((await docker(d.dockerHost, ['tag', `${source.host}/test/multi:v1`, ref])).code).toBe(0);
    const pushed = await docker(d.dockerHost, ['push', ref], { env: { DOCKER_CONFIG: loggedIn } });
    expect(pushed.code, pushed.stderr).toBe(0);
    // Remove every local copy so the pull has to download all three layers from the private registry.
    expect((await docker(d.dockerHost, ['rmi', ref, `${source.host}/test/multi:v1`])).code).toBe(0);

    const denied = await docker(d.dockerHost, ['pull', ref], { env: { DOCKER_CONFIG: anonymous } });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/pull access denied for .*private\/multi, repository does not exist or may require 'docker login'/);

    const pulled = await docker(d.dockerHost, ['pull', ref], { env: { DOCKER_CONFIG: loggedIn } });
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(pulled.stdout.match(/Pull complete/g)).toHaveLength(3);
    const motd = await docker(d.dockerHost, ['image', 'inspect', '--format', '{{len .RootFS.Layers}}', ref]);
    expect(motd.stdout.trim()).toBe('3');
    expect((await docker(d.dockerHost, ['rmi', ref])).code).toBe(0);
    expect((await docker(d.dockerHost, ['pull', `${source.host}/test/multi:v1`])).code).toBe(0);
  }

  it('answers a Basic challenge with the stored credentials', async () => {
    await pushThenPull(basic.host);
  });

  it('fetches a Bearer token for repository:<name>:pull and reuses it for the layers', async () => {
    const before = token.requestedScopes.length;
    await pushThenPull(token.host);
    const scopes = token.requestedScopes.slice(before);
    expect(scopes).toContain('repository:private/multi:pull');
    // One token per pull session, not one per blob: manifest, config and 3 layers share it.
    expect(scopes.filter((s) => s === 'repository:private/multi:pull').length).toBeLessThanOrEqual(2);
  });
});
