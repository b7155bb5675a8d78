/**
 * A Berth machine end to end: `init` + `start` boot the guest image under qemu (TCG here: no
 * usable KVM on these machines), the app installs berthd in it over the forwarded SSH port, the
 * stock docker CLI drives it through the app's local socket and docker context, a folder shared
 * from the desktop is visible to a container through `-v`, a port published in the guest answers
 * on the desktop's loopback, and stop/rm leave no process or file behind.
 *
 * The guest's network is qemu's user-mode network with restrict=on: it reaches nothing; the only
 * way in is the forwards bound to 127.0.0.1.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../harness/berthd';
import { busyboxRootfsEntries, makeTar } from '../harness/fixtures';
import { vmUnavailableReason } from '../harness/vm-guest';
import { KnownHostsStore } from '../../src-main/connections/ssh/known-hosts';
import { buildGuestImage } from '../../src-main/machines/guest-image';
import { packGuestImage } from '../../src-main/machines/guest-image-archive';
import { MachineManager, type MachineView } from '../../src-main/machines/machine-manager';
import type { AppServices } from '../../src-main/services/app-services';
import { startServices, waitForStatus } from '../integration/app-env';

const execFileP = promisify(execFile);
const reason = vmUnavailableReason();
const VERSION = (JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/** A zombie has released everything; only its reaping by init is left. */
function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

function httpGet(port: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe.skipIf(reason !== undefined)('Berth machine: a local VM that runs berthd', () => {
  let state: string;
  let home: string;
  let dockerConfig: string;
  let imageDir: string;
  let manager: MachineManager;
  let app: { services: AppServices; cleanup: () => Promise<void> };
  let machine: MachineView & { bootSeconds: number };
  let hostId: string;
  const steps: string[] = [];

  const docker = (args: string[], input?: Buffer) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = execFile('docker', ['--context', 'berth-test-machine', ...args], { env: { ...process.env, DOCKER_CONFIG: dockerConfig, DOCKER_HOST: '' }, timeout: 240_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
      if (input !== undefined) child.stdin?.end(input);
    });

  beforeAll(async () => {
    state = await mkdtemp(join(tmpdir(), 'berth-machine-state-'));
    home = await mkdtemp(join(tmpdir(), 'berth-machine-home-'));
    dockerConfig = await mkdtemp(join(tmpdir(), 'berth-machine-docker-'));
    await mkdir(join(home, 'project'));
    await writeFile(join(home, 'project/hello.txt'), 'hello from the desktop\n');
    await mkdir(join(home, 'www'));
    await writeFile(join(home, 'www/index.html'), '<h1>served from the machine</h1>\n');
    app = await startServices({ localSocket: '/nonexistent/berthd.sock', stateDir: state, dockerConfigDir: dockerConfig });
    // The machine boots from the release artefact (what macOS and Windows desktops get), built here
    // from this desktop's packages and packed, so both the builder and the archive are exercised.
    const built = await buildGuestImage({ node: process.execPath, cacheDir: join(state, 'image-build') });
    imageDir = await mkdtemp(join(tmpdir(), 'berth-machine-image-'));
    const { file: imageArchive } = await packGuestImage(built, imageDir, VERSION);
    manager = new MachineManager({
      guestImageArchive: imageArchive,
      stateDir: state,
      knownHosts: new KnownHostsStore({ ownFile: join(state, 'known_hosts'), readFiles: [] }),
      guestNode: process.execPath,
      bundleDir: join(REPO_ROOT, 'out/bundle'),
      version: VERSION,
      installerPath: join(REPO_ROOT, 'resources/berthd/install.sh'),
    });
  }, 60_000);

  afterAll(async () => {
    await app?.cleanup().catch(() => undefined);
    for (const m of (await manager?.list().catch(() => [])) ?? []) await manager.remove(m.name).catch(() => undefined);
    for (const d of [home, dockerConfig, imageDir]) if (d) await rm(d, { recursive: true, force: true });
  });

  it('init then start boots the guest on cgroup v2 and installs berthd over SSH', async () => {
    const created = await manager.init({ name: 'test-machine', cpus: 2, memoryMiB: 2048, diskGiB: 4, shareHome: home });
    expect(created.state).toBe('stopped');
    expect(created.accelerator).toBe('tcg');
    expect(created.acceleratorLabel).toMatch(/slow/);
    machine = await manager.start('test-machine', (s) => steps.push(s));
    console.log(`[vm] machine booted and provisioned in ${machine.bootSeconds.toFixed(1)} s (TCG): ${steps.join(' | ')}`);
    expect(machine.state).toBe('running');
    expect(steps).toEqual(expect.arrayContaining([expect.stringMatching(/^booting with TCG/), `installing berthd ${VERSION}`]));
  }, 600_000);

  it("the app connects to the machine's berthd over the forwarded SSH port (host key known from init)", async () => {
    hostId = (await app.services.hosts.add({ name: 'machine', host: '127.0.0.1', port: machine.sshPort, user: 'root', keyPath: machine.ssh.keyPath, remoteSocket: machine.remoteSocket })).id;
    await app.services.hosts.connect(hostId);
    const status = await waitForStatus(app.services, hostId, (s) => s.state === 'connected', 120_000);
    expect(status.engine?.isBerth).toBe(true);
  }, 180_000);

  it('docker run through the local socket; the shared home folder is visible through -v', async () => {
    await app.services.dockerSockets.expose(hostId, 'berth-test-machine');
    const imported = await docker(['import', '-', 'busybox'], await makeTar(busyboxRootfsEntries()));
    expect(imported.code, imported.stderr).toBe(0);
    // The machine's kernel is cgroup v2 (cgroup.controllers exists only there).
    const v2 = await docker(['run', '--rm', 'busybox', 'cat', '/sys/fs/cgroup/cgroup.controllers']);
    expect(v2.stdout).toMatch(/\bmemory\b/);
    const cat = await docker(['run', '--rm', '-v', `${home}/project:/src`, 'busybox', 'cat', '/src/hello.txt']);
    expect(cat.stderr).toBe('');
    expect(cat.stdout).toBe('hello from the desktop\n');
    // Writes go back to the desktop's folder.
    expect((await docker(['run', '--rm', '-v', `${home}/project:/src`, 'busybox', 'sh', '-c', 'echo from-guest > /src/back.txt'])).code).toBe(0);
    expect(await readFile(join(home, 'project/back.txt'), 'utf8')).toBe('from-guest\n');
  }, 300_000);

  it("a port published in the machine answers on the desktop's loopback once forwarded", async () => {
    const port = 18000 + Math.floor(Math.random() * 1000);
    // Published in the guest (-p, its default bridge and DNAT), then forwarded to the desktop.
    const run = await docker(['run', '-d', '--name', 'web', '-p', `${port}:80`, '-v', `${home}/www:/www`, 'busybox', 'httpd', '-f', '-p', '80', '-h', '/www']);
    expect(run.code, run.stderr).toBe(0);
    // The guest has IPv6 as well: the port is also on [::], as dockerd publishes it.
    const published = (await docker(['port', 'web', '80/tcp'])).stdout.trim().split('\n');
    expect(published[0]).toBe(`0.0.0.0:${port}`);
    expect(await manager.syncForwards('test-machine', [port])).toEqual([port]);
    const deadline = Date.now() + 60_000;
    let got: { status: number; body: string } | undefined;
    while (Date.now() < deadline) {
      got = await httpGet(port).catch(() => undefined);
      if (got?.status === 200) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(got?.body).toBe('<h1>served from the machine</h1>\n');
    expect((await manager.view('test-machine')).forwardedPorts).toEqual([port]);
    await manager.syncForwards('test-machine', []);
    await expect(httpGet(port)).rejects.toThrow();
  }, 300_000);

  it('stop ends qemu and virtiofsd; rm leaves no file behind', async () => {
    await app.services.dockerSockets.unexpose(hostId);
    const dir = join(state, 'machines/test-machine');
    const pid = Number(await readFile(join(dir, 'qemu.pid'), 'utf8'));
    const vfsPid = Number(await readFile(join(dir, 'virtiofsd.pid'), 'utf8'));
    await manager.stop('test-machine');
    expect(alive(pid)).toBe(false);
    expect(alive(vfsPid)).toBe(false);
    expect((await manager.view('test-machine')).state).toBe('stopped');
    await manager.remove('test-machine');
    expect(existsSync(dir)).toBe(false);
    const left = await execFileP('pgrep', ['-f', 'berth-test-machine']).then((r) => r.stdout.trim(), () => '');
    expect(left).toBe('');
  }, 120_000);
});
