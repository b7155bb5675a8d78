import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { constants } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { PassThrough, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { Header } from 'tar-stream';
import { invalidArgument } from '../../lib/errors';
import { sha256Digest } from '../../registry/manifest';
import { normalizeLayerPath } from '../../store/layers/apply-layer';
import type { LayerIngest } from '../../store/layers/layer-store';

const MAX_JSON = 8 << 20;
/** Staged files are written in pieces of this size (socket reads arrive in 32–64 KiB). */
const WRITE_CHUNK = 1 << 20;

export function refuseArchive(why: string): never {
  throw invalidArgument('INVALID_IMAGE_ARCHIVE', `invalid image archive: ${why}`);
}

/** A layer applied while its archive entry streamed in, not yet committed. */
export interface AppliedLayer {
  /** sha256 of the entry's bytes: the blob digest an OCI layout names it by. */
  fileDigest: string;
  /** sha256 of the uncompressed tar. */
  diffId: string;
  gz: boolean;
  /** Unpacked size (Docker's layer size). */
  size: number;
  ingest: LayerIngest;
}

/** What applying an entry as a layer gave: the layer, or why it could not be one. */
export type Speculation = { ok: true; layer: AppliedLayer } | { ok: false; error: unknown };

export interface SpeculationDeps {
  prepare: () => Promise<LayerIngest>;
  /** Entries not worth applying ahead (their layer is already in the store). */
  skip: (name: string) => boolean;
}

/**
 * The archive's files, staged on disk under flat names (no directory the archive names is ever
 * created). An entry that looks like a layer (a tar or gzip stream) is also applied into a private
 * ingest while it streams in, so a load reads and writes the archive once: which entries are layers,
 * and of which image, is only known from manifest.json/index.json, which archives put last. What no
 * image takes is aborted by `discard`.
 */
export class Staging {
  private readonly files = new Map<string, string>();
  private readonly links = new Map<string, string>();
  private readonly speculations = new Map<string, Promise<Speculation>>();
  private n = 0;

  constructor(
    readonly dir: string,
    private readonly speculate?: SpeculationDeps,
  ) {}

  async add(h: Header, body: AsyncIterable<Buffer>): Promise<void> {
    const name = (() => {
      try {
        return normalizeLayerPath(h.name);
      } catch (err) {
        refuseArchive((err as Error).message.replace('layer entry', 'entry'));
      }
    })();
    if (h.type === 'directory') return drain(body);
    if (h.type === 'symlink' || h.type === 'link') {
      // Older dockerd writes a shared layer once and links the others to it (`../<id>/layer.tar`).
      const target = h.linkname ?? '';
      if (h.type === 'symlink' && target.startsWith('/')) refuseArchive(`entry ${JSON.stringify(h.name)} is an absolute symlink`);
      const resolved = h.type === 'link' ? posix.normalize(target) : posix.normalize(posix.join(posix.dirname(name), target));
      if (resolved.startsWith('../') || resolved === '..') refuseArchive(`entry ${JSON.stringify(h.name)} links outside the archive`);
      this.links.set(name, resolved);
      return drain(body);
    }
    if (h.type !== 'file' && h.type !== 'contiguous-file') return drain(body);
    if (this.files.has(name)) refuseArchive(`entry ${JSON.stringify(h.name)} appears twice`);
    const file = join(this.dir, String(this.n++));
    const fh = await open(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    let written = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    // spec undefined: not decided until the first 512 bytes (a tar header) are in.
    const ahead: { spec: LayerSpeculation | null | undefined } = { spec: this.speculate && !this.speculate.skip(name) ? undefined : null };
    const flush = async (): Promise<void> => {
      const data = pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      if (ahead.spec === undefined) ahead.spec = looksLikeLayer(data, h.size ?? 0) ? new LayerSpeculation(await this.speculate!.prepare(), data[0] === 0x1f) : null;
      let off = 0;
      const writing = (async () => {
        while (off < data.length) off += (await fh.write(data, off, data.length - off)).bytesWritten;
      })();
      // The disk write and the layer's unpacking overlap.
      await Promise.all([writing, ahead.spec?.write(data)]);
    };
    try {
      for await (const chunk of body) {
        written += chunk.length;
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes >= WRITE_CHUNK) await flush();
      }
      if (pendingBytes > 0) await flush();
    } catch (err) {
      if (ahead.spec) this.speculations.set(file, ahead.spec.end());
      throw err;
    } finally {
      await fh.close();
    }
    // Settled later: the next entry streams in while this layer's last writes finish.
    if (ahead.spec) this.speculations.set(file, ahead.spec.end());
    if (written !== (h.size ?? 0)) refuseArchive(`entry ${JSON.stringify(h.name)} is truncated`);
    this.files.set(name, file);
  }

  /** The staged file for an archive path (following the archive's own links), or undefined. */
  path(name: string): string | undefined {
    let cur = posix.normalize(name).replace(/^\.\//, '');
    for (let hops = 0; hops < 32; hops++) {
      const f = this.files.get(cur);
      if (f !== undefined) return f;
      const next = this.links.get(cur);
      if (next === undefined) return undefined;
      cur = next;
    }
    return undefined;
  }

  has(name: string): boolean {
    return this.path(name) !== undefined;
  }

  /**
   * The layer applied ahead from this staged file, handed over once (a second use of the same file,
   * on another parent, applies it again from the file); undefined when the entry was not applied.
   */
  async takeApplied(file: string): Promise<Speculation | undefined> {
    const s = this.speculations.get(file);
    this.speculations.delete(file);
    return s;
  }

  /** Aborts every layer applied ahead that no image took. */
  async discard(): Promise<void> {
    const left = [...this.speculations.values()];
    this.speculations.clear();
    for (const s of await Promise.all(left)) if (s.ok) await s.layer.ingest.abort().catch(() => undefined);
  }

  async json(name: string): Promise<unknown> {
    const p = this.path(name);
    if (p === undefined) refuseArchive(`${name} is missing`);
    if ((await stat(p)).size > MAX_JSON) refuseArchive(`${name} is too large`);
    try {
      return JSON.parse(await readFile(p, 'utf8')) as unknown;
    } catch {
      refuseArchive(`${name} is not valid JSON`);
    }
  }

  async bytes(name: string, expectedDigest?: string): Promise<Buffer> {
    const p = this.path(name);
    if (p === undefined) refuseArchive(`${name} is missing`);
    if ((await stat(p)).size > MAX_JSON) refuseArchive(`${name} is too large`);
    const b = await readFile(p);
    if (expectedDigest !== undefined && sha256Digest(b) !== expectedDigest) refuseArchive(`${name} does not match its digest ${expectedDigest}`);
    return b;
  }
}

/** A gzip stream, or a tar (its first header's `ustar` magic); JSON and the like are not. */
function looksLikeLayer(head: Buffer, size: number): boolean {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return true;
  return size >= 1024 && head.length >= 262 && head.toString('latin1', 257, 262) === 'ustar';
}

/** One entry unpacked into an ingest as it is written: hashes of both forms, and the apply's result. */
class LayerSpeculation {
  private readonly input = new PassThrough({ highWaterMark: WRITE_CHUNK });
  private readonly fileHash = createHash('sha256');
  private readonly settled: Promise<Speculation>;
  private failed = false;

  constructor(ingest: LayerIngest, gz: boolean) {
    const diffHash = createHash('sha256');
    const tap = new Transform({
      highWaterMark: WRITE_CHUNK,
      transform(chunk: Buffer, _enc, cb) {
        diffHash.update(chunk);
        cb(null, chunk);
      },
    });
    // A late write to an input the failed pipeline destroyed must not become an uncaught error.
    this.input.on('error', () => undefined);
    // A tar the applier refuses stops being read: the pipeline is torn down then, or it would wait
    // on the unread stream forever.
    const ac = new AbortController();
    const applying = ingest.apply(tap).catch((err: unknown) => {
      ac.abort(err);
      throw err;
    });
    const piping = pipeline([this.input, ...(gz ? [createGunzip({ chunkSize: WRITE_CHUNK })] : []), tap] as unknown as [PassThrough, Transform], { signal: ac.signal });
    this.settled = Promise.all([piping, applying]).then(
      ([, r]): Speculation => ({ ok: true, layer: { fileDigest: `sha256:${this.fileHash.digest('hex')}`, diffId: `sha256:${diffHash.digest('hex')}`, gz, size: r.size, ingest } }),
      async (error: unknown): Promise<Speculation> => {
        this.failed = true;
        // Both sides are torn down before the directory goes.
        await Promise.allSettled([piping, applying]);
        await ingest.abort().catch(() => undefined);
        return { ok: false, error };
      },
    );
  }

  async write(data: Buffer): Promise<void> {
    this.fileHash.update(data);
    if (this.failed || this.input.destroyed || this.input.write(data)) return;
    // A refused tar stops reading: stop waiting for it then.
    await Promise.race([once(this.input, 'drain'), this.settled]);
  }

  end(): Promise<Speculation> {
    if (!this.failed && !this.input.destroyed) this.input.end();
    return this.settled;
  }
}

async function drain(body: AsyncIterable<Buffer>): Promise<void> {
  for await (const _ of body) void _;
}
