import { createHash } from 'node:crypto';
import { unsupportedError, verificationError } from './errors';

export const MEDIA_TYPES = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignLayer: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  schema1: 'application/vnd.docker.distribution.manifest.v1+json',
  schema1Signed: 'application/vnd.docker.distribution.manifest.v1+prettyjws',
} as const;

/** The Accept header of manifest requests: indexes first so multi-platform images resolve. */
export const MANIFEST_ACCEPT = [MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerList, MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest].join(', ');

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: Platform;
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** A single-platform manifest (Docker schema2 or OCI). */
export interface ImageManifest {
  kind: 'manifest';
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
}

/** A manifest list / OCI index. */
export interface ManifestIndex {
  kind: 'index';
  mediaType: string;
  manifests: Descriptor[];
}

export type ParsedManifest = ImageManifest | ManifestIndex;

/** How a layer blob is compressed, from its media type. */
export type LayerCompression = 'gzip' | 'none' | 'zstd';

export function sha256Digest(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

const DIGEST_RE = /^sha256:[0-9a-f]{64}$/;

function asDescriptor(v: unknown, where: string): Descriptor {
  if (typeof v !== 'object' || v === null) throw verificationError('INVALID_MANIFEST', `invalid manifest: ${where} is not an object`);
  const d = v as Record<string, unknown>;
  if (typeof d.digest !== 'string' || !DIGEST_RE.test(d.digest)) throw verificationError('INVALID_MANIFEST', `invalid manifest: ${where} has an unsupported digest ${JSON.stringify(d.digest)}`);
  if (typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) throw verificationError('INVALID_MANIFEST', `invalid manifest: ${where} has an invalid size`);
  const out: Descriptor = { mediaType: typeof d.mediaType === 'string' ? d.mediaType : '', digest: d.digest, size: d.size };
  if (Array.isArray(d.urls)) out.urls = d.urls.filter((u): u is string => typeof u === 'string');
  if (typeof d.annotations === 'object' && d.annotations !== null) out.annotations = d.annotations as Record<string, string>;
  if (typeof d.platform === 'object' && d.platform !== null) {
    const p = d.platform as Record<string, unknown>;
    out.platform = { os: String(p.os ?? ''), architecture: String(p.architecture ?? '') };
    if (typeof p.variant === 'string') out.platform.variant = p.variant;
  }
  return out;
}

/**
 * Parses manifest bytes. The media type comes from the reply's Content-Type, else the document's
 * own `mediaType`, else its shape. Schema1 and unknown types are refused (`unsupported`, which
 * does not fall back to another endpoint, as in moby).
 */
export function parseManifest(bytes: Buffer, contentType: string | undefined): ParsedManifest {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw verificationError('INVALID_MANIFEST', 'invalid manifest: not JSON');
  }
  if (typeof doc !== 'object' || doc === null) throw verificationError('INVALID_MANIFEST', 'invalid manifest: not an object');
  const ct = contentType?.split(';')[0]?.trim();
  let mediaType = typeof doc.mediaType === 'string' ? doc.mediaType : ct && ct !== 'application/json' && ct !== 'text/plain' ? ct : '';
  if (mediaType === '') mediaType = Array.isArray(doc.manifests) ? MEDIA_TYPES.ociIndex : MEDIA_TYPES.ociManifest;
  if (mediaType === MEDIA_TYPES.schema1 || mediaType === MEDIA_TYPES.schema1Signed || doc.schemaVersion === 1) {
    throw unsupportedError('DEPRECATED_SCHEMA1', 'support for Docker Image Format v1 and Docker Image manifest version 2, schema 1 has been removed; the image must be rebuilt and pushed with a newer format');
  }
  if (mediaType === MEDIA_TYPES.dockerList || mediaType === MEDIA_TYPES.ociIndex) {
    if (!Array.isArray(doc.manifests)) throw verificationError('INVALID_MANIFEST', 'invalid manifest list: no manifests');
    return { kind: 'index', mediaType, manifests: doc.manifests.map((m, i) => asDescriptor(m, `manifests[${i}]`)) };
  }
  if (mediaType === MEDIA_TYPES.dockerManifest || mediaType === MEDIA_TYPES.ociManifest) {
    if (!Array.isArray(doc.layers)) throw verificationError('INVALID_MANIFEST', 'invalid manifest: no layers');
    const config = asDescriptor(doc.config, 'config');
    if (config.mediaType !== '' && config.mediaType !== MEDIA_TYPES.dockerConfig && config.mediaType !== MEDIA_TYPES.ociConfig) {
      throw unsupportedError('UNSUPPORTED_CONFIG', `media type ${JSON.stringify(config.mediaType)} of the image config is not supported (not a container image)`);
    }
    return { kind: 'manifest', mediaType, config, layers: doc.layers.map((l, i) => asDescriptor(l, `layers[${i}]`)) };
  }
  throw unsupportedError('UNSUPPORTED_MEDIA_TYPE', `unsupported manifest media type ${JSON.stringify(mediaType)}`);
}

export function layerCompression(mediaType: string): LayerCompression {
  switch (mediaType) {
    case MEDIA_TYPES.dockerLayerGzip:
    case MEDIA_TYPES.ociLayerGzip:
    case 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip':
      return 'gzip';
    case MEDIA_TYPES.ociLayer:
    case 'application/vnd.oci.image.layer.nondistributable.v1.tar':
      return 'none';
    case MEDIA_TYPES.ociLayerZstd:
      return 'zstd';
    default:
      throw unsupportedError('UNSUPPORTED_LAYER', `unsupported layer media type ${JSON.stringify(mediaType)}`);
  }
}

/** Node `process.arch` → OCI architecture. */
export function hostPlatform(): Platform {
  const arch = ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' } as Record<string, string>)[process.arch] ?? process.arch;
  return { os: 'linux', architecture: arch, ...(arch === 'arm' ? { variant: 'v7' } : {}) };
}

/** Parses the `platform` query parameter (`linux/arm64/v8`). */
export function parsePlatform(s: string): Platform {
  const [os, architecture, variant] = s.toLowerCase().split('/');
  if (!os || !architecture) throw unsupportedError('INVALID_PLATFORM', `invalid platform ${JSON.stringify(s)}: expected os/arch[/variant]`);
  return { os, architecture, ...(variant ? { variant } : {}) };
}

function isAttestation(d: Descriptor): boolean {
  return d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' || (d.platform?.os === 'unknown' && d.platform.architecture === 'unknown');
}

/**
 * Picks the entry of an index for `want` (moby/containerd platform matching): os and architecture
 * equal, variant equal when both name one (arm defaults to v7, arm64 to v8). Attestation
 * manifests are never chosen. Undefined when nothing matches.
 */
export function selectPlatform(index: ManifestIndex, want: Platform): Descriptor | undefined {
  const normVariant = (arch: string, v: string | undefined): string | undefined => v ?? (arch === 'arm' ? 'v7' : arch === 'arm64' ? 'v8' : undefined);
  const candidates = index.manifests.filter((m) => !isAttestation(m) && m.platform !== undefined && m.platform.os === want.os && m.platform.architecture === want.architecture);
  const wantVariant = normVariant(want.architecture, want.variant);
  return candidates.find((m) => normVariant(m.platform!.architecture, m.platform!.variant) === wantVariant) ?? (want.variant === undefined ? candidates[0] : undefined);
}

export function platformString(p: Platform): string {
  return `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`;
}
