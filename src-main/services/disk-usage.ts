import type { SystemDfDto } from '../../src-shared/docker-api/system';
import type { DiskUsageRowView, DiskUsageView } from '../../src-shared/ipc/models/system';

/** A container the CLI counts as active (cli/command/formatter/disk_usage.go: isActive). */
const isActive = (state: string): boolean => /running|paused|restarting/.test(state);

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/**
 * `docker system df`'s four rows from the daemon's /system/df, with the CLI's arithmetic so the
 * app and the CLI print the same numbers: images' size is LayersSize (a layer shared by ten images
 * counts once), their reclaimable part is that minus what images with containers hold uniquely.
 */
export function toDiskUsageView(df: SystemDfDto): DiskUsageView {
  const images = df.Images ?? [];
  const usedImages = images.filter((i) => i.Containers > 0);
  const heldUniquely = sum(usedImages.filter((i) => i.Size >= 0 && i.SharedSize >= 0).map((i) => i.Size - i.SharedSize));
  const containers = df.Containers ?? [];
  const volumes = (df.Volumes ?? []).map((v) => v.UsageData ?? { Size: -1, RefCount: -1 });
  const cache = df.BuildCache ?? [];
  const row = (total: number, active: number, size: number, reclaimable: number): DiskUsageRowView => ({ total, active, size, reclaimable });
  return {
    images: row(images.length, usedImages.length, df.LayersSize, Math.max(0, df.LayersSize - heldUniquely)),
    containers: row(
      containers.length,
      containers.filter((c) => isActive(c.State)).length,
      sum(containers.map((c) => c.SizeRw ?? 0)),
      sum(containers.filter((c) => !isActive(c.State)).map((c) => c.SizeRw ?? 0)),
    ),
    volumes: row(
      volumes.length,
      volumes.filter((u) => u.RefCount > 0).length,
      sum(volumes.filter((u) => u.Size >= 0).map((u) => u.Size)),
      sum(volumes.filter((u) => u.RefCount === 0 && u.Size >= 0).map((u) => u.Size)),
    ),
    buildCache: row(
      cache.length,
      cache.filter((b) => b.InUse).length,
      sum(cache.filter((b) => !b.Shared).map((b) => b.Size)),
      sum(cache.filter((b) => !b.InUse && !b.Shared).map((b) => b.Size)),
    ),
  };
}

/** How many containers use each image, by image ID, for engines whose list says -1 (dockerd without df). */
export function containersPerImage(containers: readonly { ImageID: string }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const c of containers) counts.set(c.ImageID, (counts.get(c.ImageID) ?? 0) + 1);
  return counts;
}
