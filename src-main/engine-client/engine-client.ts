import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type {
  ConfigUpdateRequest,
  ConfigValidateResponse,
  MirrorsConfigResponse,
  MirrorsHealthResponse,
} from '../../src-shared/docker-api/berth-config';
import type {
  BerthContainerProcessesResponse,
  ContainerCreateRequest,
  ContainerCreateResponse,
  ContainerInspectResponse,
  ContainerPruneResponse,
  ContainerStatsResponse,
  ContainerSummaryDto,
  ContainerTopResponse,
  EventMessageDto,
  ExecCreateRequest,
  ExecInspectResponse,
} from '../../src-shared/docker-api/containers';
import type {
  BerthImageLayersResponse,
  ImageDeleteItemDto,
  ImageHistoryItemDto,
  ImageInspectDto,
  ImagePruneResponse,
  ImageSummaryDto,
  JsonMessageDto,
} from '../../src-shared/docker-api/images';
import type { BuildCachePruneResponse, SystemDfDto, SystemInfoResponse, VersionResponse } from '../../src-shared/docker-api/system';
import type { BerthVolumeDto, BerthVolumeFilesResponse, VolumeCreateRequest, VolumeDto, VolumeListResponse, VolumePruneResponse } from '../../src-shared/docker-api/volumes';
import type { EngineConnection } from '../connections/engine-connection';
import { AppError } from '../lib/app-error';
import { EngineHttp, readBody } from './engine-http';
import { httpStatusOf } from './engine-error';
import { JsonLinesParser } from './json-lines';

const enc = encodeURIComponent;

/** A 404 for the route itself (dockerd and berthd both say "page not found"): the daemon lacks the endpoint. */
export function isRouteMissing(err: unknown): boolean {
  return httpStatusOf(err) === 404 && /page not found/i.test((err as Error).message);
}

/** `name[:tag]` or `name@digest` -> the `fromImage`/`tag` pair of POST /images/create. */
export function splitReference(ref: string): { name: string; tag: string } {
  const at = ref.indexOf('@');
  if (at >= 0) return { name: ref.slice(0, at), tag: ref.slice(at + 1) };
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  if (colon > slash) return { name: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { name: ref, tag: 'latest' };
}

export interface LogsOptions {
  follow: boolean;
  tail?: number;
  timestamps?: boolean;
  since?: number;
  signal?: AbortSignal;
}

export interface RegistryAuth {
  username: string;
  password: string;
  serveraddress?: string;
}

function authHeader(auth?: RegistryAuth): Record<string, string> {
  // The engine expects the header even when anonymous ("{}").
  return { 'X-Registry-Auth': Buffer.from(JSON.stringify(auth ?? {})).toString('base64url') };
}

/** Reads a JSON-lines response to the end, calling `onValue` per message. */
async function consumeJsonLines(res: IncomingMessage, onValue: (v: unknown) => void, signal?: AbortSignal): Promise<void> {
  const parser = new JsonLinesParser(onValue);
  await new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      res.destroy();
      resolve();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    res.on('data', (c: Buffer) => parser.push(c));
    res.once('end', () => {
      signal?.removeEventListener('abort', onAbort);
      parser.end();
      resolve();
    });
    res.once('error', (err) => {
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) resolve();
      else reject(new AppError('Unavailable', 'ENGINE_UNAVAILABLE', `engine stream broke: ${err.message}`, { cause: err }));
    });
    res.once('close', () => {
      if (!res.complete && !signal?.aborted) reject(new AppError('Unavailable', 'ENGINE_UNAVAILABLE', 'engine stream closed early'));
    });
  });
}

/**
 * A typed Docker Engine API client over one EngineConnection (unix socket or SSH). Uses the
 * unversioned paths, which dockerd and berthd both serve at their own version. Returns wire DTOs;
 * services map them to view models. Errors: AppError by status (engine-error.ts) or
 * `Unavailable/ENGINE_UNAVAILABLE` when the socket does not answer.
 */
export class EngineClient {
  readonly http: EngineHttp;

  constructor(readonly connection: EngineConnection) {
    this.http = new EngineHttp(connection);
  }

  // ---- system --------------------------------------------------------------------------------
  async ping(): Promise<{ apiVersion: string | null }> {
    const res = await this.http.send({ method: 'GET', path: '/_ping' });
    await readBody(res);
    const v = res.headers['api-version'];
    return { apiVersion: typeof v === 'string' ? v : null };
  }

  version(): Promise<VersionResponse> {
    return this.http.json({ method: 'GET', path: '/version' });
  }

  info(): Promise<SystemInfoResponse> {
    return this.http.json({ method: 'GET', path: '/info' });
  }

  /** Disk usage of images (LayersSize, per-image SharedSize and Containers), containers (SizeRw), volumes and build cache. */
  systemDf(): Promise<SystemDfDto> {
    return this.http.json({ method: 'GET', path: '/system/df' });
  }

  /** NDJSON event stream until `signal` aborts or the engine ends it. */
  async events(opts: { filters?: Record<string, string[]>; since?: number; signal?: AbortSignal }, onEvent: (e: EventMessageDto) => void): Promise<void> {
    const res = await this.http.send({
      method: 'GET',
      path: '/events',
      query: { filters: opts.filters ? JSON.stringify(opts.filters) : undefined, since: opts.since },
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    await consumeJsonLines(res, (v) => onEvent(v as EventMessageDto), opts.signal);
  }

  // ---- containers ----------------------------------------------------------------------------
  listContainers(opts: { all?: boolean; filters?: Record<string, string[]> } = {}): Promise<ContainerSummaryDto[]> {
    return this.http.json({
      method: 'GET',
      path: '/containers/json',
      query: { all: opts.all ?? true, filters: opts.filters ? JSON.stringify(opts.filters) : undefined },
    });
  }

  inspectContainer(id: string): Promise<ContainerInspectResponse> {
    return this.http.json({ method: 'GET', path: `/containers/${enc(id)}/json`, subject: 'container' });
  }

  createContainer(body: ContainerCreateRequest, name?: string): Promise<ContainerCreateResponse> {
    return this.http.json({ method: 'POST', path: '/containers/create', query: { name }, body, subject: 'container' });
  }

  /** 304 (already started) is success, as for the docker CLI. */
  async startContainer(id: string): Promise<void> {
    await this.http.call({ method: 'POST', path: `/containers/${enc(id)}/start`, subject: 'container' });
  }

  async stopContainer(id: string, timeoutSeconds?: number): Promise<void> {
    await this.http.call({ method: 'POST', path: `/containers/${enc(id)}/stop`, query: { t: timeoutSeconds }, subject: 'container' });
  }

  async restartContainer(id: string, timeoutSeconds?: number): Promise<void> {
    await this.http.call({ method: 'POST', path: `/containers/${enc(id)}/restart`, query: { t: timeoutSeconds }, subject: 'container' });
  }

  async killContainer(id: string, signal?: string): Promise<void> {
    await this.http.call({ method: 'POST', path: `/containers/${enc(id)}/kill`, query: { signal }, subject: 'container' });
  }

  async pauseContainer(id: string): Promise<void> {
    await this.http.call({ method: 'POST', path: `/containers/${enc(id)}/pause`, subject: 'container' });
  }

  async unpauseContainer(id: string): Promise<void> {
    await this.http.call({ method: 'POST', path: `/containers/${enc(id)}/unpause`, subject: 'container' });
  }

  /** 409 when the name is taken. */
  async renameContainer(id: string, name: string): Promise<void> {
    await this.http.call({ method: 'POST', path: `/containers/${enc(id)}/rename`, query: { name }, subject: 'container' });
  }

  /** `docker update`: limits and restart policy of a (running) container. */
  updateContainer(id: string, body: Record<string, unknown>): Promise<{ Warnings: string[] | null }> {
    return this.http.json({ method: 'POST', path: `/containers/${enc(id)}/update`, body, subject: 'container' });
  }

  async removeContainer(id: string, opts: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    await this.http.call({ method: 'DELETE', path: `/containers/${enc(id)}`, query: { force: opts.force, v: opts.volumes }, subject: 'container' });
  }

  pruneBuildCache(): Promise<BuildCachePruneResponse> {
    return this.http.json({ method: 'POST', path: '/build/prune' });
  }

  pruneContainers(): Promise<ContainerPruneResponse> {
    return this.http.json({ method: 'POST', path: '/containers/prune' });
  }

  /** The raw log stream: stdcopy frames for non-TTY containers, raw bytes for TTY ones. */
  containerLogs(id: string, opts: LogsOptions): Promise<IncomingMessage> {
    return this.http.send({
      method: 'GET',
      path: `/containers/${enc(id)}/logs`,
      query: { stdout: true, stderr: true, follow: opts.follow, tail: opts.tail ?? 'all', timestamps: opts.timestamps, since: opts.since },
      ...(opts.signal ? { signal: opts.signal } : {}),
      subject: 'container',
    });
  }

  /** Stats samples (one per second while streaming) until aborted or the container stops. */
  async containerStats(id: string, opts: { stream: boolean; signal?: AbortSignal }, onSample: (s: ContainerStatsResponse) => void): Promise<void> {
    const res = await this.http.send({
      method: 'GET',
      path: `/containers/${enc(id)}/stats`,
      query: { stream: opts.stream },
      ...(opts.signal ? { signal: opts.signal } : {}),
      subject: 'container',
    });
    await consumeJsonLines(res, (v) => onSample(v as ContainerStatsResponse), opts.signal);
  }

  top(id: string): Promise<ContainerTopResponse> {
    return this.http.json({ method: 'GET', path: `/containers/${enc(id)}/top`, query: { ps_args: '-ef' }, subject: 'container' });
  }

  /** Berth's process map (host + container PIDs, cgroup); null on daemons without it. */
  async berthProcesses(id: string): Promise<BerthContainerProcessesResponse | null> {
    try {
      return await this.http.json({ method: 'GET', path: `/berth/v1/containers/${enc(id)}/processes`, subject: 'container' });
    } catch (err) {
      if (isRouteMissing(err)) return null;
      throw err;
    }
  }

  /** Hijacked attach: raw duplex (TTY) or stdcopy frames (non-TTY). */
  attach(id: string, opts: { stdin: boolean; logs?: boolean }): Promise<Duplex> {
    return this.http.hijack({
      method: 'POST',
      path: `/containers/${enc(id)}/attach`,
      query: { stream: true, stdin: opts.stdin, stdout: true, stderr: true, logs: opts.logs },
      subject: 'container',
    });
  }

  async resizeContainer(id: string, rows: number, cols: number): Promise<void> {
    await this.http.call({ method: 'POST', path: `/containers/${enc(id)}/resize`, query: { h: rows, w: cols }, subject: 'container' });
  }

  createExec(id: string, body: ExecCreateRequest): Promise<{ Id: string }> {
    return this.http.json({ method: 'POST', path: `/containers/${enc(id)}/exec`, body, subject: 'container' });
  }

  startExec(execId: string, opts: { tty: boolean; rows?: number; cols?: number }): Promise<Duplex> {
    return this.http.hijack({
      method: 'POST',
      path: `/exec/${enc(execId)}/start`,
      body: { Detach: false, Tty: opts.tty, ...(opts.rows && opts.cols ? { ConsoleSize: [opts.rows, opts.cols] } : {}) },
      subject: 'exec',
    });
  }

  async resizeExec(execId: string, rows: number, cols: number): Promise<void> {
    await this.http.call({ method: 'POST', path: `/exec/${enc(execId)}/resize`, query: { h: rows, w: cols }, subject: 'exec' });
  }

  inspectExec(execId: string): Promise<ExecInspectResponse> {
    return this.http.json({ method: 'GET', path: `/exec/${enc(execId)}/json`, subject: 'exec' });
  }

  // ---- images --------------------------------------------------------------------------------
  listImages(opts: { sharedSize?: boolean; all?: boolean } = {}): Promise<ImageSummaryDto[]> {
    return this.http.json({ method: 'GET', path: '/images/json', query: { all: opts.all ?? false, 'shared-size': opts.sharedSize } });
  }

  inspectImage(ref: string): Promise<ImageInspectDto> {
    return this.http.json({ method: 'GET', path: `/images/${ref}/json`, subject: 'image' });
  }

  imageHistory(ref: string): Promise<ImageHistoryItemDto[]> {
    return this.http.json({ method: 'GET', path: `/images/${ref}/history`, subject: 'image' });
  }

  async tagImage(ref: string, repo: string, tag?: string): Promise<void> {
    await this.http.call({ method: 'POST', path: `/images/${ref}/tag`, query: { repo, tag }, subject: 'image' });
  }

  removeImage(ref: string, opts: { force?: boolean; noPrune?: boolean } = {}): Promise<ImageDeleteItemDto[]> {
    return this.http.json({ method: 'DELETE', path: `/images/${ref}`, query: { force: opts.force, noprune: opts.noPrune }, subject: 'image' });
  }

  pruneImages(opts: { all?: boolean } = {}): Promise<ImagePruneResponse> {
    return this.http.json({
      method: 'POST',
      path: '/images/prune',
      query: { filters: JSON.stringify({ dangling: [opts.all ? 'false' : 'true'] }) },
    });
  }

  /** Pull; progress messages as they come. Resolves at the end of the stream (in-band errors are messages). */
  async pullImage(ref: string, opts: { auth?: RegistryAuth; signal?: AbortSignal }, onMessage: (m: JsonMessageDto) => void): Promise<void> {
    const { name, tag } = splitReference(ref);
    const res = await this.http.send({
      method: 'POST',
      path: '/images/create',
      query: { fromImage: name, tag },
      headers: authHeader(opts.auth),
      ...(opts.signal ? { signal: opts.signal } : {}),
      subject: 'image',
    });
    await consumeJsonLines(res, (v) => onMessage(v as JsonMessageDto), opts.signal);
  }

  async pushImage(ref: string, opts: { auth?: RegistryAuth; signal?: AbortSignal }, onMessage: (m: JsonMessageDto) => void): Promise<void> {
    const { name, tag } = splitReference(ref);
    const res = await this.http.send({
      method: 'POST',
      path: `/images/${name}/push`,
      query: { tag },
      headers: authHeader(opts.auth),
      ...(opts.signal ? { signal: opts.signal } : {}),
      subject: 'image',
    });
    await consumeJsonLines(res, (v) => onMessage(v as JsonMessageDto), opts.signal);
  }

  /**
   * `POST /build` (the classic builder) with a tar context; the jsonmessage stream as it comes. In-band
   * errors are messages (`error`/`errorDetail`), as the CLI reads them.
   */
  async buildImage(
    context: Buffer,
    query: { dockerfile: string; t: string[]; buildargs?: Record<string, string>; target?: string; nocache?: boolean; pull?: boolean },
    signal: AbortSignal | undefined,
    onMessage: (m: JsonMessageDto) => void,
  ): Promise<void> {
    const params = new URLSearchParams({ dockerfile: query.dockerfile, rm: '1', forcerm: '1' });
    for (const t of query.t) params.append('t', t);
    if (query.buildargs && Object.keys(query.buildargs).length > 0) params.set('buildargs', JSON.stringify(query.buildargs));
    if (query.target) params.set('target', query.target);
    if (query.nocache) params.set('nocache', '1');
    if (query.pull) params.set('pull', '1');
    const res = await this.http.send({
      method: 'POST',
      path: `/build?${params.toString()}`,
      body: context,
      headers: { 'Content-Type': 'application/x-tar' },
      ...(signal ? { signal } : {}),
      subject: 'image',
    });
    await consumeJsonLines(res, (v) => onMessage(v as JsonMessageDto), signal);
  }

  /** Berth's layer view (sizes, sharing); null on daemons without it. */
  async berthLayers(ref: string): Promise<BerthImageLayersResponse | null> {
    try {
      return await this.http.json({ method: 'GET', path: `/berth/v1/images/${ref}/layers`, subject: 'image' });
    } catch (err) {
      if (isRouteMissing(err)) return null;
      throw err;
    }
  }

  // ---- volumes -------------------------------------------------------------------------------
  listVolumes(filters?: Record<string, string[]>): Promise<VolumeListResponse> {
    return this.http.json({ method: 'GET', path: '/volumes', query: { filters: filters ? JSON.stringify(filters) : undefined }, subject: 'volume' });
  }

  createVolume(body: VolumeCreateRequest): Promise<VolumeDto> {
    return this.http.json({ method: 'POST', path: '/volumes/create', body, subject: 'volume' });
  }

  async removeVolume(name: string, opts: { force?: boolean } = {}): Promise<void> {
    await this.http.call({ method: 'DELETE', path: `/volumes/${enc(name)}`, query: { force: opts.force }, subject: 'volume' });
  }

  /** dockerd 23+: `all` also prunes unused named volumes (default: anonymous ones only). */
  pruneVolumes(opts: { all?: boolean } = {}): Promise<VolumePruneResponse> {
    return this.http.json({ method: 'POST', path: '/volumes/prune', query: { filters: opts.all ? JSON.stringify({ all: ['true'] }) : undefined }, subject: 'volume' });
  }

  /** Volumes with UsageData (size, refcount), as `system df` computes them. */
  async volumesDiskUsage(): Promise<VolumeDto[]> {
    const df = await this.http.json<{ Volumes?: VolumeDto[] | null }>({ method: 'GET', path: '/system/df', query: { type: 'volume' }, subject: 'volume' });
    return df.Volumes ?? [];
  }

  /** Berth: every volume with usage and users in one call; null on other daemons. */
  async berthVolumes(): Promise<BerthVolumeDto[] | null> {
    try {
      return await this.http.json({ method: 'GET', path: '/berth/v1/volumes', subject: 'volume' });
    } catch (err) {
      if (isRouteMissing(err)) return null;
      throw err;
    }
  }

  /** Berth: a directory listing inside a volume; null on other daemons. */
  async berthVolumeFiles(name: string, path: string): Promise<BerthVolumeFilesResponse | null> {
    try {
      return await this.http.json({ method: 'GET', path: `/berth/v1/volumes/${enc(name)}/files`, query: { path }, subject: 'volume' });
    } catch (err) {
      if (isRouteMissing(err)) return null;
      throw err;
    }
  }

  /** Berth: the head of a file inside a volume. */
  async berthVolumeFile(name: string, path: string): Promise<{ content: Buffer; size: number; truncated: boolean }> {
    const res = await this.http.send({ method: 'GET', path: `/berth/v1/volumes/${enc(name)}/file`, query: { path }, subject: 'volume' });
    const chunks: Buffer[] = [];
    for await (const c of res) chunks.push(c as Buffer);
    const content = Buffer.concat(chunks);
    return { content, size: Number(res.headers['x-berth-file-size'] ?? content.length), truncated: res.headers['x-berth-truncated'] === '1' };
  }

  // ---- Berth config --------------------------------------------------------------------------
  async mirrorsConfig(): Promise<MirrorsConfigResponse | null> {
    try {
      return await this.http.json({ method: 'GET', path: '/berth/v1/config/mirrors', subject: 'config' });
    } catch (err) {
      if (isRouteMissing(err)) return null;
      throw err;
    }
  }

  putMirrorsConfig(update: ConfigUpdateRequest): Promise<MirrorsConfigResponse> {
    return this.http.json({ method: 'PUT', path: '/berth/v1/config/mirrors', body: update, subject: 'config' });
  }

  validateMirrorsConfig(update: ConfigUpdateRequest): Promise<ConfigValidateResponse> {
    return this.http.json({ method: 'POST', path: '/berth/v1/config/validate', body: update, subject: 'config' });
  }

  mirrorsHealth(): Promise<MirrorsHealthResponse> {
    return this.http.json({ method: 'GET', path: '/berth/v1/mirrors/health', subject: 'config' });
  }
}
