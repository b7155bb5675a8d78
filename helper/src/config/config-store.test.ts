import { mkdtemp, readdir, readFile, rm, stat, symlink, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../lib/logger';
import { ConfigStore, mergeMirrors } from './config-store';
import { ConfigValidationError } from './daemon-config-parse';
import { DEFAULT_DAEMON_CONFIG } from './daemon-config';

const log = createLogger('silent');

describe('ConfigStore', () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-config-'));
    file = join(dir, 'daemon.json');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs on defaults when the file is absent', async () => {
    const store = await ConfigStore.open(file, log);
    expect(store.current()).toEqual(DEFAULT_DAEMON_CONFIG);
    expect(store.snapshot()).toMatchObject({ raw: '{}\n', source: 'defaults' });
  });

  it('treats an empty file as no settings', async () => {
    await writeFile(file, '\n');
    expect((await ConfigStore.open(file, log)).current()).toEqual(DEFAULT_DAEMON_CONFIG);
  });

  it('refuses to open an invalid file', async () => {
    await writeFile(file, '{"registry-mirrors": ["ftp://x"]}');
    await expect(ConfigStore.open(file, log)).rejects.toBeInstanceOf(ConfigValidationError);
  });

  it('reloads a valid file and tells listeners', async () => {
    await writeFile(file, '{"registry-mirrors": ["http://a.example"]}');
    const store = await ConfigStore.open(file, log);
    const seen: string[][] = [];
    store.onChange((c, prev) => seen.push([...prev.registryMirrors, '->', ...c.registryMirrors]));
    await writeFile(file, '{"registry-mirrors": ["http://b.example/"]}');
    const result = await store.reload();
    expect(result.ok).toBe(true);
    expect(store.current().registryMirrors).toEqual(['http://b.example']);
    expect(seen).toEqual([['http://a.example', '->', 'http://b.example']]);
  });

  it('keeps the old config when a reload finds a broken file', async () => {
    await writeFile(file, '{"registry-mirrors": ["http://a.example"]}');
    const store = await ConfigStore.open(file, log);
    let calls = 0;
    store.onChange(() => calls++);
    for (const broken of ['{"registry-mirrors": [', '{"registry-mirrors": ["ftp://x"]}', '{"nope": 1}']) {
      await writeFile(file, broken);
      const result = await store.reload();
      expect(result.ok).toBe(false);
      expect(store.current().registryMirrors).toEqual(['http://a.example']);
      expect(store.snapshot().raw).toBe('{"registry-mirrors": ["http://a.example"]}');
    }
    expect(calls).toBe(0);
  });

  it('replaces the file atomically and swaps the config', async () => {
    await writeFile(file, '{"registry-mirrors": ["http://a.example"]}');
    await chmod(file, 0o640);
    const store = await ConfigStore.open(file, log);
    const raw = '{\n  "registry-mirrors": ["http://b.example", "https://c.example/"],\n  "log-format": "json"\n}\n';
    const snap = await store.replaceRaw(raw);
    expect(snap.config.registryMirrors).toEqual(['http://b.example', 'https://c.example']);
    expect(snap.warnings).toHaveLength(1);
    expect(store.current().registryMirrors).toEqual(['http://b.example', 'https://c.example']);
    expect(await readFile(file, 'utf8')).toBe(raw);
    expect((await stat(file)).mode & 0o777).toBe(0o640);
    expect(await readdir(dir)).toEqual(['daemon.json']); // no temp file left behind
  });

  it('refuses an invalid replacement and keeps the old config and file', async () => {
    const original = '{"registry-mirrors": ["http://a.example"]}';
    await writeFile(file, original);
    const store = await ConfigStore.open(file, log);
    await expect(store.replaceRaw('{"registry-mirrors": ["http://a.example", "ftp://x"]}')).rejects.toThrow(
      'invalid registry-mirrors[1]: "ftp://x" must be an http or https URL without path',
    );
    await expect(store.replaceRaw('{"registry-mirrors": [}')).rejects.toMatchObject({ code: 'CONFIG_INVALID_JSON', position: { line: 1, column: 23 } });
    await expect(store.replaceMirrors({ registryMirrors: ['http://ok.example', 'http://x/path'] })).rejects.toMatchObject({ key: 'registry-mirrors[1]' });
    expect(store.current().registryMirrors).toEqual(['http://a.example']);
    expect(await readFile(file, 'utf8')).toBe(original);
    expect(await readdir(dir)).toEqual(['daemon.json']);
  });

  it('replaces mirrors keeping the other keys of the file', async () => {
    await writeFile(file, '{"log-driver": "json-file", "registry-mirrors": ["http://a.example"], "max-concurrent-downloads": 5}');
    const store = await ConfigStore.open(file, log);
    await store.replaceMirrors({ registryMirrors: ['http://b.example'], mirrors: { 'ghcr.io': ['http://127.0.0.1:5001'] } });
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({
      'log-driver': 'json-file',
      'registry-mirrors': ['http://b.example'],
      'max-concurrent-downloads': 5,
      mirrors: { 'ghcr.io': ['http://127.0.0.1:5001'] },
    });
    expect(store.current()).toMatchObject({ registryMirrors: ['http://b.example'], maxConcurrentDownloads: 5, mirrors: { 'ghcr.io': ['http://127.0.0.1:5001'] } });
  });

  it('creates the file (and its directory) when running on defaults', async () => {
    const nested = join(dir, 'etc', 'berth', 'daemon.json');
    const store = await ConfigStore.open(nested, log);
    await store.replaceMirrors({ registryMirrors: ['http://m.example'] });
    expect(JSON.parse(await readFile(nested, 'utf8'))).toEqual({ 'registry-mirrors': ['http://m.example'] });
    expect(store.snapshot().source).toBe('file');
  });

  it('writes through a symlinked daemon.json', async () => {
    const target = join(dir, 'real.json');
    await writeFile(target, '{}');
    await symlink(target, file);
    const store = await ConfigStore.open(file, log);
    await store.replaceRaw('{"debug": true}');
    expect(await readFile(target, 'utf8')).toBe('{"debug": true}');
    expect((await stat(file)).isFile()).toBe(true);
  });

  it('serialises concurrent replacements: the last one wins, both complete', async () => {
    const store = await ConfigStore.open(file, log);
    const jobs = Array.from({ length: 10 }, (_, i) => store.replaceRaw(JSON.stringify({ 'registry-mirrors': [`http://m${i}.example`] })));
    await Promise.all(jobs);
    expect(store.current().registryMirrors).toEqual(['http://m9.example']);
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ 'registry-mirrors': ['http://m9.example'] });
  });

  it('a reader polling the file during replacements always sees valid JSON', async () => {
    await writeFile(file, '{}');
    const store = await ConfigStore.open(file, log);
    let done = false;
    let reads = 0;
    const reader = (async () => {
      while (!done) {
        JSON.parse(await readFile(file, 'utf8'));
        reads++;
      }
    })();
    const big = (i: number): string => JSON.stringify({ 'registry-mirrors': Array.from({ length: 400 }, (_, j) => `http://m${i}-${j}.example`) }, null, 2);
    for (let i = 0; i < 30; i++) await store.replaceRaw(big(i));
    done = true;
    await reader;
    expect(reads).toBeGreaterThan(0);
  });
});

describe('mergeMirrors', () => {
  it('sets only the given mirror keys', () => {
    expect(JSON.parse(mergeMirrors('{"debug": true, "insecure-registries": ["r:5000"]}', { registryMirrors: [] }))).toEqual({
      debug: true,
      'insecure-registries': ['r:5000'],
      'registry-mirrors': [],
    });
    expect(mergeMirrors('', { registryMirrors: ['http://a'], insecureRegistries: ['x:1'] })).toBe('{\n  "registry-mirrors": [\n    "http://a"\n  ],\n  "insecure-registries": [\n    "x:1"\n  ]\n}\n');
  });
});
