import { describe, expect, it } from 'vitest';
import { DEFAULT_DAEMON_CONFIG } from '../config/daemon-config';
import { DOCKER_HUB_REGISTRY_URL, isInsecureRegistry, normalizeMirrorUrl, pullEndpoints, registryUrl, shouldFallback, skipReason } from './endpoints';
import { RegistryError, networkError, unsupportedError, verificationError } from './errors';

const cfg = (over: Partial<typeof DEFAULT_DAEMON_CONFIG> = {}) => ({ ...DEFAULT_DAEMON_CONFIG, ...over });

describe('pullEndpoints', () => {
  it('tries Hub mirrors in order, then registry-1.docker.io', () => {
    const eps = pullEndpoints('docker.io', cfg({ registryMirrors: ['http://127.0.0.1:1', 'https://mirror.example/'], mirrors: { 'docker.io': ['http://127.0.0.1:2', 'http://127.0.0.1:1'] } }));
    expect(eps.map((e) => [e.url, e.mirror])).toEqual([
      ['http://127.0.0.1:1', true],
      ['https://mirror.example', true],
      ['http://127.0.0.1:2', true],
      [DOCKER_HUB_REGISTRY_URL, false],
    ]);
  });

  it('uses registry-mirrors only for Docker Hub; Berth mirrors for other hosts', () => {
    const c = cfg({ registryMirrors: ['http://127.0.0.1:1'], mirrors: { 'ghcr.io': ['http://127.0.0.1:7'] } });
    expect(pullEndpoints('ghcr.io', c).map((e) => e.url)).toEqual(['http://127.0.0.1:7', 'https://ghcr.io']);
    expect(pullEndpoints('quay.io', c).map((e) => e.url)).toEqual(['https://quay.io']);
  });

  it('speaks http to loopback and insecure registries, https otherwise', () => {
    expect(registryUrl('127.0.0.1:5000', cfg()).url).toBe('http://127.0.0.1:5000');
    expect(registryUrl('127.9.9.9:80', cfg()).url).toBe('http://127.9.9.9:80');
    expect(registryUrl('localhost:5000', cfg()).url).toBe('http://localhost:5000');
    expect(registryUrl('[::1]:5000', cfg()).url).toBe('http://[::1]:5000');
    expect(registryUrl('10.1.2.3:5000', cfg()).url).toBe('https://10.1.2.3:5000');
    expect(registryUrl('10.1.2.3:5000', cfg({ insecureRegistries: ['10.0.0.0/8'] })).url).toBe('http://10.1.2.3:5000');
    expect(registryUrl('reg.lan:5000', cfg({ insecureRegistries: ['reg.lan:5000'] })).url).toBe('http://reg.lan:5000');
    expect(isInsecureRegistry('reg.lan:5001', ['reg.lan:5000'])).toBe(false);
  });
});

describe('normalizeMirrorUrl', () => {
  it('accepts scheme://host[:port] and strips the slash', () => {
    expect(normalizeMirrorUrl('http://127.0.0.1:5000/')).toBe('http://127.0.0.1:5000');
  });
  it.each(['ftp://x', 'http://x/path', 'http://x/?q=1', 'http://u:p@x', 'not a url', 'http://x#f'])('refuses %s', (u) => {
    expect(() => normalizeMirrorUrl(u)).toThrow(/invalid mirror/);
  });
});

describe('shouldFallback (moby continueOnError)', () => {
  const mirror = { url: 'http://127.0.0.1:1', mirror: true, skipTlsVerify: false };
  const upstream = { url: 'https://registry-1.docker.io', mirror: false, skipTlsVerify: false };
  const registryErr = new RegistryError('NotFound', 'REGISTRY_MANIFEST_UNKNOWN', 'manifest unknown', { category: 'registry', status: 404, details: [{ code: 'MANIFEST_UNKNOWN', message: 'x' }] });

  it('falls back on network errors from any endpoint', () => {
    const err = networkError('http://127.0.0.1:1', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    expect(shouldFallback(err, mirror)).toBe(true);
    expect(shouldFallback(err, upstream)).toBe(true);
    expect(skipReason(err)).toBe('connection refused');
  });
  it('falls back on registry errors only from a mirror', () => {
    expect(shouldFallback(registryErr, mirror)).toBe(true);
    expect(shouldFallback(registryErr, upstream)).toBe(false);
  });
  it('falls back on unexpected HTTP replies and verification failures, never on unsupported media types', () => {
    const html = new RegistryError('Unavailable', 'REGISTRY_UNEXPECTED_HTTP', 'status 502', { category: 'unexpected-http', status: 502 });
    expect(shouldFallback(html, upstream)).toBe(true);
    expect(shouldFallback(verificationError('BLOB_DIGEST_MISMATCH', 'x'), mirror)).toBe(true);
    expect(shouldFallback(unsupportedError('DEPRECATED_SCHEMA1', 'x'), mirror)).toBe(false);
  });
  it('does not fall back when the pull was cancelled', () => {
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    expect(shouldFallback(abort, mirror)).toBe(false);
  });
});
