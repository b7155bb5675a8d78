/**
 * Registry credentials and the `WWW-Authenticate` challenge grammar (RFC 7235 as registries use
 * it). Token fetching itself lives in `registry-client.ts`, which owns the transport.
 */

/** What a pull or push may authenticate with; decoded from `X-Registry-Auth` or `/auth`'s body. */
export interface RegistryCredentials {
  username?: string;
  password?: string;
  /** OAuth2 refresh token from a previous `docker login` (exchanged at the realm with grant_type=refresh_token). */
  identityToken?: string;
  /** A bearer token to send as is. */
  registryToken?: string;
}

export interface AuthChallenge {
  scheme: 'basic' | 'bearer';
  params: Record<string, string>;
}

/**
 * Decodes `X-Registry-Auth`: base64url (or standard base64, padded or not) JSON AuthConfig
 * `{username, password, auth, identitytoken, registrytoken, serveraddress}`. `auth` is
 * base64("user:pass"). Anything undecodable, or `{}`, is anonymous (the CLI sends `{}` by default).
 */
export function decodeRegistryAuth(header: string | undefined): RegistryCredentials | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(header.trim().replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8'));
  } catch {
    return undefined;
  }
  return credentialsFromAuthConfig(json);
}

/** Normalises a Docker AuthConfig object (either casing, as `/auth` bodies and headers vary). */
export function credentialsFromAuthConfig(json: unknown): RegistryCredentials | undefined {
  if (typeof json !== 'object' || json === null) return undefined;
  const o = json as Record<string, unknown>;
  const str = (...keys: string[]): string | undefined => {
    for (const k of keys) if (typeof o[k] === 'string' && o[k] !== '') return o[k] as string;
    return undefined;
  };
  let username = str('username', 'Username');
  let password = str('password', 'Password');
  const auth = str('auth', 'Auth');
  if (auth !== undefined && (username === undefined || password === undefined)) {
    const decoded = Buffer.from(auth, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i > 0) {
      username ??= decoded.slice(0, i);
      password ??= decoded.slice(i + 1);
    }
  }
  const creds: RegistryCredentials = {};
  if (username !== undefined) creds.username = username;
  if (password !== undefined) creds.password = password;
  const identityToken = str('identitytoken', 'IdentityToken');
  if (identityToken !== undefined) creds.identityToken = identityToken;
  const registryToken = str('registrytoken', 'RegistryToken');
  if (registryToken !== undefined) creds.registryToken = registryToken;
  return Object.keys(creds).length > 0 ? creds : undefined;
}

/** Parses `Bearer realm="…",service="…",scope="…"` / `Basic realm="…"`. Returns the first usable challenge. */
export function parseWwwAuthenticate(header: string | string[] | undefined): AuthChallenge | undefined {
  if (header === undefined) return undefined;
  const values = Array.isArray(header) ? header : [header];
  let basic: AuthChallenge | undefined;
  for (const value of values) {
    const m = /^\s*(\w+)\s*(.*)$/s.exec(value);
    if (!m) continue;
    const scheme = (m[1] ?? '').toLowerCase();
    if (scheme !== 'bearer' && scheme !== 'basic') continue;
    const params: Record<string, string> = {};
    const re = /([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*,?/g;
    let p: RegExpExecArray | null;
    while ((p = re.exec(m[2] ?? '')) !== null) {
      params[(p[1] ?? '').toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : (p[3] ?? '');
    }
    const challenge: AuthChallenge = { scheme, params };
    if (scheme === 'bearer') return challenge;
    basic ??= challenge;
  }
  return basic;
}

export function basicAuthHeader(creds: RegistryCredentials): string | undefined {
  if (creds.username === undefined || creds.password === undefined) return undefined;
  return `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
}
