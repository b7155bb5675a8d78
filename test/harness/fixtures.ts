/**
 * OCI / Docker schema 2 fixture images built from Debian's busybox-static, without any docker
 * daemon, plus a minimal registry upload client to push them.
 *
 * Everything here is deterministic: fixed mtimes, numeric owners, sorted entries and a seeded
 * keystream for random data, so the same builder yields the same digests on every run and machine
 * (for the same /bin/busybox). Builders are async because tar-stream packs as a stream.
 *
 * Data model (plain values, no classes):
 * - `LayerBlob`: one gzip'd layer tar, its compressed `digest` / `size` and uncompressed `diffId`.
 * - `FixtureImage`: config JSON + layers + manifest bytes with their digests: exactly what a registry
 *   stores for one single-platform image.
 * - `FixtureIndex`: an OCI index with its child images (per platform, plus attestation manifests).
 */
import { createCipheriv, createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, constants as zlibConstants } from 'node:zlib';
import { pack as tarPack, type Header as TarHeader } from 'tar-stream';

export const BUSYBOX_PATH = '/bin/busybox';
export const FIXTURE_CACHE_DIR = '/tmp/berth-fixture-cache';
export const DEFAULT_PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export const MEDIA_TYPES = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  inToto: 'application/vnd.in-toto+json',
} as const;

/** Fixed timestamp for every tar entry and history row, so digests never depend on the clock. */
export const FIXTURE_EPOCH = new Date('2024-01-01T00:00:00Z');

export type ImageFormat = 'docker' | 'oci';

/** One tar entry. Paths are written exactly as given (relative, no leading `./`), so hostile names survive. */
export interface TarEntry {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link';
  mode?: number;
  uid?: number;
  gid?: number;
  content?: Buffer | string;
  /** Target for symlinks (as stored) and hardlinks (an archive path). */
  linkname?: string;
}

export interface LayerBlob {
  /** The gzip'd tar as pushed to the registry. */
  tgz: Buffer;
  /** sha256 of `tgz`: the manifest's layer digest and the registry blob name. */
  digest: string;
  /** sha256 of the uncompressed tar: the config's rootfs.diff_ids entry. */
  diffId: string;
  /** Byte length of `tgz`. */
  size: number;
  mediaType: string;
}

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  comment?: string;
  empty_layer?: boolean;
}

/** The `config` object inside the image config (Docker's ContainerConfig subset that images carry). */
export interface ImageRuntimeConfig {
  Env?: string[];
  Cmd?: string[];
  Entrypoint?: string[];
  WorkingDir?: string;
  User?: string;
  Labels?: Record<string, string>;
  ExposedPorts?: Record<string, Record<string, never>>;
  Volumes?: Record<string, Record<string, never>>;
  StopSignal?: string;
}

export interface FixtureImage {
  format: ImageFormat;
  config: Buffer;
  configDigest: string;
  layers: LayerBlob[];
  manifest: Buffer;
  manifestDigest: string;
  manifestMediaType: string;
  platform: { architecture: string; os: string; variant?: string };
}

export interface FixtureIndex {
  index: Buffer;
  indexDigest: string;
  indexMediaType: string;
  /** Every manifest the index points at, in index order (platform images and attestations). */
  children: FixtureImage[];
}

export type Pushable = FixtureImage | FixtureIndex;

export interface PushResult {
  /** Digest of what the tag points at: the manifest, or the index for a FixtureIndex. */
  manifestDigest: string;
  /** The (first) image config digest; for an index, that of its first child. */
  configDigest: string;
  layerDigests: string[];
  /** For an index: each child's manifest digest, in index order. */
  childDigests?: string[];
}

export function sha256(data: Buffer | string): string {
  return 'sha256:' + createHash('sha256').update(data).digest('hex');
}

// ---------------------------------------------------------------------------------------------
// Layers

/** Packs entries into an uncompressed tar (entries in the given order). */
export async function makeTar(entries: TarEntry[]): Promise<Buffer> {
  const p = tarPack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => {
    chunks.push(c as Buffer);
  });
  const done = new Promise<void>((res, rej) => {
    p.on('end', () => res());
    p.on('error', rej);
  });
  for (const e of entries) {
    const type = e.type ?? 'file';
    const header: Partial<TarHeader> & { name: string } = {
      name: e.name,
      type,
      mode: e.mode ?? (type === 'directory' ? 0o755 : type === 'symlink' ? 0o777 : 0o644),
      uid: e.uid ?? 0,
      gid: e.gid ?? 0,
      uname: '',
      gname: '',
      mtime: FIXTURE_EPOCH,
    };
    if (e.linkname !== undefined) header.linkname = e.linkname;
    const body = type === 'file' ? (typeof e.content === 'string' ? Buffer.from(e.content) : (e.content ?? Buffer.alloc(0))) : undefined;
    if (body) header.size = body.length;
    await new Promise<void>((res, rej) => {
      if (body) p.entry(header, body, (err) => (err ? rej(err) : res()));
      else p.entry(header, (err) => (err ? rej(err) : res()));
    });
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** gzip + digests for an uncompressed tar. */
export function layerFromTar(tar: Buffer, format: ImageFormat = 'docker', level = 6): LayerBlob {
  const tgz = gzipSync(tar, { level, strategy: zlibConstants.Z_DEFAULT_STRATEGY });
  return { tgz, digest: sha256(tgz), diffId: sha256(tar), size: tgz.length, mediaType: format === 'oci' ? MEDIA_TYPES.ociLayer : MEDIA_TYPES.dockerLayer };
}

export async function makeLayer(entries: TarEntry[], format: ImageFormat = 'docker'): Promise<LayerBlob> {
  return layerFromTar(await makeTar(entries), format);
}

const PASSWD = ['root:x:0:0:root:/root:/bin/sh', 'nobody:x:65534:65534:nobody:/home:/bin/false', 'app:x:1000:1000:app:/home/app:/bin/sh', ''].join('\n');
const GROUP = ['root:x:0:', 'nobody:x:65534:', 'app:x:1000:', ''].join('\n');
const SHADOW = ['root:*:19000:0:99999:7:::', 'nobody:*:19000:0:99999:7:::', 'app:*:19000:0:99999:7:::', ''].join('\n');

/** Applet paths as `busybox --list-full` prints them (relative, e.g. `usr/bin/awk`). */
function busyboxApplets(): string[] {
  const out = execFileSync(BUSYBOX_PATH, ['--list-full'], { encoding: 'utf8' });
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && l !== 'bin/busybox')
    .sort();
}

/**
 * The tar entries of a busybox root filesystem: the usual top-level directories with their modes,
 * passwd/group/shadow (root, nobody, app uid 1000), /bin/busybox and every applet as a hardlink to it.
 */
export function busyboxRootfsEntries(): TarEntry[] {
  const dirs: [string, number][] = [
    ['bin/', 0o755],
    ['dev/', 0o755],
    ['etc/', 0o755],
    ['home/', 0o755],
    ['home/app/', 0o755],
    ['proc/', 0o555],
    ['root/', 0o700],
    ['sbin/', 0o755],
    ['sys/', 0o555],
    ['tmp/', 0o1777],
    ['usr/', 0o755],
    ['usr/bin/', 0o755],
    ['usr/sbin/', 0o755],
    ['var/', 0o755],
    ['var/log/', 0o755],
    ['var/tmp/', 0o1777],
  ];
  const entries: TarEntry[] = dirs.map(([name, mode]) => ({ name, type: 'directory', mode, ...(name === 'home/app/' ? { uid: 1000, gid: 1000 } : {}) }));
  entries.push(
    { name: 'etc/passwd', content: PASSWD, mode: 0o644 },
    { name: 'etc/group', content: GROUP, mode: 0o644 },
    { name: 'etc/shadow', content: SHADOW, mode: 0o640 },
    { name: 'etc/hostname', content: 'busybox\n', mode: 0o644 },
    { name: 'bin/busybox', content: readFileSync(BUSYBOX_PATH), mode: 0o755 },
  );
  for (const applet of busyboxApplets()) entries.push({ name: applet, type: 'link', linkname: 'bin/busybox', mode: 0o755 });
  return entries;
}

// Builders memoise their (pure, deterministic) results per test process: the busybox layer alone
// is ~1 MB gzip'd and every integration file wants it.
const memo = new Map<string, Promise<unknown>>();
function once<T>(key: string, make: () => Promise<T>): Promise<T> {
  let p = memo.get(key) as Promise<T> | undefined;
  if (!p) {
    p = make();
    memo.set(key, p);
  }
  return p;
}

/** The shared busybox base layer (same bytes, same digest, every time). */
export function busyboxLayer(format: ImageFormat = 'docker'): Promise<LayerBlob> {
  return once(`busybox-layer-${format}`, () => makeLayer(busyboxRootfsEntries(), format));
}

// ---------------------------------------------------------------------------------------------
// Images

export interface BuildImageOptions {
  layers: LayerBlob[];
  /** One per layer, in order; empty_layer rows (CMD, ENV…) may be interleaved. Defaults to one ADD row per layer. */
  history?: HistoryEntry[];
  config?: ImageRuntimeConfig;
  architecture?: string;
  os?: string;
  variant?: string;
  format?: ImageFormat;
  /** Extra top-level config JSON fields (e.g. author). */
  extra?: Record<string, unknown>;
}

/** Assembles config JSON and manifest for the given layers. */
export function buildImage(opts: BuildImageOptions): FixtureImage {
  const format = opts.format ?? 'docker';
  const architecture = opts.architecture ?? 'amd64';
  const os = opts.os ?? 'linux';
  const created = FIXTURE_EPOCH.toISOString();
  const runtimeConfig: ImageRuntimeConfig = { Env: [DEFAULT_PATH_ENV], WorkingDir: '/', ...opts.config };
  const history: HistoryEntry[] = opts.history ?? opts.layers.map((l) => ({ created, created_by: `/bin/sh -c #(nop) ADD file:${l.diffId.slice(7, 71)} in / ` }));
  const nonEmpty = history.filter((h: HistoryEntry) => !h.empty_layer).length;
  if (nonEmpty !== opts.layers.length) throw new Error(`history has ${nonEmpty} non-empty rows for ${opts.layers.length} layers`);
  const configObj = {
    architecture,
    ...(opts.variant ? { variant: opts.variant } : {}),
    os,
    created,
    config: runtimeConfig,
    rootfs: { type: 'layers', diff_ids: opts.layers.map((l) => l.diffId) },
    history: history.map((h) => ({ created, ...h })),
    ...opts.extra,
  };
  const config = Buffer.from(JSON.stringify(configObj));
  const configDigest = sha256(config);
  const manifestMediaType = format === 'oci' ? MEDIA_TYPES.ociManifest : MEDIA_TYPES.dockerManifest;
  const manifestObj = {
    schemaVersion: 2,
    mediaType: manifestMediaType,
    config: { mediaType: format === 'oci' ? MEDIA_TYPES.ociConfig : MEDIA_TYPES.dockerConfig, size: config.length, digest: configDigest },
    layers: opts.layers.map((l) => ({ mediaType: l.mediaType, size: l.size, digest: l.digest })),
  };
  const manifest = Buffer.from(JSON.stringify(manifestObj, null, 3));
  return {
    format,
    config,
    configDigest,
    layers: opts.layers,
    manifest,
    manifestDigest: sha256(manifest),
    manifestMediaType,
    platform: { architecture, os, ...(opts.variant ? { variant: opts.variant } : {}) },
  };
}

const addRow = (l: LayerBlob): HistoryEntry => ({ created_by: `/bin/sh -c #(nop) ADD file:${l.diffId.slice(7, 71)} in / ` });
const cmdRow = (cmd: string[]): HistoryEntry => ({ created_by: `/bin/sh -c #(nop)  CMD [${cmd.map((c) => JSON.stringify(c)).join(' ')}]`, empty_layer: true });

export interface BusyboxImageOptions {
  format?: ImageFormat;
  config?: ImageRuntimeConfig;
}

/** Single busybox layer, `CMD ["sh"]` (exec form), like the official busybox image. */
export async function busyboxImage(opts: BusyboxImageOptions = {}): Promise<FixtureImage> {
  const base = await busyboxLayer(opts.format);
  const cmd = opts.config?.Cmd ?? ['sh'];
  return buildImage({ layers: [base], history: [addRow(base), cmdRow(cmd)], config: { Cmd: cmd, ...opts.config }, format: opts.format });
}

/**
 * Three layers exercising overlay semantics:
 * - layer 2 adds /data/keep.txt, /data/gone/file.txt, /data/opq/{a,b}.txt and /etc/motd = 'v1';
 * - layer 3 deletes /data/gone (`data/.wh.gone`), makes /data/opq opaque (`data/opq/.wh..wh..opq`)
 *   and adds /data/opq/c.txt, and rewrites /etc/motd = 'v2'.
 * Expected final tree: /data/keep.txt ('keep'), no /data/gone, /data/opq has only c.txt, /etc/motd 'v2'.
 */
export async function multiLayerImage(opts: { format?: ImageFormat } = {}): Promise<FixtureImage> {
  const base = await busyboxLayer(opts.format);
  const l2 = await makeLayer(
    [
      { name: 'data/', type: 'directory' },
      { name: 'data/keep.txt', content: 'keep\n' },
      { name: 'data/gone/', type: 'directory' },
      { name: 'data/gone/file.txt', content: 'gone\n' },
      { name: 'data/opq/', type: 'directory' },
      { name: 'data/opq/a.txt', content: 'a\n' },
      { name: 'data/opq/b.txt', content: 'b\n' },
      { name: 'etc/', type: 'directory' },
      { name: 'etc/motd', content: 'v1\n' },
    ],
    opts.format,
  );
  const l3 = await makeLayer(
    [
      { name: 'data/', type: 'directory' },
      { name: 'data/.wh.gone', content: '' },
      { name: 'data/opq/', type: 'directory' },
      { name: 'data/opq/.wh..wh..opq', content: '' },
      { name: 'data/opq/c.txt', content: 'c\n' },
      { name: 'etc/', type: 'directory' },
      { name: 'etc/motd', content: 'v2\n' },
    ],
    opts.format,
  );
  return buildImage({
    layers: [base, l2, l3],
    history: [
      addRow(base),
      cmdRow(['sh']),
      { created_by: '/bin/sh -c mkdir -p /data/gone /data/opq && echo keep > /data/keep.txt && echo v1 > /etc/motd' },
      { created_by: '/bin/sh -c rm -rf /data/gone /data/opq/* && echo c > /data/opq/c.txt && echo v2 > /etc/motd' },
    ],
    config: { Cmd: ['sh'] },
    format: opts.format,
  });
}

/** `CMD ["/bin/sh","-c","sleep 1000"]`, as the Dockerfile shell form `CMD sleep 1000` produces. */
export async function shellFormImage(opts: { format?: ImageFormat } = {}): Promise<FixtureImage> {
  const base = await busyboxLayer(opts.format);
  const cmd = ['/bin/sh', '-c', 'sleep 1000'];
  return buildImage({ layers: [base], history: [addRow(base), cmdRow(cmd)], config: { Cmd: cmd }, format: opts.format });
}

/**
 * `VOLUME /data` over content owned by a non-root user, as a database image ships its data dir:
 * /data (1000:1000, 0750) holds seed.txt (1000:1000, 0640, 'seed'), sub/ (1001:1001, 0700) with
 * deep.txt, and a symlink link -> seed.txt. A new anonymous volume at /data must receive exactly this.
 */
export async function volumeImage(opts: { format?: ImageFormat } = {}): Promise<FixtureImage> {
  const base = await busyboxLayer(opts.format);
  const top = await makeLayer(
    [
      { name: 'data/', type: 'directory', mode: 0o750, uid: 1000, gid: 1000 },
      { name: 'data/seed.txt', content: 'seed\n', mode: 0o640, uid: 1000, gid: 1000 },
      { name: 'data/sub/', type: 'directory', mode: 0o700, uid: 1001, gid: 1001 },
      { name: 'data/sub/deep.txt', content: 'deep\n', mode: 0o600, uid: 1001, gid: 1001 },
      { name: 'data/link', type: 'symlink', linkname: 'seed.txt' },
    ],
    opts.format,
  );
  return buildImage({
    layers: [base, top],
    history: [addRow(base), { created_by: '/bin/sh -c mkdir /data && seed /data' }, { created_by: '/bin/sh -c #(nop)  VOLUME [/data]', empty_layer: true }, cmdRow(['sh'])],
    config: { Cmd: ['sh'], Volumes: { '/data': {} } },
    format: opts.format,
  });
}

/** Two images sharing the identical busybox base layer, each with its own top layer (/etc/variant = a|b). */
export async function sharedBaseImages(opts: { format?: ImageFormat } = {}): Promise<{ a: FixtureImage; b: FixtureImage; baseDigest: string }> {
  const base = await busyboxLayer(opts.format);
  const mk = async (v: string) => {
    const top = await makeLayer([{ name: 'etc/', type: 'directory' }, { name: 'etc/variant', content: `${v}\n` }], opts.format);
    return buildImage({
      layers: [base, top],
      history: [addRow(base), { created_by: `/bin/sh -c echo ${v} > /etc/variant` }, cmdRow(['sh'])],
      config: { Cmd: ['sh'], Labels: { 'org.berth.variant': v } },
      format: opts.format,
    });
  };
  return { a: await mk('a'), b: await mk('b'), baseDigest: base.digest };
}

export type HostileKind = 'dotdot' | 'absolute' | 'symlink' | 'hardlink';

export interface HostileImage {
  image: FixtureImage;
  kind: HostileKind;
  /**
   * Host paths an unsafe extractor would create or expose. For `dotdot` this is a name relative to
   * the extraction root's parent; the others are absolute host paths.
   */
  escapeName: string;
}

/**
 * busybox base + one hostile top layer:
 * - `dotdot`: `../berth-escape-dotdot` (and `data/../../berth-escape-dotdot2`);
 * - `absolute`: `/tmp/berth-escape-absolute`;
 * - `symlink`: `link -> /tmp`, then a file `link/berth-escape-symlink` (must not land in host /tmp);
 * - `hardlink`: `stolen` hardlinked to `/etc/shadow` (must not link the host's shadow file).
 */
export async function hostileLayerImage(kind: HostileKind, opts: { format?: ImageFormat } = {}): Promise<HostileImage> {
  const base = await busyboxLayer(opts.format);
  let entries: TarEntry[];
  let escapeName: string;
  switch (kind) {
    case 'dotdot':
      escapeName = 'berth-escape-dotdot';
      entries = [
        { name: '../berth-escape-dotdot', content: 'escaped\n' },
        { name: 'data/', type: 'directory' },
        { name: 'data/../../berth-escape-dotdot2', content: 'escaped\n' },
      ];
      break;
    case 'absolute':
      escapeName = '/tmp/berth-escape-absolute';
      entries = [{ name: '/tmp/berth-escape-absolute', content: 'escaped\n' }];
      break;
    case 'symlink':
      escapeName = '/tmp/berth-escape-symlink';
      entries = [
        { name: 'link', type: 'symlink', linkname: '/tmp' },
        { name: 'link/berth-escape-symlink', content: 'escaped\n' },
      ];
      break;
    case 'hardlink':
      escapeName = '/etc/shadow';
      entries = [{ name: 'stolen', type: 'link', linkname: '/etc/shadow' }];
      break;
  }
  const evil = await makeLayer(entries, opts.format);
  const image = buildImage({ layers: [base, evil], history: [addRow(base), { created_by: `hostile ${kind}` }, cmdRow(['sh'])], config: { Cmd: ['sh'] }, format: opts.format });
  return { image, kind, escapeName };
}

/**
 * An OCI index with: the busybox amd64 image, an arm64 image (config architecture arm64 and a
 * layer holding only /etc/platform = 'linux/arm64', so a wrong pick is obvious), and a buildx-style
 * attestation manifest (platform unknown/unknown, `vnd.docker.reference.type: attestation-manifest`).
 * A correct amd64 pull selects `children[0]`.
 */
export async function multiPlatformIndex(): Promise<FixtureIndex> {
  const amd64 = await busyboxImage({ format: 'oci' });
  const armLayer = await makeLayer([{ name: 'etc/', type: 'directory' }, { name: 'etc/platform', content: 'linux/arm64\n' }], 'oci');
  const arm64 = buildImage({ layers: [armLayer], config: { Cmd: ['sh'] }, architecture: 'arm64', variant: 'v8', format: 'oci' });
  const statement = Buffer.from(JSON.stringify({ _type: 'https://in-toto.io/Statement/v0.1', predicateType: 'https://spdx.dev/Document', subject: [{ name: 'busybox', digest: { sha256: amd64.manifestDigest.slice(7) } }] }));
  const attLayer: LayerBlob = { tgz: statement, digest: sha256(statement), diffId: sha256(statement), size: statement.length, mediaType: MEDIA_TYPES.inToto };
  const attestation = buildImage({ layers: [attLayer], architecture: 'unknown', os: 'unknown', format: 'oci', config: {} });
  const desc = (img: FixtureImage, platform: Record<string, string>, annotations?: Record<string, string>) => ({
    mediaType: img.manifestMediaType,
    digest: img.manifestDigest,
    size: img.manifest.length,
    platform,
    ...(annotations ? { annotations } : {}),
  });
  const indexObj = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociIndex,
    manifests: [
      desc(amd64, { architecture: 'amd64', os: 'linux' }),
      desc(arm64, { architecture: 'arm64', os: 'linux', variant: 'v8' }),
      desc(attestation, { architecture: 'unknown', os: 'unknown' }, { 'vnd.docker.reference.digest': amd64.manifestDigest, 'vnd.docker.reference.type': 'attestation-manifest' }),
    ],
  };
  const index = Buffer.from(JSON.stringify(indexObj, null, 2));
  return { index, indexDigest: sha256(index), indexMediaType: MEDIA_TYPES.ociIndex, children: [amd64, arm64, attestation] };
}

// ---------------------------------------------------------------------------------------------
// Big image (pull benchmark)

export interface BigImageOptions {
  layers?: number;
  /** Approximate compressed size in MB (random, incompressible data). */
  totalMB?: number;
  /** Extra highly compressible MB per image (spread over layers), to get a realistic unpacked size. */
  compressibleMB?: number;
  seed?: string;
}

/** Deterministic pseudo-random bytes: AES-256-CTR keystream keyed by the seed (fast, no deps). */
export function seededRandomBytes(seed: string, length: number): Buffer {
  const key = createHash('sha256').update(`key:${seed}`).digest();
  const iv = createHash('md5').update(`iv:${seed}`).digest();
  const cipher = createCipheriv('aes-256-ctr', key, iv);
  return Buffer.concat([cipher.update(Buffer.alloc(length)), cipher.final()]);
}

/**
 * `layers` layers of seeded random data (about `totalMB` compressed in all) plus optional
 * compressible filler. Defaults match the design's pull benchmark: 4 layers, ~106 MB compressed,
 * ~250 MB unpacked. Built blobs are cached in /tmp/berth-fixture-cache (atomic writes), so only the
 * first run on a machine pays for gzip.
 */
export async function bigImage(opts: BigImageOptions = {}): Promise<FixtureImage> {
  const n = opts.layers ?? 4;
  const totalMB = opts.totalMB ?? 106;
  const compressibleMB = opts.compressibleMB ?? 144;
  const seed = opts.seed ?? 'berth-big';
  const key = `v1-${seed}-${n}-${totalMB}-${compressibleMB}`;
  const layers: LayerBlob[] = [];
  for (let i = 0; i < n; i++) {
    const randomBytes = Math.floor((totalMB * 1024 * 1024) / n);
    const fillerBytes = Math.floor((compressibleMB * 1024 * 1024) / n);
    layers.push(
      await cachedLayer(`${key}-layer${i}`, async () => {
        const filler = Buffer.alloc(fillerBytes);
        // Text-like filler rather than zeros, so unpacking costs a realistic amount of write work.
        const line = Buffer.from(`berth fixture layer ${i} filler line: the quick brown fox jumps over the lazy dog\n`);
        for (let off = 0; off < fillerBytes; off += line.length) line.copy(filler, off);
        return makeTar([
          { name: 'data/', type: 'directory' },
          { name: `data/layer${i}/`, type: 'directory' },
          { name: `data/layer${i}/random.bin`, content: seededRandomBytes(`${seed}-${i}`, randomBytes) },
          { name: `data/layer${i}/filler.txt`, content: filler },
        ]);
      }),
    );
  }
  return buildImage({ layers, config: { Cmd: ['sh'] } });
}

async function cachedLayer(key: string, makeTarBuf: () => Promise<Buffer>): Promise<LayerBlob> {
  const dir = join(FIXTURE_CACHE_DIR, key);
  try {
    const meta = JSON.parse(await readFile(join(dir, 'meta.json'), 'utf8')) as { digest: string; diffId: string };
    const tgz = await readFile(join(dir, 'layer.tgz'));
    if (sha256(tgz) === meta.digest) return { tgz, digest: meta.digest, diffId: meta.diffId, size: tgz.length, mediaType: MEDIA_TYPES.dockerLayer };
  } catch {
    // not cached yet (or unreadable): rebuild below
  }
  // Level 1: the data is mostly random, so higher levels only cost time.
  const blob = layerFromTar(await makeTarBuf(), 'docker', 1);
  await mkdir(dir, { recursive: true });
  const tmp = `${dir}/layer.tgz.${process.pid}.tmp`;
  await writeFile(tmp, blob.tgz);
  await rename(tmp, join(dir, 'layer.tgz'));
  const tmpMeta = `${dir}/meta.json.${process.pid}.tmp`;
  await writeFile(tmpMeta, JSON.stringify({ digest: blob.digest, diffId: blob.diffId }));
  await rename(tmpMeta, join(dir, 'meta.json'));
  return blob;
}

// ---------------------------------------------------------------------------------------------
// Registry upload client

// fetch's BodyInit wants an ArrayBuffer-backed view; Node Buffers may sit on a SharedArrayBuffer-typed pool.
function asBody(b: Buffer): Uint8Array<ArrayBuffer> {
  return new Uint8Array(b.buffer as ArrayBuffer, b.byteOffset, b.byteLength);
}

function isIndex(p: Pushable): p is FixtureIndex {
  return 'index' in p;
}

async function expectStatus(res: Response, ok: number[], what: string): Promise<void> {
  if (!ok.includes(res.status)) {
    const body = await res.text().catch(() => '');
    throw new Error(`${what}: HTTP ${res.status} ${body.slice(0, 500)}`);
  }
}

/** Uploads one blob (monolithic POST + PUT ?digest=), skipping it when the registry already has it. */
export async function pushBlob(registryUrl: string, repo: string, digest: string, data: Buffer): Promise<void> {
  const head = await fetch(`${registryUrl}/v2/${repo}/blobs/${digest}`, { method: 'HEAD' });
  if (head.status === 200) return;
  const start = await fetch(`${registryUrl}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  await expectStatus(start, [202], `start upload of ${digest} to ${repo}`);
  const location = start.headers.get('location');
  if (!location) throw new Error(`registry gave no upload Location for ${repo}`);
  const url = new URL(location, registryUrl);
  url.searchParams.set('digest', digest);
  const put = await fetch(url, { method: 'PUT', body: asBody(data), headers: { 'Content-Type': 'application/octet-stream' } });
  await expectStatus(put, [201], `upload ${digest} to ${repo}`);
}

export async function putManifest(registryUrl: string, repo: string, reference: string, body: Buffer, mediaType: string): Promise<string> {
  const res = await fetch(`${registryUrl}/v2/${repo}/manifests/${reference}`, { method: 'PUT', body: asBody(body), headers: { 'Content-Type': mediaType } });
  await expectStatus(res, [201], `put manifest ${repo}:${reference}`);
  return res.headers.get('docker-content-digest') ?? sha256(body);
}

async function pushSingle(registryUrl: string, repo: string, reference: string, image: FixtureImage): Promise<PushResult> {
  for (const l of image.layers) await pushBlob(registryUrl, repo, l.digest, l.tgz);
  await pushBlob(registryUrl, repo, image.configDigest, image.config);
  const digest = await putManifest(registryUrl, repo, reference, image.manifest, image.manifestMediaType);
  if (digest !== image.manifestDigest) throw new Error(`registry stored manifest as ${digest}, expected ${image.manifestDigest}`);
  return { manifestDigest: digest, configDigest: image.configDigest, layerDigests: image.layers.map((l) => l.digest) };
}

/**
 * Pushes an image (blobs, then manifest under `tag`) or an index (each child by digest, then the
 * index under `tag`). `registryUrl` is `http://127.0.0.1:PORT`.
 */
export async function pushImage(registryUrl: string, repo: string, tag: string, image: Pushable): Promise<PushResult> {
  if (!isIndex(image)) return pushSingle(registryUrl, repo, tag, image);
  const children: PushResult[] = [];
  for (const child of image.children) children.push(await pushSingle(registryUrl, repo, child.manifestDigest, child));
  const digest = await putManifest(registryUrl, repo, tag, image.index, image.indexMediaType);
  const first = children[0];
  return {
    manifestDigest: digest,
    configDigest: first?.configDigest ?? '',
    layerDigests: first?.layerDigests ?? [],
    childDigests: children.map((c) => c.manifestDigest),
  };
}

/** GET a manifest back (for assertions): body, content type and Docker-Content-Digest. */
export async function getManifest(
  registryUrl: string,
  repo: string,
  reference: string,
): Promise<{ status: number; body: Buffer; contentType: string | null; digest: string | null }> {
  const accept = [MEDIA_TYPES.dockerManifest, MEDIA_TYPES.dockerManifestList, MEDIA_TYPES.ociManifest, MEDIA_TYPES.ociIndex].join(', ');
  const res = await fetch(`${registryUrl}/v2/${repo}/manifests/${reference}`, { headers: { Accept: accept } });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()), contentType: res.headers.get('content-type'), digest: res.headers.get('docker-content-digest') };
}
