/**
 * "Run a compose file" on a remote host (#15): the compose file and its build folder are on this
 * machine; docker-compose reaches the host's berthd through the local socket the app forwards over
 * its own SSH connection (a real sshd on loopback), so the client needs no SSH setup. The stack
 * comes up on the remote engine, with the image built from the local folder.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ComposeUpProgressView } from '../../src-shared/ipc/models/compose';
import type { AppServices } from '../../src-main/services/app-services';
import { docker } from '../harness/docker-cli';
import { IS_ROOT, startBerthd, type BerthdHandle } from '../harness/berthd';
import { busyboxImage, pushImage } from '../harness/fixtures';
import { startRegistry, type RegistryHandle } from '../harness/registry';
import { startSshd, type SshdHandle } from '../harness/sshd';
import { startServices, waitForStatus } from './app-env';

const hasCompose = await new Promise<boolean>((res) => {
  const c = spawn('docker-compose', ['version', '--short'], { stdio: 'ignore' });
  c.on('error', () => res(false));
  c.on('close', (code) => res(code === 0));
});

describe.skipIf(!IS_ROOT || !hasCompose)('ComposeService on an SSH host (through the forwarded socket)', () => {
  let registry: RegistryHandle;
  let berthd: BerthdHandle;
  let sshd: SshdHandle;
  let dir: string;
  let app: { services: AppServices; cleanup: () => Promise<void> };
  let hostId: string;

  beforeAll(async () => {
    registry = await startRegistry();
    await pushImage(registry.url, 'busybox', 'latest', await busyboxImage());
    berthd = await startBerthd();
    sshd = await startSshd();
    dir = await mkdtemp(join(tmpdir(), 'berth-compose-ssh-'));
    // No local engine: everything must go to the SSH host.
    app = await startServices({ localSocket: '/nonexistent/berthd.sock', userKnownHosts: [sshd.knownHostsPath], dockerConfigDir: join(dir, 'docker-config') });
    hostId = (await app.services.hosts.add({ name: 'remote', host: '127.0.0.1', port: sshd.port, user: 'root', keyPath: sshd.clientKeyPath, remoteSocket: berthd.socket })).id;
    await app.services.hosts.connect(hostId);
    await waitForStatus(app.services, hostId, (s) => s.state === 'connected');
  }, 120_000);

  afterAll(async () => {
    await app?.cleanup();
    await sshd?.stop();
    await berthd?.cleanup();
    await registry?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('builds from the local folder and starts the stack on the remote berthd', async () => {
    const project = join(dir, 'remote-app');
    await mkdir(join(project, 'api'), { recursive: true });
    await writeFile(join(project, 'api/Dockerfile'), `FROM ${registry.host}/busybox:latest\nCOPY marker /marker\n`);
    await writeFile(join(project, 'api/marker'), 'from the desktop\n');
    await writeFile(join(project, 'compose.yaml'), `services:\n  api:\n    build: ./api\n    network_mode: none\n    command: ["sleep", "3600"]\n`);
    const events: ComposeUpProgressView[] = [];
    const done = await app.services.compose.up({ hostId, file: join(project, 'compose.yaml'), project: 'remote' }, (e) => events.push(e), new AbortController().signal);
    expect(done.services).toEqual([{ service: 'api', state: 'started', container: 'remote_api_1' }]);
    expect(events.some((e) => e.services[0]?.state === 'building')).toBe(true);
    // On the remote engine, with the file from the desktop's build folder inside.
    const cat = await docker(berthd.dockerHost, ['exec', 'remote_api_1', 'cat', '/marker']);
    expect(cat.stdout).toBe('from the desktop\n');
  });

  it('a disconnected host is refused before the client runs', async () => {
    await app.services.hosts.disconnect(hostId);
    const err = await app.services.compose.up({ hostId, file: join(dir, 'remote-app', 'compose.yaml'), project: 'remote' }, () => undefined, new AbortController().signal).catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'Unavailable', code: 'HOST_NOT_CONNECTED' });
  });
});
