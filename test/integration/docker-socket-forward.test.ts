/**
 * The app serves a local docker socket (and a docker context) that forwards to a host's berthd
 * through the app's own SSH connection: the stock docker CLI on the desktop then drives the
 * remote engine, including hijacked streams (stdin, attach) and their half-close.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT, startBerthd, type BerthdHandle } from '../harness/berthd';
import { busyboxImage, pushImage } from '../harness/fixtures';
import { startRegistry, type RegistryHandle } from '../harness/registry';
import { startSshd, type SshdHandle } from '../harness/sshd';
import type { AppServices } from '../../src-main/services/app-services';
import { startServices, waitForStatus } from './app-env';

const execFileP = promisify(execFile);

describe.skipIf(!IS_ROOT)('a local docker socket and context forwarded to an SSH host', () => {
  let registry: RegistryHandle;
  let berthd: BerthdHandle;
  let sshd: SshdHandle;
  let dockerConfig: string;
  let app: { services: AppServices; cleanup: () => Promise<void> };
  let hostId: string;
  let image: string;

  const cli = (args: string[], input?: string) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = execFile('docker', ['--context', 'berth-remote', ...args], { env: { ...process.env, DOCKER_CONFIG: dockerConfig, DOCKER_HOST: '' } }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
      if (input !== undefined) child.stdin?.end(input);
    });

  beforeAll(async () => {
    registry = await startRegistry();
    await pushImage(registry.url, 'busybox', 'latest', await busyboxImage());
    image = `${registry.host}/busybox:latest`;
    berthd = await startBerthd();
    sshd = await startSshd();
    dockerConfig = await mkdtemp(join(tmpdir(), 'berth-docker-config-'));
    app = await startServices({ localSocket: '/nonexistent/berthd.sock', userKnownHosts: [sshd.knownHostsPath], dockerConfigDir: dockerConfig });
    hostId = (await app.services.hosts.add({ name: 'remote', host: '127.0.0.1', port: sshd.port, user: 'root', keyPath: sshd.clientKeyPath, remoteSocket: berthd.socket })).id;
    await app.services.hosts.connect(hostId);
    await waitForStatus(app.services, hostId, (s) => s.state === 'connected');
  }, 120_000);

  afterAll(async () => {
    await app?.cleanup();
    await sshd?.stop();
    await berthd?.cleanup();
    await registry?.stop();
    if (dockerConfig) await rm(dockerConfig, { recursive: true, force: true });
  });

  it('exposes the host as a docker context; pull, run and stdin through it reach the remote berthd', async () => {
    const exposed = await app.services.dockerSockets.expose(hostId, 'berth-remote');
    expect(existsSync(exposed.socket)).toBe(true);
    const ls = (await execFileP('docker', ['context', 'ls', '--format', '{{.Name}} {{.DockerEndpoint}}'], { env: { ...process.env, DOCKER_CONFIG: dockerConfig } })).stdout;
    expect(ls).toContain(`berth-remote unix://${exposed.socket}`);
    expect((await cli(['pull', '-q', image])).code).toBe(0);
    const run = await cli(['run', '--rm', '--name', 'via-forward', image, 'hostname']);
    expect(run.code, run.stderr).toBe(0);
    // The container ran on the remote berthd: its own API lists the image pulled through the socket.
    expect((await execFileP('docker', ['-H', berthd.dockerHost, 'images', '--format', '{{.Repository}}'])).stdout).toContain(`${registry.host}/busybox`);
    // A hijacked attach with stdin, ended by a half-close, comes back whole.
    const cat = await cli(['run', '--rm', '-i', image, 'sh', '-c', 'cat; echo done'], 'hello over ssh\n');
    expect(cat.stdout).toBe('hello over ssh\ndone\n');
    const failing = await cli(['run', '--rm', image, 'sh', '-c', 'exit 3']);
    expect(failing.code).toBe(3);
  }, 120_000);

  it('unexpose removes the socket and the context', async () => {
    const [exposed] = app.services.dockerSockets.list();
    await app.services.dockerSockets.unexpose(hostId);
    expect(existsSync(exposed!.socket)).toBe(false);
    const ls = (await execFileP('docker', ['context', 'ls', '--format', '{{.Name}}'], { env: { ...process.env, DOCKER_CONFIG: dockerConfig } })).stdout;
    expect(ls).not.toContain('berth-remote');
  });
});
