import { describe, expect, it } from 'vitest';
import type { BerthImageLayersResponse, ImageSummaryDto } from '../../src-shared/docker-api/images';
import { toBerthLayerViews, toImagePruneResult, withContainerCounts } from './images-service';

describe('images service mappers', () => {
  // berthd's route builds the same type (helper/src/api/dto/images-dto.ts); test/e2e/app-numbers reads it from a real berthd.
  it('reads the layers berthd writes (one BerthImageLayersResponse type on both sides), sizes included', () => {
    const wire: BerthImageLayersResponse = {
      imageId: 'sha256:img',
      layers: [
        { chainId: 'sha256:c1', diffId: 'sha256:d1', blobDigest: null, size: 4_261_000, shared: true, sharedWith: ['other:1'], createdBy: 'ADD rootfs /', diffDir: '/x/1' },
        { chainId: 'sha256:c2', diffId: 'sha256:d2', blobDigest: 'sha256:b2', size: 12, shared: false, sharedWith: [], createdBy: null, diffDir: '/x/2' },
      ],
    };
    // Through JSON, as it crosses the socket.
    const layers = toBerthLayerViews(JSON.parse(JSON.stringify(wire)));
    expect(layers).toEqual([
      { diffId: 'sha256:d1', size: 4_261_000, createdBy: 'ADD rootfs /', sharedWith: ['other:1'] },
      { diffId: 'sha256:d2', size: 12, createdBy: null, sharedWith: [] },
    ]);
  });

  it('fills the Containers column the engine leaves at -1 by counting containers of every state', () => {
    const img = (id: string, containers: number): ImageSummaryDto => ({ Id: id, ParentId: '', RepoTags: [`${id}:1`], RepoDigests: [], Created: 1, Size: 10, SharedSize: 4, Labels: {}, Containers: containers });
    const rows = withContainerCounts([img('a', -1), img('b', -1), img('c', 3)], [{ ImageID: 'a' }, { ImageID: 'a' }]);
    expect(rows.map((r) => [r.id, r.containers, r.sharedSize, r.uniqueSize])).toEqual([
      ['a', 2, 4, 6],
      ['b', 0, 4, 6],
      ['c', 3, 4, 6],
    ]);
  });

  it('counts pruned images, not their layers, from dockerd’s Deleted lines', () => {
    const r = toImagePruneResult(
      {
        ImagesDeleted: [{ Untagged: 'a:1' }, { Deleted: 'sha256:a' }, { Deleted: 'sha256:layer1' }, { Deleted: 'sha256:b' }, { Deleted: 'sha256:layer2' }],
        SpaceReclaimed: 1234,
      },
      new Set(['sha256:a', 'sha256:b', 'sha256:kept']),
    );
    expect(r).toEqual({ deleted: ['sha256:a', 'sha256:b'], untagged: ['a:1'], layersDeleted: 2, spaceReclaimed: 1234 });
  });
});
