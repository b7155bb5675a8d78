import type { DaemonConfigSource } from '../../config/daemon-config';
import { invalidArgument, unauthorized } from '../../lib/errors';
import { basicAuthHeader, parseWwwAuthenticate, type RegistryCredentials } from '../../registry/auth';
import { RegistryError } from '../../registry/errors';
import { registryUrl, type RegistryEndpoint } from '../../registry/endpoints';
import { readAll, type HttpTransport, type TransportResponse } from '../../registry/http-transport';
import { DOCKER_HUB_DOMAIN } from '../../registry/reference';

/** What `docker login` sends to `POST /auth` (already decoded from the body). */
export interface LoginRequest {
  serverAddress?: string;
  credentials: RegistryCredentials;
}

export interface LoginResult {
  /** An OAuth2 refresh token the registry issued for later logins, or "" (the CLI then stores the password). */
  identityToken: string;
}

/** The ways users spell Docker Hub in `docker login [SERVER]` (the CLI's default is the v1 index URL). */
const HUB_ADDRESSES = new Set(['', 'docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

/**
 * `docker login`: checks credentials against a registry without touching any repository
 * (moby registry/auth.go `loginV2`): `GET /v2/`, answer its challenge (Basic: send the
 * credentials; Bearer: ask the realm for an offline token with no scope, as `account=<user>`),
 * then `GET /v2/` again with what was obtained. 200 means the credentials are good.
 */
export class LoginService {
  constructor(
    private readonly transport: HttpTransport,
    private readonly config: DaemonConfigSource,
  ) {}

  async login(req: LoginRequest): Promise<LoginResult> {
    const endpoint = registryUrl(registryDomain(req.serverAddress), this.config.current());
    const pingUrl = `${endpoint.url}/v2/`;
    const first = await this.get(pingUrl, endpoint, undefined);
    if (first.status === 200) {
      first.body.resume();
      return { identityToken: '' };
    }
    if (first.status !== 401) throw failure(first, pingUrl);
    const challenge = parseWwwAuthenticate(first.headers['www-authenticate']);
    first.body.resume();
    if (challenge === undefined) throw unauthorized('LOGIN_FAILED', `login attempt to ${pingUrl} failed with status: 401 Unauthorized`);
    const basic = basicAuthHeader(req.credentials);
    let authorization: string;
    let identityToken = '';
    if (challenge.scheme === 'basic') {
      if (basic === undefined) throw unauthorized('LOGIN_FAILED', 'login requires a username and password');
      authorization = basic;
    } else {
      const realm = challenge.params.realm;
      if (!realm) throw unauthorized('LOGIN_FAILED', `login attempt to ${pingUrl} failed: the registry's Bearer challenge has no realm`);
      const token = await this.fetchToken(new URL(realm, pingUrl), challenge.params.service, req.credentials, endpoint, pingUrl);
      authorization = `Bearer ${token.token}`;
      identityToken = token.refreshToken ?? '';
    }
    const second = await this.get(pingUrl, endpoint, authorization);
    if (second.status !== 200) throw failure(second, pingUrl);
    second.body.resume();
    return { identityToken };
  }

  private async fetchToken(realm: URL, service: string | undefined, creds: RegistryCredentials, endpoint: RegistryEndpoint, pingUrl: string): Promise<{ token: string; refreshToken?: string }> {
    let res: TransportResponse;
    if (creds.identityToken) {
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: creds.identityToken, client_id: 'docker', ...(service ? { service } : {}) });
      const body = Buffer.from(form.toString());
      res = await this.send(() =>
        this.transport.send({ method: 'POST', url: realm.toString(), headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(body.length) }, body, skipTlsVerify: endpoint.skipTlsVerify }),
      );
    } else {
      const basic = basicAuthHeader(creds);
      if (basic === undefined) throw unauthorized('LOGIN_FAILED', 'login requires a username and password');
      if (service) realm.searchParams.set('service', service);
      if (creds.username) realm.searchParams.set('account', creds.username);
      realm.searchParams.set('client_id', 'docker');
      realm.searchParams.set('offline_token', 'true');
      res = await this.send(() => this.transport.send({ method: 'GET', url: realm.toString(), headers: { Authorization: basic }, skipTlsVerify: endpoint.skipTlsVerify }));
    }
    if (res.status !== 200) throw await tokenFailure(res, pingUrl, realm);
    let doc: { token?: unknown; access_token?: unknown; refresh_token?: unknown };
    try {
      doc = JSON.parse((await readAll(res.body, 1024 * 1024)).toString('utf8')) as typeof doc;
    } catch {
      throw unauthorized('LOGIN_FAILED', `login failed: the token server at ${realm.origin} sent an invalid reply`);
    }
    const token = typeof doc.token === 'string' && doc.token !== '' ? doc.token : typeof doc.access_token === 'string' ? doc.access_token : '';
    if (token === '') throw unauthorized('LOGIN_FAILED', `login failed: the token server at ${realm.origin} sent no token`);
    return { token, ...(typeof doc.refresh_token === 'string' && doc.refresh_token !== '' ? { refreshToken: doc.refresh_token } : {}) };
  }

  private get(url: string, endpoint: RegistryEndpoint, authorization: string | undefined): Promise<TransportResponse> {
    return this.send(() => this.transport.send({ method: 'GET', url, headers: authorization ? { Authorization: authorization } : {}, skipTlsVerify: endpoint.skipTlsVerify }));
  }

  /** Network failures keep their RegistryError (Unavailable, "connection refused"), prefixed as dockerd words them. */
  private async send(op: () => Promise<TransportResponse>): Promise<TransportResponse> {
    try {
      return await op();
    } catch (err) {
      if (err instanceof RegistryError) throw new RegistryError(err.kind, err.code, `login failed: ${err.message}`, { category: err.category, cause: err });
      throw err;
    }
  }
}

/**
 * `serveraddress` as the CLI sends it: `https://index.docker.io/v1/` for Hub, else what the user
 * typed (`127.0.0.1:5000`, sometimes with a scheme or path). Returns the registry host[:port].
 */
export function registryDomain(serverAddress: string | undefined): string {
  let s = (serverAddress ?? '').trim();
  s = s.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  s = s.replace(/\/.*$/, '').toLowerCase();
  if (HUB_ADDRESSES.has(s)) return DOCKER_HUB_DOMAIN;
  if (!/^[a-z0-9.-]+(:\d{1,5})?$|^\[[0-9a-f:]+\](:\d{1,5})?$/.test(s)) {
    throw invalidArgument('INVALID_SERVER_ADDRESS', `invalid registry address ${JSON.stringify(serverAddress)}`);
  }
  return s;
}

/** dockerd's wording when `/v2/` refuses what was sent: `login attempt to <url> failed with status: 401 Unauthorized`. */
function failure(res: TransportResponse, url: string): Error {
  res.body.resume();
  const text = `login attempt to ${url} failed with status: ${res.status} ${res.body.statusMessage ?? ''}`.trim();
  if (res.status === 401 || res.status === 403) return unauthorized('LOGIN_FAILED', text);
  return new RegistryError('Unavailable', 'LOGIN_REGISTRY_ERROR', text, { category: 'unexpected-http', status: res.status });
}

/**
 * A token server's refusal, worded as dockerd reports it (the token fetch happens inside its
 * `GET /v2/`): `Get "<url>": unauthorized: incorrect username or password`. Token servers put the
 * reason in `details` (Docker Hub) or in an OCI `errors` list.
 */
async function tokenFailure(res: TransportResponse, pingUrl: string, realm: URL): Promise<Error> {
  let reason = '';
  try {
    const doc = JSON.parse((await readAll(res.body, 64 * 1024)).toString('utf8')) as { details?: unknown; errors?: { message?: unknown }[] };
    if (typeof doc.details === 'string') reason = doc.details;
    else if (typeof doc.errors?.[0]?.message === 'string') reason = doc.errors[0].message;
  } catch {
    /* not JSON: the status says it all */
  }
  if (res.status === 401 || res.status === 403) return unauthorized('LOGIN_FAILED', `Get "${pingUrl}": unauthorized: ${reason || 'authentication required'}`);
  return new RegistryError('Unavailable', 'LOGIN_REGISTRY_ERROR', `Get "${pingUrl}": token server ${realm.origin} answered ${res.status}${reason ? `: ${reason}` : ''}`, { category: 'unexpected-http', status: res.status });
}
