/**
 * A real Distribution v2 registry (Debian's `docker-registry`) on a random loopback port, with its
 * storage in a temp dir. With `proxyRemoteUrl` it is a pull-through mirror of that registry (in
 * proxy mode the registry refuses pushes: push to the upstream instead).
 *
 * Lifecycle: `startRegistry()` resolves once GET /v2/ answers 200; `stop()` terminates the process
 * and removes the storage dir (unless `keepStorage`).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const REGISTRY_BIN = '/usr/bin/docker-registry';

export interface RegistryHandle {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `127.0.0.1:PORT`, for image references. */
  host: string;
  port: number;
  /** The filesystem driver's root directory. */
  storageDir: string;
  configFile: string;
  process: ChildProcess;
  logs: () => string;
  stop: () => Promise<void>;
}

export interface StartRegistryOptions {
  /** Makes this registry a pull-through cache of that upstream (`http://127.0.0.1:PORT`). */
  proxyRemoteUrl?: string;
  keepStorage?: boolean;
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /**
   * Serve this existing storage dir (e.g. another registry's, with images already pushed) instead
   * of a new temp dir; it is never removed by `stop()`.
   */
  storageDir?: string;
  /** Run inside this named network namespace (`ip netns` name); its 127.0.0.1 is that namespace's. */
  netns?: string;
  /** Writes an access log line per request (Apache combined format) to `logs()`, e.g. to count blob GETs. */
  accessLog?: boolean;
}

/** How many `GET` requests for the blob `digest` (in any repository) the registry's access log shows. */
export function blobGets(logs: string, digest: string): number {
  return logs.split('\n').filter((l) => l.includes(`"GET /v2/`) && l.includes(`/blobs/${digest} `)).length;
}

/** A free loopback TCP port (bound then released; callers bind it right away). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** A loopback port with nothing listening on it: connections to it are refused (for dead-mirror tests). */
export async function deadPort(): Promise<number> {
  return freePort();
}

function configYaml(port: number, storageDir: string, opts: StartRegistryOptions): string {
  const lines = [
    'version: 0.1',
    'log:',
    `  level: ${opts.logLevel ?? 'warn'}`,
    '  accesslog:',
    `    disabled: ${opts.accessLog ? 'false' : 'true'}`,
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${JSON.stringify(storageDir)}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '  secret: berth-test-registry-secret',
    'health:',
    '  storagedriver:',
    '    enabled: false',
  ];
  if (opts.proxyRemoteUrl) lines.push('proxy:', `  remoteurl: ${JSON.stringify(opts.proxyRemoteUrl)}`);
  return lines.join('\n') + '\n';
}

export async function startRegistry(opts: StartRegistryOptions = {}): Promise<RegistryHandle> {
  const ownStorage = opts.storageDir === undefined;
  const storageDir = opts.storageDir ?? (await mkdtemp(join(tmpdir(), 'berth-registry-')));
  const configFile = ownStorage ? join(storageDir, '..', `${storageDir.split('/').pop()}.yml`) : join(await mkdtemp(join(tmpdir(), 'berth-registry-conf-')), 'config.yml');
  // Retry on the (rare) race where another process grabs the port between probe and bind.
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    await writeFile(configFile, configYaml(port, storageDir, opts));
    // Drop REGISTRY_* variables from the environment: the registry treats them as config overrides.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('REGISTRY_')));
    const child = opts.netns === undefined
      ? spawn(REGISTRY_BIN, ['serve', configFile], { stdio: ['ignore', 'pipe', 'pipe'], env })
      : spawn('nsenter', [`--net=/run/netns/${opts.netns}`, '--', REGISTRY_BIN, 'serve', configFile], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let log = '';
    child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise<void>((res) => child.once('exit', () => res()));
    const url = `http://127.0.0.1:${port}`;
    const up = await waitFor(async () => {
      if (child.exitCode !== null) return 'exited';
      if (opts.netns !== undefined) return (await httpStatusInNetns(opts.netns, `${url}/v2/`)) === 200 ? 'up' : undefined;
      try {
        const res = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(2000) });
        await res.arrayBuffer();
        return res.status === 200 ? 'up' : undefined;
      } catch {
        return undefined;
      }
    }, 20_000);
    if (up !== 'up') {
      child.kill('SIGKILL');
      await exited;
      if (attempt < 2 && /address already in use/.test(log)) continue;
      if (ownStorage) await rm(storageDir, { recursive: true, force: true });
      await rm(configFile, { force: true });
      throw new Error(`docker-registry did not come up on ${url} (${up ?? 'timeout'}):\n${log}`);
    }
    return {
      url,
      host: `127.0.0.1:${port}`,
      port,
      storageDir,
      configFile,
      process: child,
      logs: () => log,
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill('SIGTERM');
          const t = setTimeout(() => child.kill('SIGKILL'), 5000);
          await exited;
          clearTimeout(t);
        }
        await rm(configFile, { force: true });
        if (!ownStorage) await rm(dirname(configFile), { recursive: true, force: true });
        if (!opts.keepStorage && ownStorage) await rm(storageDir, { recursive: true, force: true });
      },
    };
  }
}

/** The HTTP status of a GET run by curl inside a network namespace (0 when it cannot connect). */
function httpStatusInNetns(netns: string, url: string): Promise<number> {
  return new Promise((resolveStatus) => {
    execFile('nsenter', [`--net=/run/netns/${netns}`, '--', 'curl', '-s', '-o', '/dev/null', '-m', '2', '-w', '%{http_code}', url], (_err, stdout) => resolveStatus(Number(stdout.trim()) || 0));
  });
}

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  return undefined;
}

/** Where the filesystem driver keeps a blob: `<storage>/docker/registry/v2/blobs/sha256/xx/<hex>/data`. */
export function blobPath(storageDir: string, digest: string): string {
  const hex = digest.replace(/^sha256:/, '');
  return join(storageDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
}

/** Every blob stored on disk, as `{digest, path, size}`. */
export async function listBlobFiles(storageDir: string): Promise<{ digest: string; path: string; size: number }[]> {
  const root = join(storageDir, 'docker/registry/v2/blobs/sha256');
  const out: { digest: string; path: string; size: number }[] = [];
  let prefixes: string[];
  try {
    prefixes = await readdir(root);
  } catch {
    return out;
  }
  for (const p of prefixes) {
    for (const hex of await readdir(join(root, p))) {
      const path = join(root, p, hex, 'data');
      try {
        out.push({ digest: `sha256:${hex}`, path, size: (await stat(path)).size });
      } catch {
        // directory without data (upload in progress): skip
      }
    }
  }
  return out;
}

/**
 * Corrupts a stored blob in place, keeping its length (flips bytes in the middle), so the registry
 * still serves it with the original size but the content no longer matches its digest.
 */
export async function corruptBlob(storageDir: string, digest: string): Promise<void> {
  const path = blobPath(storageDir, digest);
  const data = await readFile(path);
  if (data.length === 0) throw new Error(`blob ${digest} is empty`);
  const mid = Math.floor(data.length / 2);
  for (let i = mid; i < Math.min(data.length, mid + 16); i++) data[i] = (data[i] ?? 0) ^ 0xff;
  await writeFile(path, data);
}
