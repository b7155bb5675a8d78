/** Engine API wire types and request schemas for volumes (PascalCase, as on the wire). */
import * as z from 'zod';

/** POST /volumes/create. `DriverOpts` are the local driver's `type`, `device`, `o`. */
export const VolumeCreateRequestSchema = z.looseObject({
  Name: z.string().optional(),
  Driver: z.string().optional(),
  DriverOpts: z.record(z.string(), z.string()).nullable().optional(),
  Labels: z.record(z.string(), z.string()).nullable().optional(),
  ClusterVolumeSpec: z.unknown().optional(),
});
export type VolumeCreateRequest = z.infer<typeof VolumeCreateRequestSchema>;

export interface VolumeUsageDataDto {
  /** Bytes; -1 when not computed. */
  Size: number;
  /** Containers that reference the volume; -1 when not computed. */
  RefCount: number;
}

export interface VolumeDto {
  Name: string;
  Driver: string;
  Mountpoint: string;
  /** RFC3339. */
  CreatedAt: string;
  Labels: Record<string, string> | null;
  Scope: 'local';
  Options: Record<string, string> | null;
  UsageData?: VolumeUsageDataDto;
}

/** GET /volumes */
export interface VolumeListResponse {
  Volumes: VolumeDto[];
  Warnings: string[] | null;
}

/** POST /volumes/prune */
export interface VolumePruneResponse {
  VolumesDeleted: string[] | null;
  SpaceReclaimed: number;
}

/** GET /berth/v1/volumes: Berth's view for the app, each volume with its usage and users. */
export interface BerthVolumeDto extends VolumeDto {
  UsageData: VolumeUsageDataDto;
  Containers: { Id: string; Name: string; Running: boolean }[];
}

/** GET /berth/v1/volumes/{name}/files?path= : one directory of a volume. */
export interface BerthVolumeFilesResponse {
  path: string;
  entries: { name: string; type: 'file' | 'dir' | 'symlink' | 'other'; size: number; mode: number; uid: number; gid: number; mtime: string; linkTarget?: string }[];
  truncated: boolean;
}
