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
  containersStopped: number;
  images: number;
  registryMirrors: string[];
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
