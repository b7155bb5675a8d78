/**
 * Debian's docker-compose (1.29) drives berthd unchanged (#15), inside the netns sandbox: a
 * three-service stack — a web server built from a Dockerfile and published on a port, a "database"
 * with a named volume and a healthcheck, a worker that waits for the database to be healthy — comes
 * up; the web answers from the outside namespace; services resolve each other by name and alias;
 * `down -v` removes containers, networks and volumes; `up` after a plain `down` keeps the data.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT } from '../harness/berthd';
import { busyboxImage, pushImage } from '../harness/fixtures';
import { SANDBOX_ADDR, startNetnsSandbox, type NetnsSandbox } from '../harness/netns-sandbox';
import { startRegistry, type RegistryHandle } from '../harness/registry';

const hasCompose = await new Promise<boolean>((res) => {
  const c = spawn('docker-compose', ['version', '--short'], { stdio: 'ignore' });
  c.on('error', () => res(false));
  c.on('close', (code) => res(code === 0));
});

const composeFile = (image: string) => `version: "2.4"
services:
  web:
    build: ./web
    ports: ["8080:80"]
    networks: [front, back]
  db:
    image: ${image}
    command: ["sh", "-c", "mkdir -p /data && echo stored >> /data/rows && touch /tmp/ready && exec sleep 3600"]
    volumes: ["dbdata:/data"]
    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ready"]
      interval: 1s
      retries: 30
    networks:
      back:
        aliases: [database]
  worker:
    image: ${image}
    command: ["sh", "-c", "exec sleep 3600"]
    depends_on:
      db:
        condition: service_healthy
    networks: [back]
volumes:
  dbdata: {}
networks:
  front: {}
  back: {}
`;

describe.skipIf(!IS_ROOT || !hasCompose)('docker-compose against berthd (netns sandbox)', () => {
  let seed: RegistryHandle;
  let sb: NetnsSandbox;
  let image: string;
  let dir: string;

  const compose = (args: string[], timeoutMs = 180_000): Promise<{ code: number; stdout: string; stderr: string }> =>
    new Promise((resolve, reject) => {
      const child = spawn('docker-compose', ['-p', 'stack', ...args], { cwd: dir, env: { ...process.env, DOCKER_HOST: sb.berthd.dockerHost, COMPOSE_INTERACTIVE_NO_CLI: '1' } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const t = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`docker-compose ${args.join(' ')} timed out\n${stdout}\n${stderr}`));
      }, timeoutMs);
      child.on('close', (code) => {
        clearTimeout(t);
        resolve({ code: code ?? 1, stdout, stderr });
      });
    });
  const ok = async (args: string[]): Promise<string> => {
    const r = await compose(args);
    if (r.code !== 0) throw new Error(`docker-compose ${args.join(' ')} failed (${r.code}):\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };
  const fetchOutside = async (url: string): Promise<string> => {
    let last = '';
    for (let i = 0; i < 50; i++) {
      const r = await sb.exec('outside', ['curl', '-s', '--max-time', '3', url]);
      if (r.code === 0 && r.stdout !== '') return r.stdout;
      last = `${r.code} ${r.stderr}`;
      await new Promise((res) => setTimeout(res, 200));
    }
    throw new Error(`GET ${url}: ${last}`);
  };

  beforeAll(async () => {
    seed = await startRegistry();
    await pushImage(seed.url, 'busybox', 'latest', await busyboxImage());
    sb = await startNetnsSandbox({ registryStorage: seed.storageDir });
    image = `${sb.registry.host}/busybox:latest`;
    dir = await mkdtemp(join(tmpdir(), 'berth-compose-'));
    await mkdir(join(dir, 'web'));
    await writeFile(join(dir, 'web/Dockerfile'), `FROM ${image}\nCOPY index.html /www/index.html\nCMD ["httpd", "-f", "-p", "80", "-h", "/www"]\n`);
    await writeFile(join(dir, 'web/index.html'), 'hello from compose\n');
    await writeFile(join(dir, 'docker-compose.yml'), composeFile(image));
  }, 180_000);

  afterAll(async () => {
    await sb?.cleanup();
    await seed?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('up -d builds, waits for the healthy database, publishes the web port and names the services', async () => {
    await ok(['up', '-d']);
    const ps = await ok(['ps']);
    for (const s of ['stack_web_1', 'stack_db_1', 'stack_worker_1']) expect(ps).toContain(s);
    expect(await sb.d(['inspect', '-f', '{{.State.Health.Status}}', 'stack_db_1']).then((r) => r.stdout.trim())).toBe('healthy');
    expect(await fetchOutside(`http://${SANDBOX_ADDR}:8080/`)).toBe('hello from compose\n');
    // Service names and aliases resolve on the shared network.
    const seen = await compose(['exec', '-T', 'worker', 'nslookup', 'database']);
    expect(seen.stdout).toMatch(/Address(?: 1)?:\s*\d+\.\d+\.\d+\.\d+/);
    expect((await compose(['exec', '-T', 'web', 'ping', '-c', '1', '-W', '3', 'db'])).code).toBe(0);
    // The worker is not on the front network: it cannot see the web service by name there only... but both share back.
    expect((await compose(['exec', '-T', 'worker', 'ping', '-c', '1', '-W', '3', 'web'])).code).toBe(0);
    const labels = JSON.parse((await sb.d(['inspect', '-f', '{{json .Config.Labels}}', 'stack_db_1'])).stdout) as Record<string, string>;
    expect(labels['com.docker.compose.project']).toBe('stack');
    expect(labels['com.docker.compose.service']).toBe('db');
  });

  it('stop, start, logs, top and run --rm work', async () => {
    await ok(['stop', 'worker']);
    expect((await sb.d(['inspect', '-f', '{{.State.Running}}', 'stack_worker_1'])).stdout.trim()).toBe('false');
    await ok(['start', 'worker']);
    expect((await sb.d(['inspect', '-f', '{{.State.Running}}', 'stack_worker_1'])).stdout.trim()).toBe('true');
    expect(await ok(['top', 'db'])).toContain('sleep');
    expect(await ok(['run', '--rm', '-T', 'worker', 'echo', 'ran'])).toContain('ran');
    await ok(['logs', '--no-color', 'db']);
  });

  it('down keeps the named volume, up brings the data back; down -v removes containers, networks and volumes', async () => {
    await ok(['down']);
    expect((await sb.d(['ps', '-aq', '--filter', 'label=com.docker.compose.project=stack'])).stdout.trim()).toBe('');
    expect((await sb.d(['volume', 'ls', '-q'])).stdout).toContain('stack_dbdata');
    await ok(['up', '-d']);
    expect((await compose(['exec', '-T', 'db', 'cat', '/data/rows'])).stdout).toBe('stored\nstored\n');
    await ok(['down', '-v']);
    expect((await sb.d(['ps', '-aq'])).stdout.trim()).toBe('');
    expect((await sb.d(['volume', 'ls', '-q'])).stdout).not.toContain('stack_dbdata');
    const nets = (await sb.d(['network', 'ls', '--format', '{{.Name}}'])).stdout;
    expect(nets).not.toContain('stack_front');
    expect(nets).not.toContain('stack_back');
  });
});
