import type { Readable } from 'node:stream';
import { basicAuthHeader, parseWwwAuthenticate, type AuthChallenge, type RegistryCredentials } from './auth';
import { RegistryError, networkError, verificationError, type RegistryErrorDetail } from './errors';
import type { RegistryEndpoint } from './endpoints';
import { readAll, type HttpTransport, type TransportRequest, type TransportResponse } from './http-transport';
import { MANIFEST_ACCEPT, sha256Digest } from './manifest';

export type RepositoryAction = 'pull' | 'push';

export interface SessionOptions {
  endpoint: RegistryEndpoint;
  /** Repository path on that registry, e.g. `library/busybox`. */
  repository: string;
  credentials?: RegistryCredentials;
  /** `['pull']` for pulls, `['pull','push']` for pushes: the token scope requested. */
  actions: RepositoryAction[];
  signal?: AbortSignal;
}

export interface FetchedManifest {
  bytes: Buffer;
  /** Content-Type of the reply (may be absent; `parseManifest` then looks at the body). */
  contentType?: string;
  /** sha256 of `bytes`, verified against the requested digest when pulled by digest. */
  digest: string;
}

export interface BlobStream {
  stream: Readable;
  /** Content-Length, when the registry sent one. */
  size?: number;
}

/**
 * Builds `RegistrySession`s over one shared transport. One session = one endpoint + one
 * repository + one credential set; it caches the bearer token (or Basic header) it negotiated,
 * so the blob requests of a pull reuse the manifest request's token.
 */
export class RegistryClient {
  constructor(private readonly transport: HttpTransport) {}

  session(opts: SessionOptions): RegistrySession {
    return new RegistrySession(this.transport, opts);
  }

  /** `GET /v2/` of an endpoint, for health checks: resolves with the status and latency (any HTTP reply = reachable). */
  async ping(endpoint: RegistryEndpoint, signal?: AbortSignal): Promise<{ status: number; ms: number }> {
    const t0 = performance.now();
    const res = await this.transport.send({ method: 'GET', url: `${endpoint.url}/v2/`, skipTlsVerify: endpoint.skipTlsVerify, signal });
    res.body.resume();
    return { status: res.status, ms: performance.now() - t0 };
  }
}

/**
 * The OCI distribution v2 operations on one repository of one endpoint. Authentication follows
 * the registry's challenge: anonymous first; on 401 `Basic` sends the credentials, `Bearer` fetches
 * a token from the realm (with Basic credentials when given, or a refresh token) for
 * `repository:<repo>:<actions>` and retries once. Every failure is a `RegistryError`.
 */
export class RegistrySession {
  private authorization?: string;
  private tokenFetch?: Promise<string>;

  constructor(
    private readonly transport: HttpTransport,
    readonly opts: SessionOptions,
  ) {
    if (opts.credentials?.registryToken) this.authorization = `Bearer ${opts.credentials.registryToken}`;
  }

  get endpoint(): RegistryEndpoint {
    return this.opts.endpoint;
  }

  private repoUrl(suffix: string): string {
    return `${this.opts.endpoint.url}/v2/${this.opts.repository}/${suffix}`;
  }

  /** `GET /v2/`: checks the endpoint speaks the API and primes authentication. */
  async ping(): Promise<void> {
    const res = await this.request({ method: 'GET', url: `${this.opts.endpoint.url}/v2/` }, 'registry ping');
    res.body.resume();
  }

  /** Fetches a manifest by tag or digest, verifying the digest when the reference is one. */
  async getManifest(reference: string): Promise<FetchedManifest> {
    const res = await this.request({ method: 'GET', url: this.repoUrl(`manifests/${reference}`), headers: { Accept: MANIFEST_ACCEPT } }, `manifest ${reference}`);
    const bytes = await this.readBody(res);
    const digest = sha256Digest(bytes);
    if (reference.startsWith('sha256:') && digest !== reference) {
      throw verificationError('MANIFEST_DIGEST_MISMATCH', `manifest verification failed for digest ${reference}: got ${digest}`);
    }
    const out: FetchedManifest = { bytes, digest };
    const ct = res.headers['content-type'];
    if (ct !== undefined) out.contentType = ct;
    return out;
  }

  /** `HEAD` of a manifest: its digest (Docker-Content-Digest) without a rate-limited GET; undefined on 404. */
  async headManifest(reference: string): Promise<{ digest?: string; contentType?: string } | undefined> {
    const res = await this.request({ method: 'HEAD', url: this.repoUrl(`manifests/${reference}`), headers: { Accept: MANIFEST_ACCEPT } }, `manifest ${reference}`, [404]);
    res.body.resume();
    if (res.status === 404) return undefined;
    const digest = res.headers['docker-content-digest'];
    const contentType = res.headers['content-type'];
    return { ...(typeof digest === 'string' ? { digest } : {}), ...(contentType ? { contentType } : {}) };
  }

  /** Opens a blob for streaming. The caller verifies digest and size while consuming it. */
  async openBlob(digest: string): Promise<BlobStream> {
    const res = await this.request({ method: 'GET', url: this.repoUrl(`blobs/${digest}`) }, `blob ${digest}`);
    const len = res.headers['content-length'];
    return { stream: res.body, ...(len !== undefined && /^\d+$/.test(len) ? { size: Number(len) } : {}) };
  }

  /**
   * What another HTTP client (a layer worker) needs to GET a blob with this session's current
   * credentials. A 401 there means the token must be renegotiated: retry through `openBlob`.
   */
  blobRequest(digest: string): { url: string; headers: Record<string, string>; skipTlsVerify: boolean } {
    return { url: this.repoUrl(`blobs/${digest}`), headers: this.authorization ? { Authorization: this.authorization } : {}, skipTlsVerify: this.opts.endpoint.skipTlsVerify };
  }

  /** Small blobs (image configs): read fully and verify digest and size. */
  async fetchBlob(digest: string, expectedSize: number, limit = 64 * 1024 * 1024): Promise<Buffer> {
    const { stream } = await this.openBlob(digest);
    let bytes: Buffer;
    try {
      bytes = await readAll(stream, Math.min(limit, expectedSize + 1));
    } catch (err) {
      if (err instanceof RegistryError) throw err;
      throw verificationError('BLOB_SIZE_MISMATCH', `blob ${digest}: larger than its descriptor size ${expectedSize}`);
    }
    if (bytes.length !== expectedSize) throw verificationError('BLOB_SIZE_MISMATCH', `blob ${digest}: size ${bytes.length} does not match descriptor size ${expectedSize}`);
    const got = sha256Digest(bytes);
    if (got !== digest) throw verificationError('BLOB_DIGEST_MISMATCH', `blob verification failed for digest ${digest}: got ${got}`);
    return bytes;
  }

  /** `HEAD /blobs/<digest>`: the blob's size when the registry has it, else undefined. */
  async blobExists(digest: string): Promise<number | undefined> {
    const res = await this.request({ method: 'HEAD', url: this.repoUrl(`blobs/${digest}`) }, `blob ${digest}`, [404]);
    res.body.resume();
    if (res.status === 404) return undefined;
    const len = res.headers['content-length'];
    return len !== undefined ? Number(len) : 0;
  }

  /**
   * Cross-repository mount (`POST /blobs/uploads/?mount=<digest>&from=<repo>`). True when the
   * registry mounted it (201); false when it opened an upload instead (202), which is cancelled.
   */
  async mountBlob(digest: string, fromRepository: string): Promise<boolean> {
    const res = await this.request({ method: 'POST', url: this.repoUrl(`blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(fromRepository)}`), headers: { 'Content-Length': '0' } }, `blob mount ${digest}`, [202]);
    res.body.resume();
    if (res.status === 201) return true;
    const loc = res.headers.location;
    if (loc) await this.request({ method: 'DELETE', url: new URL(loc, this.opts.endpoint.url).toString() }, 'cancel upload', [404, 405]).then((r) => r.body.resume(), () => undefined);
    return false;
  }

  /**
   * Uploads a blob monolithically: `POST /blobs/uploads/` then `PUT <location>&digest=` with the
   * body. `body` is a Buffer or a factory for a fresh stream (an auth retry needs to resend it).
   */
  async uploadBlob(digest: string, size: number, body: Buffer | (() => Readable)): Promise<void> {
    const start = await this.request({ method: 'POST', url: this.repoUrl('blobs/uploads/'), headers: { 'Content-Length': '0' } }, `blob upload ${digest}`);
    start.body.resume();
    const loc = start.headers.location;
    if (!loc) throw new RegistryError('Internal', 'REGISTRY_PROTOCOL', `blob upload ${digest}: registry sent no Location`, { category: 'unexpected-http', status: start.status });
    const u = new URL(loc, this.opts.endpoint.url);
    u.searchParams.set('digest', digest);
    const put = await this.request(
      { method: 'PUT', url: u.toString(), headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(size) }, body: Buffer.isBuffer(body) ? body : body() },
      `blob upload ${digest}`,
    );
    put.body.resume();
  }

  /** `PUT /manifests/<tag>`; returns the digest the registry reports (or the computed one). */
  async putManifest(reference: string, mediaType: string, bytes: Buffer): Promise<string> {
    const res = await this.request({ method: 'PUT', url: this.repoUrl(`manifests/${reference}`), headers: { 'Content-Type': mediaType, 'Content-Length': String(bytes.length) }, body: bytes }, `manifest ${reference}`);
    res.body.resume();
    const d = res.headers['docker-content-digest'];
    return typeof d === 'string' ? d : sha256Digest(bytes);
  }

  /**
   * Sends a request with the session's authorization, answering one 401 challenge. Non-2xx
   * replies (other than `okStatuses`) become RegistryErrors: OCI error bodies are `registry`,
   * anything else `unexpected-http`.
   */
  async request(req: Omit<TransportRequest, 'skipTlsVerify' | 'signal'>, what: string, okStatuses: number[] = []): Promise<TransportResponse> {
    const send = (authorization: string | undefined): Promise<TransportResponse> =>
      this.transport.send({
        ...req,
        headers: { ...req.headers, ...(authorization ? { Authorization: authorization } : {}) },
        skipTlsVerify: this.opts.endpoint.skipTlsVerify,
        signal: this.opts.signal,
      });
    const sentWith = this.authorization;
    let res = await send(sentWith);
    if (res.status === 401 && !(req.body !== undefined && !Buffer.isBuffer(req.body))) {
      const challenge = parseWwwAuthenticate(res.headers['www-authenticate']);
      // Concurrent requests share the session: if another one already negotiated newer
      // credentials while this one was in flight, just retry with those.
      const canRetry = this.authorization !== sentWith || (challenge !== undefined && (await this.authorize(challenge, res, sentWith)));
      if (canRetry) {
        res.body.resume();
        res = await send(this.authorization);
      }
    }
    if ((res.status >= 200 && res.status < 300) || okStatuses.includes(res.status)) return res;
    throw await this.httpError(res, what);
  }

  /** Negotiates credentials for a challenge; false when there is nothing new to try. */
  private async authorize(challenge: AuthChallenge, res: TransportResponse, sentWith: string | undefined): Promise<boolean> {
    const creds = this.opts.credentials ?? {};
    if (challenge.scheme === 'basic') {
      const basic = basicAuthHeader(creds);
      if (basic === undefined || basic === sentWith) return false;
      this.authorization = basic;
      return true;
    }
    const realm = challenge.params.realm;
    if (!realm) return false;
    // One token fetch at a time per session: concurrent 401s wait for it instead of each asking.
    this.tokenFetch ??= this.fetchToken(realm, challenge.params.service, res.url).finally(() => {
      this.tokenFetch = undefined;
    });
    const header = `Bearer ${await this.tokenFetch}`;
    if (header === sentWith) return false;
    this.authorization = header;
    return true;
  }

  private async fetchToken(realm: string, service: string | undefined, fromUrl: string): Promise<string> {
    const creds = this.opts.credentials ?? {};
    const scope = `repository:${this.opts.repository}:${this.opts.actions.join(',')}`;
    let realmUrl: URL;
    try {
      realmUrl = new URL(realm, fromUrl);
    } catch {
      throw new RegistryError('Unauthorized', 'REGISTRY_AUTH', `invalid token realm ${JSON.stringify(realm)}`, { category: 'unexpected-http' });
    }
    let res: TransportResponse;
    if (creds.identityToken) {
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.identityToken, client_id: 'berth', scope, ...(service ? { service } : {}) });
      const body = Buffer.from(form.toString());
      res = await this.transport.send({ method: 'POST', url: realmUrl.toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(body.length) }, body, signal: this.opts.signal });
    } else {
      if (service) realmUrl.searchParams.set('service', service);
      realmUrl.searchParams.append('scope', scope);
      if (creds.username) realmUrl.searchParams.set('account', creds.username);
      const basic = basicAuthHeader(creds);
      res = await this.transport.send({ method: 'GET', url: realmUrl.toString(), headers: basic ? { Authorization: basic } : {}, signal: this.opts.signal });
    }
    if (res.status < 200 || res.status >= 300) throw await this.httpError(res, 'token request', 'Unauthorized');
    let doc: { token?: unknown; access_token?: unknown };
    try {
      doc = JSON.parse((await readAll(res.body, 1024 * 1024)).toString('utf8')) as typeof doc;
    } catch (err) {
      throw new RegistryError('Unauthorized', 'REGISTRY_AUTH', `token request to ${realmUrl.origin}: invalid reply`, { category: 'unexpected-http', cause: err });
    }
    const token = typeof doc.token === 'string' && doc.token !== '' ? doc.token : typeof doc.access_token === 'string' ? doc.access_token : '';
    if (token === '') throw new RegistryError('Unauthorized', 'REGISTRY_AUTH', `token request to ${realmUrl.origin}: no token in reply`, { category: 'unexpected-http' });
    return token;
  }

  private async readBody(res: TransportResponse): Promise<Buffer> {
    try {
      return await readAll(res.body);
    } catch (err) {
      if (err instanceof RegistryError) throw err;
      throw networkError(this.opts.endpoint.url, err);
    }
  }

  private async httpError(res: TransportResponse, what: string, kindOverride?: 'Unauthorized'): Promise<RegistryError> {
    let text = '';
    try {
      text = (await readAll(res.body, 64 * 1024)).toString('utf8');
    } catch {
      /* body unreadable: classify by status alone */
    }
    let details: RegistryErrorDetail[] = [];
    try {
      const doc = JSON.parse(text) as { errors?: { code?: unknown; message?: unknown }[] };
      if (Array.isArray(doc.errors)) details = doc.errors.map((e) => ({ code: String(e.code ?? 'UNKNOWN'), message: String(e.message ?? '') }));
    } catch {
      /* not an OCI error document */
    }
    const status = res.status;
    if (details.length > 0 || (res.headers['content-type'] ?? '').includes('json') && (status === 401 || status === 404)) {
      if (details.length === 0) details = [{ code: status === 401 ? 'UNAUTHORIZED' : 'NOT_FOUND', message: text.trim() }];
      const first = details[0] as RegistryErrorDetail;
      const kind = kindOverride ?? (first.code === 'UNAUTHORIZED' || status === 401 ? 'Unauthorized' : first.code === 'DENIED' ? 'Forbidden' : status === 404 || /_UNKNOWN$/.test(first.code) ? 'NotFound' : status === 429 ? 'Unavailable' : 'Internal');
      const msg = `${first.code.toLowerCase().replace(/_/g, ' ')}: ${first.message}`;
      return new RegistryError(kind, `REGISTRY_${first.code}`, `${what}: ${msg}`, { category: 'registry', status, details });
    }
    const statusText = res.body.statusMessage ?? '';
    return new RegistryError(kindOverride ?? (status === 404 ? 'NotFound' : status === 401 ? 'Unauthorized' : 'Unavailable'), 'REGISTRY_UNEXPECTED_HTTP', `${what}: unexpected HTTP status ${status} ${statusText} from ${this.opts.endpoint.url}`.trim(), { category: 'unexpected-http', status });
  }
}
