/**
 * Engine API image wire types as the app client reads them (PascalCase, as on the wire; see
 * engine-api.md §1.1). Kept here until berthd's images DTOs land in src-shared/docker-api; only the
 * fields the app reads are listed, the rest pass through in `raw` views.
 */
export interface ImageSummaryDto {
  Id: string;
  ParentId: string;
  RepoTags: string[] | null;
  RepoDigests: string[] | null;
  Created: number;
  Size: number;
  SharedSize: number;
  Labels: Record<string, string> | null;
  Containers: number;
}

export interface ImageInspectDto {
  Id: string;
  RepoTags: string[] | null;
  RepoDigests: string[] | null;
  Created: string;
  Size: number;
  Architecture: string;
  Os: string;
  Config: {
    Env?: string[] | null;
    Cmd?: string[] | null;
    Entrypoint?: string[] | null;
    WorkingDir?: string;
    User?: string;
    Labels?: Record<string, string> | null;
    ExposedPorts?: Record<string, unknown> | null;
    StopSignal?: string;
  } | null;
  RootFS?: { Type: string; Layers?: string[] };
  GraphDriver?: { Name: string; Data: Record<string, string> | null };
}

export interface ImageHistoryDto {
  Id: string;
  Created: number;
  CreatedBy: string;
  Tags: string[] | null;
  Size: number;
  Comment: string;
}

export interface ImageDeleteItemDto {
  Untagged?: string;
  Deleted?: string;
}

export interface ImagePruneDto {
  ImagesDeleted: ImageDeleteItemDto[] | null;
  SpaceReclaimed: number;
}

/** One message of a pull/push JSON stream (moby jsonmessage). */
export interface JsonMessageDto {
  status?: string;
  id?: string;
  progress?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
  errorDetail?: { message?: string };
  aux?: Record<string, unknown>;
}
