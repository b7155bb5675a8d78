/**
 * Debian's docker-compose (1.29) drives berthd unchanged (#15), inside the netns sandbox: a
 * three-service stack — a web server built from a Dockerfile and published on a port, a "database"
 * with a named volume and a healthcheck, a worker that waits for the database to be healthy — comes
 * up; the web answers from the outside namespace; services resolve each other by name and alias;
 * `down -v` removes containers, networks and volumes; `up` after a plain `down` keeps the data.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT } from '../harness/berthd';
import { composeOk, hasDockerCompose, runCompose, startComposeSandbox, type ComposeResult, type ComposeSandbox } from '../harness/compose';
import { SANDBOX_ADDR, type NetnsSandbox } from '../harness/netns-sandbox';

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

describe.skipIf(!IS_ROOT || !hasDockerCompose)('docker-compose against berthd (netns sandbox)', () => {
  let env: ComposeSandbox | undefined;
  let sb: NetnsSandbox;
  let image: string;
  let dir: string;

  const run = () => ({ cwd: dir, dockerHost: sb.berthd.dockerHost, project: 'stack' });
  const compose = (args: string[]): Promise<ComposeResult> => runCompose(run(), args);
  const ok = (args: string[]): Promise<string> => composeOk(run(), args);
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
    env = await startComposeSandbox({ dirPrefix: 'berth-compose-' });
    ({ sb, image, dir } = env);
    await mkdir(join(dir, 'web'));
    await writeFile(join(dir, 'web/Dockerfile'), `FROM ${image}\nCOPY index.html /www/index.html\nCMD ["httpd", "-f", "-p", "80", "-h", "/www"]\n`);
    await writeFile(join(dir, 'web/index.html'), 'hello from compose\n');
    await writeFile(join(dir, 'docker-compose.yml'), composeFile(image));
  }, 180_000);

  afterAll(async () => {
    await env?.cleanup();
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
    // As installed (the docker CLI beside it), compose runs a one-off with `docker start --attach`,
    // which attaches before the start. Without the CLI (COMPOSE_INTERACTIVE_NO_CLI) it attaches only
    // after the start and loses what the one-off printed before that, on dockerd too: that mode's
    // output depends on the machine's timing (compose-commands checks its exit codes).
    const oneOff = await runCompose({ ...run(), env: { COMPOSE_INTERACTIVE_NO_CLI: '' } }, ['run', '--rm', '-T', 'worker', 'echo', 'ran']);
    expect({ code: oneOff.code, stdout: oneOff.stdout }, oneOff.stderr).toEqual({ code: 0, stdout: 'ran\n' });
    expect((await sb.d(['ps', '-aq', '--filter', 'label=com.docker.compose.oneoff=True'])).stdout.trim()).toBe('');
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
