import { MEDIA_TYPES, type Descriptor } from './manifest';

/**
 * A Docker schema2 manifest as dockerd writes it when pushing (distribution/push_v2.go builds it
 * with schema2's MarshalIndent: three-space indentation, no trailing newline), so a pushed image
 * gets the digest dockerd would give it.
 */
export function buildSchema2Manifest(config: { digest: string; size: number }, layers: Pick<Descriptor, 'digest' | 'size' | 'mediaType'>[]): Buffer {
  const doc = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.dockerManifest,
    config: { mediaType: MEDIA_TYPES.dockerConfig, size: config.size, digest: config.digest },
    layers: layers.map((l) => ({ mediaType: l.mediaType, size: l.size, digest: l.digest })),
  };
  return Buffer.from(JSON.stringify(doc, null, 3));
}

/** Layer media types a Docker schema2 manifest can carry for a gzip blob, by the type the blob was pulled with. */
export function schema2LayerMediaType(stored: string | undefined): string | undefined {
  switch (stored) {
    case MEDIA_TYPES.dockerLayerGzip:
    case MEDIA_TYPES.ociLayerGzip:
      return MEDIA_TYPES.dockerLayerGzip;
    default:
      // zstd, uncompressed or foreign blobs have no schema2 gzip form: the caller regenerates one.
      return undefined;
  }
}
