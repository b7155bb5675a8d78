import { describe, expect, it } from 'vitest';
import { buildSchema2Manifest, schema2LayerMediaType } from './push-manifest';

describe('buildSchema2Manifest', () => {
  it('writes dockerd\'s layout: schema2 media types, three-space indent, no trailing newline', () => {
    const bytes = buildSchema2Manifest({ digest: 'sha256:c', size: 10 }, [{ digest: 'sha256:l', size: 20, mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip' }]);
    expect(bytes.toString()).toBe(
      [
        '{',
        '   "schemaVersion": 2,',
        '   "mediaType": "application/vnd.docker.distribution.manifest.v2+json",',
        '   "config": {',
        '      "mediaType": "application/vnd.docker.container.image.v1+json",',
        '      "size": 10,',
        '      "digest": "sha256:c"',
        '   },',
        '   "layers": [',
        '      {',
        '         "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",',
        '         "size": 20,',
        '         "digest": "sha256:l"',
        '      }',
        '   ]',
        '}',
      ].join('\n'),
    );
  });

  it('maps gzip layer types to schema2 and refuses the rest', () => {
    expect(schema2LayerMediaType('application/vnd.oci.image.layer.v1.tar+gzip')).toBe('application/vnd.docker.image.rootfs.diff.tar.gzip');
    expect(schema2LayerMediaType('application/vnd.oci.image.layer.v1.tar+zstd')).toBeUndefined();
    expect(schema2LayerMediaType(undefined)).toBeUndefined();
  });
});
