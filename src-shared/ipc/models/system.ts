/** Engine-wide facts shown in the host header and settings. */
export interface EngineInfoView {
  hostId: string;
  name: string;
  serverVersion: string;
  apiVersion: string;
  os: string;
  operatingSystem: string;
  kernelVersion: string;
  architecture: string;
  ncpu: number;
  memTotal: number;
  storageDriver: string;
  cgroupVersion: string;
  dockerRootDir: string;
  containers: number;
  containersRunning: number;
  containersPaused: number;
  containersStopped: number;
  images: number;
  registryMirrors: string[];
  /** The default bridge's subnet and gateway, when the engine says (berthd does; dockerd's /info does not). */
  defaultBridge?: { subnet: string; gateway: string };
  isBerth: boolean;
  warnings: string[];
}

/**
 * One Engine event (GET /events), camelCase. The renderer uses these to invalidate queries
 * (container list, image list) instead of polling.
 */
export interface EngineEventView {
  hostId: string;
  /** `container`, `image`, `network`, `volume`, `daemon`, ... */
  type: string;
  /** `create`, `start`, `die`, `destroy`, `pull`, `tag`, `delete`, `exec_start: sh`, ... */
  action: string;
  /** Actor ID: container id, image id or reference. */
  id: string;
  /** Actor attributes (`name`, `image`, `exitCode`, ...). */
  attributes: Record<string, string>;
  /** Epoch ms. */
  time: number;
}

/**
 * One row of `docker system df`, with the docker CLI's arithmetic (cli/command/formatter/disk_usage.go):
 * images' size is the daemon's LayersSize (each shared layer once, not the sum of image sizes),
 * reclaimable is what removing every unused item would free.
 */
export interface DiskUsageRowView {
  /** Items in the category (images, containers, volumes, build cache records). */
  total: number;
  /** Those in use: images with containers, running containers, volumes with references, cache records in use. */
  active: number;
  /** Bytes. */
  size: number;
  /** Bytes freed by removing the unused ones. */
  reclaimable: number;
}

export interface DiskUsageView {
  images: DiskUsageRowView;
  containers: DiskUsageRowView;
  volumes: DiskUsageRowView;
  buildCache: DiskUsageRowView;
}
