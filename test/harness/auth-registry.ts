/**
 * docker-registry on loopback that requires credentials: htpasswd (Basic challenge) or Bearer
 * tokens from a small token server (the Docker Hub flow). Plain HTTP
 * is enough: distribution's htpasswd controller does not insist on TLS (checked with
 * docker-registry 2.8.2), and dockerd/berthd talk HTTP to 127.0.0.0/8.
 *
 * The registry accepts only bcrypt entries; instead of needing `htpasswd` (apache2-utils) at test
 * time, the entry below is a fixed bcrypt hash (cost 5) of TEST_REGISTRY_PASSWORD.
 */
import { execFileSync, spawn } from 'node:child_process';
import { X509Certificate, createPrivateKey, randomBytes, sign } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REGISTRY_BIN, freePort } from './registry';

export const TEST_REGISTRY_USER = 'berth';
export const TEST_REGISTRY_PASSWORD = 'berth-push-pw';
const TEST_REGISTRY_BCRYPT = '$2b$05$gmgu9LleKwX.XgzfFG88F.zMIpk2Jf.pPhd2rOJahopAbhYyfTly6';

export interface AuthRegistryHandle {
  url: string;
  host: string;
  storageDir: string;
  logs: () => string;
  stop: () => Promise<void>;
}

export interface TokenRegistryHandle extends AuthRegistryHandle {
  /** Every scope the token server was asked for, in order ("" for a login's scope-less request). */
  requestedScopes: string[];
}

/** Starts a registry with htpasswd (Basic) auth. */
export async function startAuthRegistry(): Promise<AuthRegistryHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-auth-registry-'));
  const htpasswd = join(dir, 'htpasswd');
  await writeFile(htpasswd, `${TEST_REGISTRY_USER}:${TEST_REGISTRY_BCRYPT}\n`);
  return launch(dir, ['  htpasswd:', '    realm: berth-test', `    path: ${JSON.stringify(htpasswd)}`], async () => undefined);
}

const TOKEN_SERVICE = 'berth-test-registry';
const TOKEN_ISSUER = 'berth-test-issuer';

/**
 * Starts a registry with Bearer token auth (distribution's `auth.token`) and a small token server
 * on loopback that checks TEST_REGISTRY_USER/PASSWORD and signs RS256 JWTs with a throwaway
 * self-signed certificate (made with openssl; the registry trusts it via `rootcertbundle` and
 * finds it through the token's `x5c` header). This is the §3.4 flow Docker Hub uses.
 */
export async function startTokenRegistry(): Promise<TokenRegistryHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-token-registry-'));
  const keyFile = join(dir, 'key.pem');
  const certFile = join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=berth-test-token'], { stdio: 'ignore' });
  const key = createPrivateKey(await readFile(keyFile));
  const certDer = new X509Certificate(await readFile(certFile)).raw.toString('base64');
  const requestedScopes: string[] = [];
  const b64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');
  const tokenServer: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://token');
    const expected = `Basic ${Buffer.from(`${TEST_REGISTRY_USER}:${TEST_REGISTRY_PASSWORD}`).toString('base64')}`;
    const scopes = url.searchParams.getAll('scope');
    requestedScopes.push(scopes.join(' '));
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ details: 'incorrect username or password' }));
      return;
    }
    const access = scopes.map((s) => {
      const [type, name, actions] = s.split(':');
      return { type, name, actions: (actions ?? '').split(',') };
    });
    const now = Math.floor(Date.now() / 1000);
    const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c: [certDer] }));
    const claims = b64url(JSON.stringify({ iss: TOKEN_ISSUER, sub: TEST_REGISTRY_USER, aud: url.searchParams.get('service') ?? TOKEN_SERVICE, exp: now + 300, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access }));
    const signature = b64url(sign('sha256', Buffer.from(`${header}.${claims}`), key));
    const token = `${header}.${claims}.${signature}`;
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }));
  });
  await new Promise<void>((r) => tokenServer.listen(0, '127.0.0.1', r));
  const tokenPort = (tokenServer.address() as AddressInfo).port;
  const handle = await launch(
    dir,
    ['  token:', `    realm: http://127.0.0.1:${tokenPort}/token`, `    service: ${TOKEN_SERVICE}`, `    issuer: ${TOKEN_ISSUER}`, `    rootcertbundle: ${JSON.stringify(certFile)}`],
    async () => {
      tokenServer.closeAllConnections();
      await new Promise((r) => tokenServer.close(r));
    },
  );
  return { ...handle, requestedScopes };
}

async function launch(dir: string, authLines: string[], onStop: () => Promise<void>): Promise<AuthRegistryHandle> {
  const storageDir = join(dir, 'storage');
  const port = await freePort();
  const configFile = join(dir, 'config.yml');
  await writeFile(
    configFile,
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      '  accesslog:',
      '    disabled: true',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${JSON.stringify(storageDir)}`,
      'http:',
      `  addr: 127.0.0.1:${port}`,
      '  secret: berth-test-auth-registry',
      'auth:',
      ...authLines,
      '',
    ].join('\n'),
  );
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('REGISTRY_')));
  const child = spawn(REGISTRY_BIN, ['serve', configFile], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let log = '';
  child.stdout.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) {
      await onStop();
      throw new Error(`auth registry exited:\n${log}`);
    }
    const status = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(2000) }).then(
      async (r) => (await r.arrayBuffer(), r.status),
      () => 0,
    );
    if (status === 401) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await onStop();
      throw new Error(`auth registry did not come up on ${url}:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url,
    host: `127.0.0.1:${port}`,
    storageDir,
    logs: () => log,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await exited;
      }
      await onStop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
