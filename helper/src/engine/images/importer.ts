import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { BerthError, invalidArgument } from '../../lib/errors';
import { MEDIA_TYPES, hostPlatform, sha256Digest } from '../../registry/manifest';
import type { ContentStore } from '../../store/content/content-store';
import type { ImageRecord, ImageStore } from '../../store/images/image-store';
import type { LayerStore } from '../../store/layers/layer-store';
import type { ImageConfigDoc, ImageRuntimeConfig } from './image-config';

export interface ImportOptions {
  repo?: string;
  tag?: string;
  /** Commit message, stored as the history comment (default "Imported from -"). */
  message?: string;
  /** Dockerfile-style changes (`CMD ["sh"]`, `ENV A=b`, …), as `docker import --change` sends them. */
  changes?: string[];
}

interface ImportDeps {
  content: ContentStore;
  layers: LayerStore;
  images: ImageStore;
  leases: Set<string>;
}

const GZIP_MAGIC = [0x1f, 0x8b];

/** Yields the stream's first chunk back after peeking at it. */
async function peek(source: Readable): Promise<{ head: Buffer; stream: Readable }> {
  const it = (source as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  const first = await it.next();
  const head = first.done ? Buffer.alloc(0) : first.value;
  async function* all(): AsyncGenerator<Buffer> {
    if (!first.done) yield first.value;
    for (;;) {
      const n = await it.next();
      if (n.done) return;
      yield n.value;
    }
  }
  return { head, stream: Readable.from(all(), { objectMode: false }) };
}

/**
 * `docker import`: one layer from a tar (plain or gzip) on the request body. The tar is applied
 * with the same safety rules as pulled layers; a gzip copy goes to the content store so the image
 * can be pushed like a pulled one. The config and a schema2 manifest are synthesised.
 */
export async function importLayerImage(deps: ImportDeps, source: Readable, opts: ImportOptions): Promise<ImageRecord> {
  const { head, stream } = await peek(source);
  const gz = head.length >= 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  if (head.length >= 3 && head.subarray(0, 3).toString('latin1') === 'BZh') throw invalidArgument('UNSUPPORTED_ARCHIVE', 'bzip2 archives are not supported; use a plain or gzip tar');
  if (head.length >= 6 && head[0] === 0xfd && head.subarray(1, 6).toString('latin1') === '7zXZ\0') throw invalidArgument('UNSUPPORTED_ARCHIVE', 'xz archives are not supported; use a plain or gzip tar');
  const ingest = await deps.layers.prepare();
  const writer = await deps.content.writer();
  let done = false;
  try {
    const diffHash = createHash('sha256');
    const compressor = createGzip({ level: 1 });
    const tap = new Transform({
      highWaterMark: 1 << 20,
      transform(chunk: Buffer, _enc, cb) {
        diffHash.update(chunk);
        if (compressor.write(chunk)) cb(null, chunk);
        else compressor.once('drain', () => cb(null, chunk));
      },
      flush(cb) {
        compressor.end();
        cb();
      },
    });
    const storing = (async () => {
      for await (const c of compressor as AsyncIterable<Buffer>) await writer.write(c);
    })();
    const applying = ingest.apply(tap);
    const stages: NodeJS.ReadWriteStream[] = gz ? [createGunzip({ chunkSize: 256 * 1024 })] : [];
    try {
      await Promise.all([pipeline([stream, ...stages, tap] as unknown as [Readable, Transform]), applying, storing]);
    } catch (err) {
      if (err instanceof BerthError) throw err;
      throw invalidArgument('INVALID_ARCHIVE', `invalid tar archive: ${(err as Error).message}`, err);
    }
    const { size } = await applying;
    const diffId = `sha256:${diffHash.digest('hex')}`;
    done = true;
    const blob = await writer.commit();
    deps.leases.add(blob.digest);
    try {
      const { layer } = await ingest.commit(undefined, diffId, size);
      const now = new Date().toISOString();
      const platform = hostPlatform();
      const config: ImageConfigDoc = {
        architecture: platform.architecture,
        os: platform.os,
        created: now,
        config: applyChanges({}, opts.changes ?? []),
        rootfs: { type: 'layers', diff_ids: [diffId] },
        history: [{ created: now, comment: opts.message || 'Imported from -' }],
      };
      const configBytes = Buffer.from(JSON.stringify(config));
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MEDIA_TYPES.dockerManifest,
          config: { mediaType: MEDIA_TYPES.dockerConfig, size: configBytes.length, digest: sha256Digest(configBytes) },
          layers: [{ mediaType: MEDIA_TYPES.dockerLayerGzip, size: blob.size, digest: blob.digest }],
        }),
      );
      const manifestDigest = await deps.content.put(manifest);
      const { record, created } = await deps.images.put(configBytes, {
        layers: [{ diffId, chainId: layer.chainId, blobDigest: blob.digest, blobSize: blob.size, blobMediaType: MEDIA_TYPES.dockerLayerGzip }],
        manifestDigest,
        manifestMediaType: MEDIA_TYPES.dockerManifest,
      });
      // The image keeps the commit's reference; an identical existing image already holds one.
      if (!created) await deps.layers.release(layer.chainId);
      return record;
    } finally {
      deps.leases.delete(blob.digest);
    }
  } catch (err) {
    await ingest.abort();
    if (!done) await writer.abort();
    throw err;
  }
}

/** Applies `docker import --change` instructions (the subset moby allows for import). */
export function applyChanges(base: ImageRuntimeConfig, changes: string[]): ImageRuntimeConfig {
  const cfg: ImageRuntimeConfig = { ...base };
  for (const raw of changes) {
    const m = /^\s*(\w+)\s+(.*)$/s.exec(raw);
    if (!m) throw invalidArgument('INVALID_CHANGE', `invalid change: ${JSON.stringify(raw)}`);
    const instr = (m[1] as string).toUpperCase();
    const arg = (m[2] as string).trim();
    const list = (): string[] => {
      if (arg.startsWith('[')) {
        try {
          const v = JSON.parse(arg) as unknown;
          if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
        } catch {
          /* shell form */
        }
      }
      return ['/bin/sh', '-c', arg];
    };
    switch (instr) {
      case 'CMD':
        cfg.Cmd = list();
        break;
      case 'ENTRYPOINT':
        cfg.Entrypoint = list();
        break;
      case 'ENV': {
        const kv = arg.includes('=') ? arg.split(/\s+/) : [arg.replace(/\s+/, '=')];
        cfg.Env = [...(cfg.Env ?? []), ...kv];
        break;
      }
      case 'WORKDIR':
        cfg.WorkingDir = arg;
        break;
      case 'USER':
        cfg.User = arg;
        break;
      case 'LABEL':
        for (const kv of arg.split(/\s+/)) {
          const i = kv.indexOf('=');
          if (i > 0) cfg.Labels = { ...(cfg.Labels ?? {}), [kv.slice(0, i)]: kv.slice(i + 1).replace(/^"|"$/g, '') };
        }
        break;
      case 'EXPOSE':
        for (const p of arg.split(/\s+/)) cfg.ExposedPorts = { ...(cfg.ExposedPorts ?? {}), [p.includes('/') ? p : `${p}/tcp`]: {} };
        break;
      case 'VOLUME':
        for (const v of list()[0] === '/bin/sh' ? arg.split(/\s+/) : list()) cfg.Volumes = { ...(cfg.Volumes ?? {}), [v]: {} };
        break;
      case 'STOPSIGNAL':
        cfg.StopSignal = arg;
        break;
      default:
        throw invalidArgument('INVALID_CHANGE', `${instr} is not a valid change command`);
    }
  }
  return cfg;
}
