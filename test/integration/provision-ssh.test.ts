/**
 * Provisioning a host over SSH: a real sshd on a loopback port plays a remote Linux host that has
 * no berthd. The app's HostProvisioner uploads the bundle built by `npm run build`, installs it
 * into a fresh prefix, data root and socket (this machine has no systemd, so the installer's own
 * supervisor runs berthd), the app's services then run a container there over SSH; an upgrade to
 * a second bundle keeps that container running; uninstall leaves nothing behind.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT, REPO_ROOT, engineRequest } from '../harness/berthd';
import { busyboxImage, pushImage } from '../harness/fixtures';
import { startRegistry, type RegistryHandle } from '../harness/registry';
import { startSshd, type SshdHandle } from '../harness/sshd';
import { KnownHostsStore } from '../../src-main/connections/ssh/known-hosts';
import { SshConnection } from '../../src-main/connections/ssh/ssh-connection';
import { HostProvisioner, type InstallTarget } from '../../src-main/provisioning/provisioner';
import type { AppServices } from '../../src-main/services/app-services';
import { startServices, waitFor, waitForStatus } from './app-env';

const execFileP = promisify(execFile);
const VERSION = (JSON.parse(await readFile(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const NEXT = `${VERSION}-upgrade.1`;

describe.skipIf(!IS_ROOT)('provisioning a host over SSH: install, use, upgrade, uninstall', () => {
  let sshd: SshdHandle;
  let registry: RegistryHandle;
  let dir: string;
  let bundleDir: string;
  let conn: SshConnection;
  let target: InstallTarget;
  let app: { services: AppServices; cleanup: () => Promise<void> };
  let hostId: string;
  let containerId: string;
  let shimPid: number;

  const provisioner = (version: string): HostProvisioner =>
    new HostProvisioner(conn, { bundleDir, version, installerPath: join(REPO_ROOT, 'resources/berthd/install.sh') });

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-provision-'));
    bundleDir = join(dir, 'bundles');
    // The app's own bundle (npm run build makes it) and a second version to upgrade to.
    await execFileP(process.execPath, [join(REPO_ROOT, 'scripts/build-bundle.mjs'), '--arch', 'x64', '--out', bundleDir], { cwd: REPO_ROOT });
    await execFileP(process.execPath, [join(REPO_ROOT, 'scripts/build-bundle.mjs'), '--arch', 'x64', '--out', bundleDir, '--version', NEXT], { cwd: REPO_ROOT });
    registry = await startRegistry();
    await pushImage(registry.url, 'busybox', 'latest', await busyboxImage());
    sshd = await startSshd();
    const knownHosts = new KnownHostsStore({ ownFile: join(dir, 'known_hosts'), readFiles: [sshd.knownHostsPath] });
    target = { prefix: join(dir, 'host/opt/berth'), dataRoot: join(dir, 'host/var/lib/berth'), socket: join(dir, 'host/run/berthd.sock'), config: join(dir, 'host/etc/daemon.json'), noSystemd: true };
    conn = new SshConnection({ host: '127.0.0.1', port: sshd.port, user: 'root', keyPath: sshd.clientKeyPath, remoteSocket: target.socket!, knownHosts });
    await conn.connect();
  }, 180_000);

  afterAll(async () => {
    await app?.cleanup();
    // If a test failed half-way, take the installation down anyway.
    if (target?.prefix && existsSync(join(target.prefix, 'install.env'))) await execFileP('sh', [join(target.prefix, 'current/install.sh'), 'uninstall', '--prefix', target.prefix]).catch(() => undefined);
    conn?.close();
    await sshd?.stop();
    await registry?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('check reports the host: kernel, overlayfs, cgroups, Node, and that nothing is installed', async () => {
    const { facts, problems } = await provisioner(VERSION).check(target);
    expect(problems).toEqual([]);
    expect(facts.root).toBe(true);
    expect(facts.overlay).toBe(true);
    expect(['1', '2']).toContain(facts.cgroup);
    expect(facts.controllers).toEqual(expect.arrayContaining(['memory', 'pids']));
    expect(facts.node?.major).toBeGreaterThanOrEqual(20);
    expect(facts.installed).toBeUndefined();
  });

  it('install uploads and verifies the bundle, starts berthd under a supervisor, and /version answers', async () => {
    const steps: string[] = [];
    const r = await provisioner(VERSION).install(target, (s) => steps.push(s));
    expect(r.version).toBe(VERSION);
    expect(steps).toEqual(expect.arrayContaining([expect.stringMatching(/^uploading berthd-/), expect.stringMatching(/^starting berthd \(supervised\)/)]));
    expect(existsSync(target.socket!)).toBe(true);
    // The temp upload dir is gone from the host.
    expect((await readdir('/tmp')).filter((f) => f.startsWith('berth-provision.'))).toEqual([]);
    // Installing twice is refused, not silently redone.
    await expect(provisioner(VERSION).install(target)).rejects.toMatchObject({ code: 'ALREADY_INSTALLED' });
  }, 120_000);

  it("the app's services reach the new berthd over the same SSH host and run a container there", async () => {
    app = await startServices({ localSocket: '/nonexistent/berthd.sock', userKnownHosts: [sshd.knownHostsPath] });
    const host = await app.services.hosts.add({ name: 'provisioned', host: '127.0.0.1', port: sshd.port, user: 'root', keyPath: sshd.clientKeyPath, remoteSocket: target.socket! });
    hostId = host.id;
    await app.services.hosts.connect(hostId);
    const status = await waitForStatus(app.services, hostId, (s) => s.state === 'connected');
    expect(status.engine?.isBerth).toBe(true);
    expect(status.engine?.serverVersion).toContain(VERSION);
    const image = `${registry.host}/busybox:latest`;
    await app.services.images.pull(hostId, image, undefined, () => {}, new AbortController().signal);
    containerId = (await app.services.containers.run(hostId, { image, name: 'survivor', cmd: ['sleep', '1000'] })).id;
    const c = await waitFor('running', async () => (await app.services.containers.list(hostId)).find((x) => x.id === containerId && x.state === 'running'));
    expect(c.name).toBe('survivor');
    shimPid = Number((await execFileP('sh', ['-c', `pgrep -f "berth-shim.*${containerId}" | head -1`])).stdout.trim());
    expect(shimPid).toBeGreaterThan(0);
  }, 120_000);

  it('upgrade to another version restarts berthd only: the container keeps running, same processes', async () => {
    const r = await provisioner(NEXT).upgrade(target);
    expect(r).toEqual({ from: VERSION, to: NEXT });
    const v = JSON.parse((await engineRequest(target.socket!, 'GET', '/version')).body) as { Version: string };
    expect(v.Version).toBe(NEXT);
    const inspect = JSON.parse((await engineRequest(target.socket!, 'GET', `/containers/${containerId}/json`)).body) as { State: { Running: boolean; Pid: number } };
    expect(inspect.State.Running).toBe(true);
    expect(existsSync(`/proc/${shimPid}`)).toBe(true);
    // The old version's files are gone; only the new one is kept.
    expect(await readdir(join(target.prefix!, 'versions'))).toEqual([NEXT]);
    // Already current: nothing to do.
    expect(await provisioner(NEXT).upgrade(target)).toBeUndefined();
  }, 120_000);

  it('uninstall removes the containers, berthd, its supervisor, socket, data root and prefix', async () => {
    await app.cleanup();
    app = undefined as never;
    const supervisor = Number(await readFile(join(target.prefix!, 'supervisor.pid'), 'utf8'));
    await provisioner(NEXT).uninstall(target);
    expect(existsSync(target.prefix!)).toBe(false);
    expect(existsSync(target.dataRoot!)).toBe(false);
    expect(existsSync(target.socket!)).toBe(false);
    expect(existsSync(target.config!)).toBe(false);
    await waitFor('supervisor gone', () => !existsSync(`/proc/${supervisor}`), 20_000);
    await waitFor('container gone', () => !existsSync(`/proc/${shimPid}`), 20_000);
    // pgrep exits 1 when no process matches (it never matches itself).
    const left = await execFileP('pgrep', ['-f', target.prefix!]).then((r) => r.stdout.trim(), () => '');
    expect(left).toBe('');
  }, 120_000);
});
