/**
 * What the container engine needs from the image side (store/images, store/layers), as small
 * ports. main.ts adapts the image service and the layer store to them, so this engine never
 * depends on their concrete shapes and the unit tests use plain fakes.
 */
import type { ContainerRootfs } from '../../store/containers/container-record';
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
