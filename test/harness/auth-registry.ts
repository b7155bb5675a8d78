/**
 * A docker-registry on loopback that requires credentials (htpasswd, Basic challenge). Plain HTTP
 * is enough: distribution's htpasswd controller does not insist on TLS (checked with
 * docker-registry 2.8.2), and dockerd/berthd talk HTTP to 127.0.0.0/8.
 *
 * The registry accepts only bcrypt entries; instead of needing `htpasswd` (apache2-utils) at test
 * time, the entry below is a fixed bcrypt hash (cost 5) of TEST_REGISTRY_PASSWORD.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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

export async function startAuthRegistry(): Promise<AuthRegistryHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-auth-registry-'));
  const storageDir = join(dir, 'storage');
  const htpasswd = join(dir, 'htpasswd');
  await writeFile(htpasswd, `${TEST_REGISTRY_USER}:${TEST_REGISTRY_BCRYPT}\n`);
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
      '  htpasswd:',
      '    realm: berth-test',
      `    path: ${JSON.stringify(htpasswd)}`,
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
    if (child.exitCode !== null) throw new Error(`auth registry exited:\n${log}`);
    const status = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(2000) }).then(
      async (r) => (await r.arrayBuffer(), r.status),
      () => 0,
    );
    if (status === 401) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
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
      await rm(dir, { recursive: true, force: true });
    },
  };
}
