/**
 * Docker Engine API wire types for images (PascalCase, as on the wire) and the Berth image layers
 * extension (`GET /berth/v1/images/{name}/layers`, camelCase like every Berth-only route).
 */

/** GET /images/json item. */
export interface ImageSummaryDto {
  Id: string;
  ParentId: string;
  RepoTags: string[];
  RepoDigests: string[];
  /** Unix seconds. */
  Created: number;
  Size: number;
  /** API < 1.44 still shows it; equal to Size. */
  VirtualSize?: number;
  SharedSize: number;
  Labels: Record<string, string>;
  Containers: number;
}

export interface ImageConfigDto {
  Hostname: string;
  Domainname: string;
  User: string;
  AttachStdin: boolean;
  AttachStdout: boolean;
  AttachStderr: boolean;
  ExposedPorts: Record<string, object> | null;
  Tty: boolean;
  OpenStdin: boolean;
  StdinOnce: boolean;
  Env: string[] | null;
  Cmd: string[] | null;
  Image: string;
  Volumes: Record<string, object> | null;
  WorkingDir: string;
  Entrypoint: string[] | null;
  OnBuild: string[] | null;
  Labels: Record<string, string> | null;
  StopSignal?: string;
  Healthcheck?: unknown;
  Shell?: string[];
  ArgsEscaped?: boolean;
}

/** GET /images/{name}/json */
export interface ImageInspectDto {
  Id: string;
  RepoTags: string[];
  RepoDigests: string[];
  Parent: string;
  Comment: string;
  /** RFC 3339 (nano). */
  Created: string;
  DockerVersion: string;
  Author: string;
  Config: ImageConfigDto;
  /** Dropped by dockerd from API 1.45; berthd keeps them for docker-compose 1.29 (images-dto.ts). */
  Container?: string;
  ContainerConfig?: ImageConfigDto;
  Architecture: string;
  Variant?: string;
  Os: string;
  Size: number;
  VirtualSize?: number;
  GraphDriver: { Name: 'overlay2'; Data: Record<string, string> };
  RootFS: { Type: 'layers'; Layers: string[] };
  Metadata: { LastTagTime: string };
}

/** GET /images/{name}/history item (newest first). */
export interface ImageHistoryItemDto {
  Id: string;
  Created: number;
  CreatedBy: string;
  Tags: string[] | null;
  Size: number;
  Comment: string;
}

/** DELETE /images/{name} item. */
export type ImageDeleteItemDto = { Untagged: string } | { Deleted: string };

/** POST /images/prune */
export interface ImagePruneResponse {
  ImagesDeleted: ImageDeleteItemDto[] | null;
  SpaceReclaimed: number;
}

/** GET /system/df (images part filled by berthd's image engine). */
export interface SystemDfResponse {
  LayersSize: number;
  Images: ImageSummaryDto[];
  Containers: unknown[];
  Volumes: unknown[];
  BuildCache: unknown[];
}

/** One jsonmessage of a pull/import/push stream. */
export interface JsonMessageDto {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  progress?: string;
  error?: string;
  /** `code`: a failed build step's exit code (the CLI exits with it). */
  errorDetail?: { message: string; code?: number };
  aux?: Record<string, unknown>;
  /** Text the CLI prints as is (build output, `docker load`'s "Loaded image: …"). */
  stream?: string;
}

/** GET /berth/v1/images/{name}/layers */
export interface BerthImageLayersResponse {
  imageId: string;
  /** Base layer first. */
  layers: BerthImageLayer[];
}

export interface BerthImageLayer {
  chainId: string;
  diffId: string;
  /** Compressed blob the layer came from, when known. */
  blobDigest: string | null;
  /** Unpacked size in bytes. */
  size: number;
  /** The history step that created it, when the config says. */
  createdBy: string | null;
  shared: boolean;
  /** Other images (first tag, or short ID) using this layer. */
  sharedWith: string[];
  /** The layer's overlay2 diff directory on the daemon host. */
  diffDir: string;
}
