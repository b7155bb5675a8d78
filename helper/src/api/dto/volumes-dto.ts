import type { BerthVolumeDto, VolumeDto } from '../../../../src-shared/docker-api/volumes';
import type { VolumeUser, VolumeView } from '../../engine/volumes/volume-service';

/** dockerd prints CreatedAt as RFC3339 in seconds (`2024-01-01T00:00:00Z`). */
const rfc3339 = (iso: string): string => iso.replace(/\.\d+Z$/, 'Z');

export function toVolumeDto(v: VolumeView): VolumeDto {
  const vol = v.volume;
  return {
    CreatedAt: rfc3339(vol.createdAt),
    Driver: vol.driver,
    // dockerd: null for a volume created without labels.
    Labels: Object.keys(vol.labels).length > 0 ? vol.labels : null,
    Mountpoint: v.mountpoint,
    Name: vol.name,
    Options: Object.keys(vol.options).length > 0 ? vol.options : null,
    Scope: 'local',
    ...(v.usage ? { UsageData: { Size: v.usage.size, RefCount: v.usage.refCount } } : {}),
  };
}

export function toBerthVolumeDto(v: VolumeView, users: VolumeUser[]): BerthVolumeDto {
  return {
    ...toVolumeDto(v),
    UsageData: { Size: v.usage?.size ?? -1, RefCount: v.usage?.refCount ?? users.length },
    Containers: users.map((u) => ({ Id: u.id, Name: u.name, Running: u.running })),
  };
}
