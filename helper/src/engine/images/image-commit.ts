import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BerthError, internal } from '../../lib/errors';
import { hostPlatform } from '../../registry/manifest';
import type { ImageLayerRecord, ImageRecord, ImageStore } from '../../store/images/image-store';
import type { LayerStore } from '../../store/layers/layer-store';
import { exportLayerTar, type XattrSource } from '../../store/layers/layer-tar-writer';
import { parseImageConfig, type HistoryRow, type ImageConfigDoc, type ImageRuntimeConfig } from './image-config';

/**
 * One new image on top of an existing one (or of nothing): `docker commit`, and each step of a
 * build. Either a directory in overlay form (a container's upper dir: whiteouts are 0/0 char
 * devices, opaque dirs carry `trusted.overlay.opaque=y`) becomes one new layer, or, with
 * `diffDir` absent, the step is metadata only (an `empty_layer` history row, as ENV/CMD in a build).
 */
export interface CommitLayerInput {
  /** `sha256:…` of the image to build on; absent = FROM scratch. */
  parentImageId?: string;
  /** The directory whose content becomes the new layer; absent = no new layer. */
  diffDir?: string;
  /** The new image's runtime config (`config` in the image JSON), complete: nothing is inherited implicitly. */
  config: ImageRuntimeConfig;
  /** The history row for this step (`created` defaults to now). */
  history: Omit<HistoryRow, 'empty_layer'>;
  /** Top-level `author` / `comment` of the image config. */
  author?: string;
  comment?: string;
  /** The container it came from (dockerd's `container` field), when any. */
  containerId?: string;
  /** `created` of the image and the history row; default now. */
  created?: Date;
}

export interface CommitLayerResult {
  image: ImageRecord;
  /** DiffID of the new layer; undefined for a metadata-only step. */
  diffId?: string;
  /** True when an identical image (same config bytes) already existed. */
  existed: boolean;
}

export interface ImageCommitDeps {
  layers: Pick<LayerStore, 'prepare' | 'release' | 'retain'>;
  images: Pick<ImageStore, 'get' | 'config' | 'put'>;
  /** berth-getxattr over `diffDir` (opaque directories). */
  openXattrs: (root: string) => XattrSource;
}

/**
 * Creates the image of `input` (see `CommitLayerInput`). The layer tar is produced once by the
 * layer-tar writer and, in the same pass, hashed (the diffID) and applied into a private layer
 * ingest with the applier's safety rules; the layer becomes visible only when committed, and the
 * image only when its config is written. Any failure leaves neither behind. The image holds one
 * reference on its top layer, as pulled images do. Tags are the caller's (ImageService.setTag).
 */
export async function commitLayer(deps: ImageCommitDeps, input: CommitLayerInput): Promise<CommitLayerResult> {
  const parent = input.parentImageId !== undefined ? deps.images.get(input.parentImageId) : undefined;
  if (input.parentImageId !== undefined && !parent) throw internal('COMMIT_PARENT_MISSING', `parent image ${input.parentImageId} does not exist`);
  const parentDoc: ImageConfigDoc | undefined = parent ? parseImageConfig(deps.images.config(parent.id)) : undefined;
  const parentLayers: ImageLayerRecord[] = parent ? parent.layers : [];
  const parentTop = parentLayers.at(-1)?.chainId;

  let newLayer: { diffId: string; chainId: string } | undefined;
  if (input.diffDir !== undefined) {
    const ingest = await deps.layers.prepare();
    try {
      const hash = createHash('sha256');
      const tap = new Transform({
        highWaterMark: 1 << 20,
        transform(chunk: Buffer, _enc, cb) {
          hash.update(chunk);
          cb(null, chunk);
        },
      });
      const applying = ingest.apply(tap);
      try {
        await Promise.all([pipeline(exportLayerTar(input.diffDir, deps.openXattrs(input.diffDir)), tap), applying]);
      } catch (err) {
        if (err instanceof BerthError) throw err;
        throw internal('COMMIT_LAYER_FAILED', `cannot create the layer: ${(err as Error).message}`, err);
      }
      const { size } = await applying;
      const diffId = `sha256:${hash.digest('hex')}`;
      const { layer } = await ingest.commit(parentTop, diffId, size);
      newLayer = { diffId, chainId: layer.chainId };
    } catch (err) {
      await ingest.abort();
      throw err;
    }
  }

  const created = (input.created ?? new Date()).toISOString();
  const platform = hostPlatform();
  const row: HistoryRow = { created, ...input.history, ...(newLayer ? {} : { empty_layer: true }) };
  if (row.created === undefined) row.created = created;
  const doc: ImageConfigDoc = {
    architecture: parentDoc?.architecture ?? platform.architecture,
    os: parentDoc?.os ?? platform.os,
    ...(parentDoc?.variant !== undefined ? { variant: parentDoc.variant } : {}),
    created,
    ...(input.author ? { author: input.author } : {}),
    ...(input.comment ? { comment: input.comment } : {}),
    ...(input.containerId ? { container: input.containerId } : {}),
    config: input.config,
    rootfs: { type: 'layers', diff_ids: [...(parentDoc?.rootfs.diff_ids ?? []), ...(newLayer ? [newLayer.diffId] : [])] },
    history: [...(parentDoc?.history ?? []), row],
  };
  const layers: ImageLayerRecord[] = [...parentLayers, ...(newLayer ? [{ diffId: newLayer.diffId, chainId: newLayer.chainId }] : [])];
  try {
    const { record, created: isNew } = await deps.images.put(Buffer.from(JSON.stringify(doc)), { layers });
    // The image keeps the ingest's reference on its top layer; a metadata-only image takes a new
    // one on its parent's top. An identical image that already existed holds its own.
    if (newLayer && !isNew) await deps.layers.release(newLayer.chainId);
    if (!newLayer && isNew && parentTop !== undefined) deps.layers.retain(parentTop);
    return { image: record, ...(newLayer ? { diffId: newLayer.diffId } : {}), existed: !isNew };
  } catch (err) {
    if (newLayer) await deps.layers.release(newLayer.chainId);
    throw err;
  }
}
