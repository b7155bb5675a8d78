import { describe, expect, it } from 'vitest';
import type { SystemDfDto } from '../../src-shared/docker-api/system';
import type { ContainerSummaryDto } from '../../src-shared/docker-api/containers';
import type { ImageSummaryDto } from '../../src-shared/docker-api/images';
import { containersPerImage, toDiskUsageView } from './disk-usage';

const image = (id: string, size: number, shared: number, containers: number): ImageSummaryDto => ({
  Id: id,
  ParentId: '',
  RepoTags: [],
  RepoDigests: [],
  Created: 0,
  Size: size,
  SharedSize: shared,
  Labels: {},
  Containers: containers,
});
const container = (id: string, imageId: string, state: string, sizeRw: number): ContainerSummaryDto => ({
  Id: id,
  Names: [`/${id}`],
  Image: imageId,
  ImageID: imageId,
  Command: '',
  Created: 0,
  Ports: [],
  SizeRw: sizeRw,
  Labels: {},
  State: state,
  Status: '',
  HostConfig: { NetworkMode: 'default' },
  NetworkSettings: { Networks: {} },
  Mounts: [],
});

describe('toDiskUsageView', () => {
  it('counts a shared layer once (LayersSize), not the sum of image sizes', () => {
    // Two 100 MB images sharing a 90 MB base: 110 MB on disk, not 200.
    const df: SystemDfDto = {
      LayersSize: 110,
      Images: [image('a', 100, 90, 1), image('b', 100, 90, 0)],
      Containers: [container('c1', 'a', 'running', 5), container('c2', 'a', 'exited', 7)],
      Volumes: [
        { Name: 'v1', Driver: 'local', Mountpoint: '', CreatedAt: '', Labels: null, Scope: 'local', Options: null, UsageData: { Size: 30, RefCount: 1 } },
        { Name: 'v2', Driver: 'local', Mountpoint: '', CreatedAt: '', Labels: null, Scope: 'local', Options: null, UsageData: { Size: 20, RefCount: 0 } },
        { Name: 'v3', Driver: 'local', Mountpoint: '', CreatedAt: '', Labels: null, Scope: 'local', Options: null, UsageData: { Size: -1, RefCount: -1 } },
      ],
      BuildCache: [
        { ID: 'x', Type: 'regular', Description: '', InUse: false, Shared: false, Size: 4, CreatedAt: '', LastUsedAt: null, UsageCount: 1 },
        { ID: 'y', Type: 'regular', Description: '', InUse: true, Shared: false, Size: 6, CreatedAt: '', LastUsedAt: null, UsageCount: 1 },
        { ID: 'z', Type: 'regular', Description: '', InUse: false, Shared: true, Size: 100, CreatedAt: '', LastUsedAt: null, UsageCount: 1 },
      ],
    };
    const v = toDiskUsageView(df);
    // Image a is in use and holds 10 bytes of its own; everything else could go.
    expect(v.images).toEqual({ total: 2, active: 1, size: 110, reclaimable: 100 });
    expect(v.containers).toEqual({ total: 2, active: 1, size: 12, reclaimable: 7 });
    expect(v.volumes).toEqual({ total: 3, active: 1, size: 50, reclaimable: 20 });
    expect(v.buildCache).toEqual({ total: 3, active: 1, size: 10, reclaimable: 4 });
  });

  it('reads dockerd’s nulls for empty sections as zero rows', () => {
    const v = toDiskUsageView({ LayersSize: 0, Images: null, Containers: null, Volumes: null, BuildCache: null });
    expect(v.images).toEqual({ total: 0, active: 0, size: 0, reclaimable: 0 });
    expect(v.buildCache.total).toBe(0);
  });

  it('counts containers of every state per image', () => {
    const m = containersPerImage([container('1', 'a', 'running', 0), container('2', 'a', 'exited', 0), container('3', 'b', 'created', 0)]);
    expect([...m]).toEqual([
      ['a', 2],
      ['b', 1],
    ]);
  });
});
