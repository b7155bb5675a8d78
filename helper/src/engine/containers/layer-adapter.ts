import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode } from '../../lib/errors';
import { overlayMountOptions, type LayerStore, type OverlayMount } from '../../store/layers/layer-store';
import type { ContainerLayerSource, RwLayer } from './container-ports';

/** The overlay2 layer store as the container engine's `ContainerLayerSource`. */
export function layerSourceFrom(layers: LayerStore): ContainerLayerSource {
  const toRw = (m: OverlayMount): RwLayer => {
    const { options, cwd } = overlayMountOptions(m);
    return {
      mountId: m.mountId,
      lowerDirs: m.lowerDirs,
      upperDir: m.upperDir,
      workDir: m.workDir,
      mergedDir: m.mergedDir,
      mountOptions: options.split(','),
      ...(cwd !== undefined ? { mountCwd: cwd } : {}),
    };
  };
  return {
    createRw: async (containerId, parent) => toRw(await layers.createRwLayer(containerId, parent ?? undefined)),
    removeRw: async (containerId) => {
      if (layers.getRwLayer(containerId)) await layers.removeRwLayer(containerId);
    },
    rwSize: async (containerId) => {
      const m = layers.getRwLayer(containerId);
      return m ? diskUsage(m.upperDir) : 0;
    },
  };
}

/** Sum of regular file sizes below `dir` (Docker's SizeRw), without following symlinks. */
export async function diskUsage(dir: string): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return 0;
    throw err;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += await diskUsage(p);
    else if (e.isFile()) total += (await lstat(p)).size;
  }
  return total;
}
