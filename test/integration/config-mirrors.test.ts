/**
 * daemon.json handling end to end: `docker info` reflects the live mirrors; the Berth config API
 * refuses bad input with a message and keeps the old config (in memory and on disk); SIGHUP
 * applies a valid file and refuses a broken one; the mirror health check tells a dead port from a
 * live registry; an invalid file stops berthd from starting, as it stops dockerd.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfigValidateResponse, MirrorsConfigResponse, MirrorsHealthResponse } from '../../src-shared/docker-api/berth-config';
import { IS_ROOT, engineRequest, startBerthd, type BerthdHandle } from '../harness/berthd';
import { docker } from '../harness/docker-cli';
import { busyboxImage, pushImage } from '../harness/fixtures';
import { deadPort, startRegistry, type RegistryHandle } from '../harness/registry';

async function infoMirrors(d: BerthdHandle): Promise<string[]> {
  const r = await docker(d.dockerHost, ['info', '--format', '{{json .RegistryConfig.Mirrors}}']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as string[];
}

async function getConfig(d: BerthdHandle): Promise<MirrorsConfigResponse> {
  const r = await engineRequest(d.socket, 'GET', '/berth/v1/config/mirrors');
  expect(r.status).toBe(200);
  return JSON.parse(r.body) as MirrorsConfigResponse;
}

async function until<T>(probe: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const v = await probe();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!IS_ROOT)('daemon.json mirrors config', () => {
  let d: BerthdHandle;
  let registry: RegistryHandle;
  let dead: string;

  beforeAll(async () => {
    registry = await startRegistry();
    await pushImage(registry.url, 'library/busybox', 'latest', await busyboxImage());
    dead = `http://127.0.0.1:${await deadPort()}`;
    d = await startBerthd({ config: { 'registry-mirrors': [`${dead}/`, registry.url], 'log-format': 'text', 'storage-driver': 'overlay2' } });
  });
  afterAll(async () => {
    await d?.cleanup();
    await registry?.stop();
  });

  it('shows the mirrors in docker info (dockerd style, with the trailing slash)', async () => {
    expect(await infoMirrors(d)).toEqual([`${dead}/`, `${registry.url}/`]);
    const r = await docker(d.dockerHost, ['info']);
    expect(r.stdout).toContain(` Registry Mirrors:\n  ${dead}/\n  ${registry.url}/\n`);
  });

  it('serves the config with the raw file text and warnings for ignored dockerd keys', async () => {
    const c = await getConfig(d);
    expect(c.registryMirrors).toEqual([dead, registry.url]);
    expect(c.raw).toBe(await readFile(d.configFile, 'utf8'));
    expect(c.warnings).toEqual(['"log-format" is a dockerd option that berthd ignores: berthd does not use it']);
  });

  it('refuses a bad mirror URL with a message naming it; docker info and the file keep the old mirrors', async () => {
    const before = await readFile(d.configFile, 'utf8');
    const r = await engineRequest(d.socket, 'PUT', '/berth/v1/config/mirrors', JSON.stringify({ registryMirrors: [registry.url, 'ftp://mirror.example'] }));
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).message).toBe('invalid registry-mirrors[1]: "ftp://mirror.example" must be an http or https URL without path, query, fragment or credentials');
    const withPath = await engineRequest(d.socket, 'PUT', '/berth/v1/config/mirrors', JSON.stringify({ raw: JSON.stringify({ 'registry-mirrors': ['http://mirror.example/v2/'] }) }));
    expect(withPath.status).toBe(400);
    expect(JSON.parse(withPath.body).message).toContain('invalid registry-mirrors[0]: "http://mirror.example/v2/"');
    expect(await infoMirrors(d)).toEqual([`${dead}/`, `${registry.url}/`]);
    expect(await readFile(d.configFile, 'utf8')).toBe(before);
    // The old mirrors still serve: Docker Hub is unreachable here, so only the second mirror can.
    const pull = await docker(d.dockerHost, ['pull', 'busybox']);
    expect(pull.code, pull.stderr).toBe(0);
    expect(pull.stdout).toContain('Status: Downloaded newer image for busybox:latest');
  });

  it('refuses invalid JSON with its position, and unknown keys like dockerd', async () => {
    const r = await engineRequest(d.socket, 'PUT', '/berth/v1/config/mirrors', JSON.stringify({ raw: '{\n  "registry-mirrors": ["http://a.example",]\n}' }));
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body).message).toBe('invalid JSON at line 2, column 43: trailing comma before "]"');
    const unknown = await engineRequest(d.socket, 'PUT', '/berth/v1/config/mirrors', JSON.stringify({ raw: '{"registry-mirror": ["http://a.example"]}' }));
    expect(unknown.status).toBe(400);
    expect(JSON.parse(unknown.body).message).toBe("the following directives don't match any configuration option: registry-mirror");
    const notJson = await engineRequest(d.socket, 'PUT', '/berth/v1/config/mirrors', '{"raw": ');
    expect(notJson.status).toBe(400);
    expect(await infoMirrors(d)).toEqual([`${dead}/`, `${registry.url}/`]);
  });

  it('validates without applying (dry run)', async () => {
    const bad = await engineRequest(d.socket, 'POST', '/berth/v1/config/validate', JSON.stringify({ raw: '{"registry-mirrors": [1' }));
    expect(bad.status).toBe(200);
    const badBody = JSON.parse(bad.body) as ConfigValidateResponse;
    expect(badBody).toMatchObject({ valid: false, position: { line: 1, column: 24, offset: 23 } });
    const good = await engineRequest(d.socket, 'POST', '/berth/v1/config/validate', JSON.stringify({ registryMirrors: ['HTTP://Only.Example/'] }));
    expect(JSON.parse(good.body)).toMatchObject({ valid: true, config: { registryMirrors: ['http://only.example'] } });
    expect(await infoMirrors(d)).toEqual([`${dead}/`, `${registry.url}/`]);
  });

  it('applies a structured update atomically, keeping the other keys of the file', async () => {
    const r = await engineRequest(d.socket, 'PUT', '/berth/v1/config/mirrors', JSON.stringify({ registryMirrors: [registry.url], mirrors: { 'ghcr.io': [`${dead}`] } }));
    expect(r.status, r.body).toBe(200);
    expect(await infoMirrors(d)).toEqual([`${registry.url}/`]);
    const onDisk = JSON.parse(await readFile(d.configFile, 'utf8')) as Record<string, unknown>;
    expect(onDisk).toEqual({ 'registry-mirrors': [registry.url], 'log-format': 'text', 'storage-driver': 'overlay2', mirrors: { 'ghcr.io': [dead] } });
    const info = await docker(d.dockerHost, ['info', '--format', '{{json .RegistryConfig.IndexConfigs}}']);
    expect(JSON.parse(info.stdout)['ghcr.io']).toEqual({ Name: 'ghcr.io', Mirrors: [`${dead}/`], Secure: true, Official: false });
  });

  it('reports a dead mirror unreachable and a live registry reachable with its latency', async () => {
    await engineRequest(d.socket, 'PUT', '/berth/v1/config/mirrors', JSON.stringify({ registryMirrors: [dead, registry.url], mirrors: { 'ghcr.io': [registry.url] } }));
    const r = await engineRequest(d.socket, 'GET', '/berth/v1/mirrors/health');
    expect(r.status).toBe(200);
    const { mirrors } = JSON.parse(r.body) as MirrorsHealthResponse;
    expect(mirrors).toHaveLength(3);
    expect(mirrors[0]).toEqual({ url: dead, registry: 'docker.io', reachable: false, latencyMs: null, status: null, error: 'connection refused' });
    expect(mirrors[1]).toMatchObject({ url: registry.url, registry: 'docker.io', reachable: true, status: 200, error: null });
    expect(mirrors[1]?.latencyMs).toBeGreaterThan(0);
    expect(mirrors[2]).toMatchObject({ url: registry.url, registry: 'ghcr.io', reachable: true });
  });

  it('applies a valid file on SIGHUP', async () => {
    await writeFile(d.configFile, JSON.stringify({ 'registry-mirrors': [`${registry.url}/`, 'https://hup.example'] }));
    d.process.kill('SIGHUP');
    await until(() => infoMirrors(d), (m) => m.length === 2 && m[1] === 'https://hup.example/', 'the SIGHUP reload');
    expect((await getConfig(d)).registryMirrors).toEqual([registry.url, 'https://hup.example']);
  });

  it('keeps the old config on SIGHUP with a broken file, and logs why', async () => {
    await writeFile(d.configFile, '{"registry-mirrors": ["http://broken.example" ');
    d.process.kill('SIGHUP');
    await until(async () => d.logs(), (l) => l.includes('config reload refused'), 'the refusal in the log');
    const line = d.logs().split('\n').find((l) => l.includes('config reload refused')) ?? '';
    expect(line).toContain('invalid JSON at line 1');
    expect(await infoMirrors(d)).toEqual([`${registry.url}/`, 'https://hup.example/']);
    expect((await getConfig(d)).raw).toBe(JSON.stringify({ 'registry-mirrors': [`${registry.url}/`, 'https://hup.example'] }));

    await writeFile(d.configFile, JSON.stringify({ 'registry-mirrors': ['gopher://x'] }));
    d.process.kill('SIGHUP');
    await until(async () => d.logs().split('config reload refused').length, (n) => n >= 3, 'the second refusal');
    expect(d.logs()).toContain('invalid registry-mirrors[0]: \\"gopher://x\\"');
    expect(await infoMirrors(d)).toEqual([`${registry.url}/`, 'https://hup.example/']);
    // The daemon is still healthy and serving.
    expect((await docker(d.dockerHost, ['version'])).code).toBe(0);
  });
});

describe.skipIf(!IS_ROOT)('daemon.json at start-up', () => {
  it('refuses to start with an invalid config and says why', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-test-'));
    try {
      await expect(startBerthd({ dir, config: { 'registry-mirrors': ['http://ok.example', 'http://bad.example/path'] } })).rejects.toThrow(
        /berthd exited with 1 before answering:[\s\S]*invalid config .*daemon\.json: invalid registry-mirrors\[1\]: "http:\/\/bad\.example\/path"/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('starts on defaults without a config file', async () => {
    const d = await startBerthd({ extraArgs: ['--config', '/nonexistent/berth/daemon.json'] });
    try {
      expect(await infoMirrors(d)).toEqual([]);
      expect((await getConfig(d)).raw).toBe('{}\n');
    } finally {
      await d.cleanup();
    }
  });
});
