import { describe, expect, it } from 'vitest';
import { MEDIA_TYPES, parseManifest, selectPlatform, type ManifestIndex } from './manifest';

const dg = (c: string): string => `sha256:${c.repeat(64)}`;

describe('parseManifest', () => {
  it('reads schema2 and OCI manifests and indexes, by header or body', () => {
    const m = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.dockerManifest, config: { mediaType: MEDIA_TYPES.dockerConfig, digest: dg('a'), size: 10 }, layers: [{ mediaType: MEDIA_TYPES.dockerLayerGzip, digest: dg('b'), size: 20 }] }));
    const parsed = parseManifest(m, undefined);
    expect(parsed.kind).toBe('manifest');
    const idx = Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [] }));
    expect(parseManifest(idx, MEDIA_TYPES.ociIndex).kind).toBe('index');
  });
  it('refuses schema1 as unsupported (no fallback)', () => {
    expect(() => parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 1, name: 'x' })), MEDIA_TYPES.schema1Signed)).toThrow(/schema 1/);
  });
  it('refuses non-container configs (e.g. AI models, helm charts)', () => {
    const m = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociManifest, config: { mediaType: 'application/vnd.cncf.helm.config.v1+json', digest: dg('a'), size: 1 }, layers: [] }));
    expect(() => parseManifest(m, undefined)).toThrow(/not supported/);
  });
});

describe('selectPlatform', () => {
  const index: ManifestIndex = {
    kind: 'index',
    mediaType: MEDIA_TYPES.ociIndex,
    manifests: [
      { mediaType: MEDIA_TYPES.ociManifest, digest: dg('0'), size: 1, platform: { os: 'unknown', architecture: 'unknown' }, annotations: { 'vnd.docker.reference.type': 'attestation-manifest' } },
      { mediaType: MEDIA_TYPES.ociManifest, digest: dg('1'), size: 1, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
      { mediaType: MEDIA_TYPES.ociManifest, digest: dg('2'), size: 1, platform: { os: 'linux', architecture: 'amd64' } },
      { mediaType: MEDIA_TYPES.ociManifest, digest: dg('3'), size: 1, platform: { os: 'linux', architecture: 'arm', variant: 'v6' } },
      { mediaType: MEDIA_TYPES.ociManifest, digest: dg('4'), size: 1, platform: { os: 'linux', architecture: 'arm', variant: 'v7' } },
    ],
  };
  it('picks linux/amd64 and never an attestation', () => {
    expect(selectPlatform(index, { os: 'linux', architecture: 'amd64' })?.digest).toBe(dg('2'));
  });
  it('matches variants, defaulting arm64 to v8 and arm to v7', () => {
    expect(selectPlatform(index, { os: 'linux', architecture: 'arm64' })?.digest).toBe(dg('1'));
    expect(selectPlatform(index, { os: 'linux', architecture: 'arm' })?.digest).toBe(dg('4'));
    expect(selectPlatform(index, { os: 'linux', architecture: 'arm', variant: 'v6' })?.digest).toBe(dg('3'));
    expect(selectPlatform(index, { os: 'linux', architecture: 's390x' })).toBeUndefined();
  });
});
