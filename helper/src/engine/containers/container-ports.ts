/**
 * What the container engine needs from the image side (store/images, store/layers), as small
 * ports. main.ts adapts the image service and the layer store to them, so this engine never
 * depends on their concrete shapes and the unit tests use plain fakes.
 */
import type { BindMount, ContainerRootfs } from '../../store/containers/container-record';
import type { PortRequest, PublishedPort } from '../networks/port-spec';
import type { ImageRunConfig } from './command-merge';

export interface ContainerImage {
  /** `sha256:<hex>` (the config digest). */
  id: string;
  config: ImageRunConfig;
  /** ChainID of the image's top layer; null for an image without layers. */
  topLayer: string | null;
}

export interface ContainerImageSource {
  /** Resolves a reference as the user typed it; NotFound "No such image: <ref>" when absent. */
  resolve(ref: string): Promise<ContainerImage>;
}

/** A container's overlay read-write layer and how to mount it. */
export interface RwLayer extends ContainerRootfs {
  /** Overlay mount data, in order (`index=off`, `lowerdir=…`, `upperdir=…`, `workdir=…`). */
  mountOptions: string[];
  /** Directory relative lowerdirs resolve against (moby's `mountFrom`), if they are relative. */
  mountCwd?: string;
}

/** Read-write layers, keyed by container ID. */
export interface ContainerLayerSource {
  /** Creates `<mountId>-init` and `<mountId>` (diff, work, merged) over the image's layers. */
  createRw(containerId: string, parentChainId: string | null): Promise<RwLayer>;
  /** Removes both directories and releases the image layers; idempotent. */
  removeRw(containerId: string): Promise<void>;
  /** Bytes in the RW layer's diff (SizeRw). */
  rwSize(containerId: string): Promise<number>;
}

/** What a new container asks to mount, before volumes are resolved (HostConfig and image). */
export interface ContainerMountRequest {
  containerId: string;
  /** HostConfig.Binds: `/host:/ctr[:mode]`, `name:/ctr[:mode]`, or `/ctr` (anonymous). */
  binds: string[];
  /** HostConfig.Mounts, mapped from the wire (type bind, volume or tmpfs). */
  mounts: BindMount[];
  /** Config.Volumes and the image's VOLUMEs: container paths that get an anonymous volume unless mounted otherwise. */
  volumePaths: string[];
  /** HostConfig.VolumesFrom, resolved: the other container's mounts and the `ro`/`rw` override. */
  volumesFrom: { mounts: BindMount[]; mode: '' | 'ro' | 'rw' }[];
  /** The container's layers, for filling a new volume from the image (copy-up). */
  rootfs: RwLayer;
}

/**
 * Volumes as the container engine uses them (engine/volumes implements it; optional so engine
 * tests without volumes keep their fakes). Mount lists are the container record's `mounts`.
 */
export interface ContainerVolumeSource {
  /** All mounts of a new container; creates (and fills from the image) the volumes it names. */
  prepare(req: ContainerMountRequest): Promise<{ mounts: BindMount[]; created: string[] }>;
  /** Undoes `prepare` for a create that failed later: removes the volumes it created. */
  discard(created: string[]): Promise<void>;
  /** Before the container's process starts: mounts volumes with driver options; `volume mount` events. */
  activate(containerId: string, mounts: BindMount[]): Promise<void>;
  /** After it stopped: unmounts driver-option volumes no other running container uses. */
  deactivate(containerId: string, mounts: BindMount[]): Promise<void>;
  /** `rm -v` and `--rm`: removes the container's anonymous volumes that no other container uses. */
  removeAnonymous(containerId: string, mounts: BindMount[]): Promise<void>;
}

/** One of a container's network attachments, as inspect and list show it. */
export interface ContainerEndpoint {
  networkId: string;
  networkName: string;
  endpointId: string;
  aliases: string[];
  ipv4: string;
  prefixLen: number;
  gateway: string;
  mac: string;
  staticIp?: string;
}

/**
 * A container's networks (engine/networks implements it; optional so engine tests without
 * networking keep their fakes: containers then get `lo` only, or the host's netns).
 */
export interface ContainerNetworks {
  /** Create-time check of NetworkMode and EndpointsConfig; throws a 400/404 naming the problem. */
  validate(mode: string, endpoints: Record<string, { aliases?: string[]; ipv4Address?: string; macAddress?: string }>): void;
  register(containerId: string, mode: string, endpoints: Record<string, { aliases?: string[]; ipv4Address?: string; macAddress?: string }>): Promise<void>;
  /** Allocates addresses before the init is created; `primaryIp` names the container in /etc/hosts. */
  prepareStart(containerId: string): Promise<{ primaryIp?: string; ips?: string[]; nameserver?: string; hostGateway?: string }>;
  /** Wires the endpoints into the netns of `pid` (the init, held before execve). */
  plumb(containerId: string, pid: number): Promise<void>;
  /** Publishes ports on the container's address (after prepareStart); all or nothing, 409 naming a taken port. */
  publish(containerId: string, requests: PortRequest[]): Promise<PublishedPort[]>;
  release(containerId: string): Promise<void>;
  forget(containerId: string): Promise<void>;
  containerEndpoints(containerId: string): ContainerEndpoint[];
  containerPorts(containerId: string): PublishedPort[];
}
