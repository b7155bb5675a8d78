import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { PassThrough } from 'node:stream';
import { pack as tarPack, type Pack } from 'tar-stream';
import type { ImageLayerRecord, ImageRecord, ImageStore } from '../../store/images/image-store';
import type { LayerStore } from '../../store/layers/layer-store';
import { hostPlatform } from '../../registry/manifest';
import type { HistoryRow, ImageConfigDoc, ImageRuntimeConfig } from '../images/image-config';

/** The image a build step starts from (undefined for `FROM scratch` before any layer). */
export interface BaseImage {
  id: string;
  config: ImageConfigDoc;
  layers: ImageLayerRecord[];
}

/** A layer committed for a step; holds one layer-store reference until an image takes it. */
export interface CommittedLayer {
  chainId: string;
  diffId: string;
}

/** sha256 of an empty tar (two zero blocks): what an unchanged filesystem diffs to. */
export const EMPTY_LAYER_DIFF_ID = 'sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef';

/**
 * The runtime config as dockerd writes it into built images: every ContainerConfig field present
 * (empty strings, false, null), the optional ones only when set.
 */
export function normaliseRunConfig(c: ImageRuntimeConfig, parentId: string): Record<string, unknown> {
  return {
    Hostname: c.Hostname ?? '',
    Domainname: c.Domainname ?? '',
    User: c.User ?? '',
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    ...(c.ExposedPorts && Object.keys(c.ExposedPorts).length > 0 ? { ExposedPorts: c.ExposedPorts } : {}),
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    Env: c.Env ?? null,
    Cmd: c.Cmd ?? null,
    ...(c.Healthcheck !== undefined ? { Healthcheck: c.Healthcheck } : {}),
    ...(c.ArgsEscaped ? { ArgsEscaped: true } : {}),
    Image: parentId,
    Volumes: c.Volumes && Object.keys(c.Volumes).length > 0 ? c.Volumes : null,
    WorkingDir: c.WorkingDir ?? '',
    Entrypoint: c.Entrypoint ?? null,
    OnBuild: c.OnBuild && c.OnBuild.length > 0 ? c.OnBuild : null,
    Labels: c.Labels && Object.keys(c.Labels).length > 0 ? c.Labels : null,
    ...(c.StopSignal ? { StopSignal: c.StopSignal } : {}),
    ...(c.Shell && c.Shell.length > 0 ? { Shell: c.Shell } : {}),
  };
}

/**
 * Streams a layer tar into the layer store and commits it on `parent`: the tar is produced by
 * `write` into a tar-stream pack; its sha256 is the diff ID. Returns undefined (nothing kept)
 * when the tar has no entries: an unchanged filesystem makes no layer, as in dockerd.
 */
export async function commitTarLayer(layers: LayerStore, parentChainId: string | undefined, write: (pack: Pack) => Promise<void>): Promise<CommittedLayer | undefined> {
  const pack = tarPack();
  return commitLayerStream(layers, parentChainId, pack as unknown as Readable, async () => {
    try {
      await write(pack);
      pack.finalize();
    } catch (err) {
      pack.destroy(err as Error);
      throw err;
    }
  });
}

/** Applies an uncompressed layer tar stream (produced by `produce`) and commits it unless empty. */
export async function commitLayerStream(layers: LayerStore, parentChainId: string | undefined, tar: Readable, produce: () => Promise<void>): Promise<CommittedLayer | undefined> {
  const ingest = await layers.prepare();
  try {
    const hash = createHash('sha256');
    const tap = new PassThrough({ highWaterMark: 1 << 20 });
    tap.on('data', (c: Buffer) => hash.update(c));
    const hashed = new PassThrough({ highWaterMark: 1 << 20 });
    tap.pipe(hashed);
    tar.pipe(tap);
    const [, applied] = await Promise.all([produce(), ingest.apply(hashed)]);
    const diffId = `sha256:${hash.digest('hex')}`;
    if (diffId === EMPTY_LAYER_DIFF_ID) {
      await ingest.abort();
      return undefined;
    }
    const { layer } = await ingest.commit(parentChainId, diffId, applied.size);
    return { chainId: layer.chainId, diffId };
  } catch (err) {
    await ingest.abort();
    throw err;
  }
}

export interface ChildImageInput {
  base: BaseImage | undefined;
  runConfig: ImageRuntimeConfig;
  createdBy: string;
  /** The step's layer (its reference passes to the image), or none for a config-only step. */
  layer?: CommittedLayer;
  author?: string;
}

/**
 * Writes a step's image: the base's layers plus the step's, the base's history plus one row
 * (`empty_layer` when the step made no layer), the runtime config, and `parent` = the base (which
 * hides intermediate images from `docker images` and lets history show their IDs).
 */
export async function writeChildImage(deps: { images: ImageStore; layers: LayerStore }, input: ChildImageInput): Promise<ImageRecord> {
  const { base, layer } = input;
  const platform = hostPlatform();
  const now = new Date().toISOString();
  const baseDoc = base?.config;
  const row: HistoryRow = { created: now, created_by: input.createdBy, ...(input.author ? { author: input.author } : {}), ...(layer ? {} : { empty_layer: true }) };
  const doc: Record<string, unknown> = {
    architecture: baseDoc?.architecture ?? platform.architecture,
    ...(input.author ?? baseDoc?.author ? { author: input.author ?? baseDoc?.author } : {}),
    config: normaliseRunConfig(input.runConfig, base?.id ?? ''),
    created: now,
    history: [...(baseDoc?.history ?? []), row],
    os: baseDoc?.os ?? platform.os,
    rootfs: { type: 'layers', diff_ids: [...(baseDoc?.rootfs.diff_ids ?? []), ...(layer ? [layer.diffId] : [])] },
    ...(baseDoc?.variant ? { variant: baseDoc.variant } : {}),
  };
  const layerRecords: ImageLayerRecord[] = [...(base?.layers ?? []), ...(layer ? [{ diffId: layer.diffId, chainId: layer.chainId }] : [])];
  const { record, created } = await deps.images.put(Buffer.from(JSON.stringify(doc)), { layers: layerRecords, ...(base ? { parent: base.id } : {}) });
  const top = layerRecords[layerRecords.length - 1]?.chainId;
  if (layer) {
    // The commit's reference moves to the new image; an identical image already holds its own.
    if (!created) await deps.layers.release(layer.chainId);
  } else if (created && top !== undefined) deps.layers.retain(top);
  return record;
}
