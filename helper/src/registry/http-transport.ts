import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { networkError } from './errors';

export interface TransportRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  /** A buffer, or a stream for blob uploads (send Content-Length in `headers` with it). */
  body?: Buffer | Readable;
  skipTlsVerify?: boolean;
  signal?: AbortSignal;
  /** Follow 30x redirects (blob downloads are redirected to storage/CDN hosts). Default true. */
  followRedirects?: boolean;
}

export interface TransportResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The response body; must be consumed or destroyed by the caller. */
  body: IncomingMessage;
  /** Final URL after redirects. */
  url: string;
}

/**
 * HTTP(S) requests to registries, with keep-alive agents shared by all pulls (one transport per
 * daemon, built in main.ts). Redirects are followed without the Authorization header when they
 * leave the original host, as the distribution spec asks. Connection failures become
 * `RegistryError`s of category `network`.
 */
export class HttpTransport {
  private readonly httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 32 });
  private readonly httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 32 });
  private readonly insecureHttpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 32, rejectUnauthorized: false });

  constructor(
    private readonly userAgent = 'berthd',
    /** Idle time after which a stalled connection is abandoned. */
    private readonly idleTimeoutMs = 60_000,
  ) {}

  async send(req: TransportRequest): Promise<TransportResponse> {
    let url = req.url;
    let headers = { ...req.headers };
    const originHost = new URL(url).host;
    for (let hop = 0; hop < 6; hop++) {
      const res = await this.once({ ...req, url, headers });
      const location = res.headers.location;
      if (req.followRedirects === false || ![301, 302, 303, 307, 308].includes(res.status) || location === undefined) {
        return { ...res, url };
      }
      res.body.resume();
      url = new URL(location, url).toString();
      if (new URL(url).host !== originHost) {
        const { Authorization: _a, authorization: _b, ...rest } = headers;
        headers = rest;
      }
    }
    throw networkError(req.url, new Error('too many redirects'));
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    this.insecureHttpsAgent.destroy();
  }

  private once(req: TransportRequest): Promise<Omit<TransportResponse, 'url'>> {
    const u = new URL(req.url);
    const https = u.protocol === 'https:';
    const agent = https ? (req.skipTlsVerify ? this.insecureHttpsAgent : this.httpsAgent) : this.httpAgent;
    const doRequest = https ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const r = doRequest(
        u,
        { method: req.method, agent, headers: { 'User-Agent': this.userAgent, ...req.headers }, signal: req.signal },
        (res) => {
          res.setTimeout(this.idleTimeoutMs, () => res.destroy(networkError(req.url, Object.assign(new Error('read timeout'), { code: 'ETIMEDOUT' }))));
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res });
        },
      );
      r.setTimeout(this.idleTimeoutMs, () => r.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
      r.on('error', (err) => reject(err.name === 'AbortError' ? err : networkError(`${u.protocol}//${u.host}`, err)));
      if (req.body === undefined) r.end();
      else if (Buffer.isBuffer(req.body)) r.end(req.body);
      else {
        req.body.on('error', (err) => r.destroy(err));
        req.body.pipe(r);
      }
    });
  }
}

/** Reads a whole (small) response body, e.g. a manifest or an error document. */
export async function readAll(body: Readable, limit = 16 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of body as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > limit) {
      body.destroy();
      throw new Error(`response body exceeds ${limit} bytes`);
    }
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}
