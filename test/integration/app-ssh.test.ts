/**
 * Remote hosts over SSH: a real OpenSSH server on a loopback port (temp host key, authorised
 * client key) in front of a real berthd on the same machine; the app's SshConnection reaches the
 * berthd socket over `direct-streamlocal` channels of one long-lived session. Host keys: unknown
 * -> typed error with the fingerprint, accepted -> stored; changed -> refused. Link drops ->
 * reconnect with backoff.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IS_ROOT, startBerthd, type BerthdHandle } from '../harness/berthd';
import { busyboxImage, pushImage } from '../harness/fixtures';
import { startRegistry, type RegistryHandle } from '../harness/registry';
import { startSshAgent, startSshd, type SshdHandle } from '../harness/sshd';
import type { AppServices } from '../../src-main/services/app-services';
import { openTerminal, startServices, waitForStatus } from './app-env';

const execFileP = promisify(execFile);

async function fingerprintOfLine(line: string): Promise<string> {
  const { stdout } = await execFileP('sh', ['-c', `echo "${line}" | ssh-keygen -lf - -E sha256`]);
  return stdout.split(' ')[1] ?? '';
}

describe.skipIf(!IS_ROOT)('app: remote host over SSH (ssh2 stream-local)', () => {
  let registry: RegistryHandle;
  let berthd: BerthdHandle;
  let sshd: SshdHandle;
  let local: { services: AppServices; cleanup: () => Promise<void> };
  let app: { services: AppServices; stateDir: string; cleanup: () => Promise<void> };
  let hostId: string;
  let containerId: string;

  beforeAll(async () => {
    registry = await startRegistry();
    await pushImage(registry.url, 'busybox', 'latest', await busyboxImage());
    berthd = await startBerthd();
    sshd = await startSshd();
    local = await startServices({ localSocket: berthd.socket });
    await waitForStatus(local.services, 'local', (s) => s.state === 'connected');
    const image = `${registry.host}/busybox:latest`;
    await local.services.images.pull('local', image, undefined, () => {}, new AbortController().signal);
    containerId = (await local.services.containers.run('local', { image, name: 'remote-tty', tty: true, cmd: ['/bin/sh'] })).id;
    // The app under test: its local host points nowhere, the SSH host reaches berthd.
    app = await startServices({ localSocket: '/nonexistent/berthd.sock' });
  }, 120_000);

  afterAll(async () => {
    await app?.cleanup();
    if (containerId) await local?.services.containers.remove('local', containerId, true).catch(() => {});
    await local?.cleanup();
    await sshd?.stop();
    await berthd?.cleanup();
    await registry?.stop();
  });

  it('an unknown host key is not accepted silently: typed error with the SHA256 fingerprint', async () => {
    const host = await app.services.hosts.add({ name: 'remote', host: '127.0.0.1', port: sshd.port, user: 'root', keyPath: sshd.clientKeyPath, remoteSocket: berthd.socket });
    hostId = host.id;
    const status = await app.services.hosts.connect(hostId);
    expect(status.state).toBe('failed');
    expect(status.lastError?.code).toBe('HOST_KEY_UNKNOWN');
    expect(status.hostKey?.reason).toBe('unknown');
    expect(status.hostKey?.fingerprint).toBe(await fingerprintOfLine(sshd.knownHostsLine));
    await expect(app.services.containers.list(hostId)).rejects.toMatchObject({ kind: 'Unavailable', code: 'HOST_NOT_CONNECTED' });
    // A fingerprint the user did not see is refused.
    await expect(app.services.hosts.acceptHostKey(hostId, 'SHA256:AAAA')).rejects.toMatchObject({ code: 'HOST_KEY_MISMATCH' });
  }, 30_000);

  it('accepting the fingerprint stores it and connects; lists the containers of the berthd behind it', async () => {
    const fp = app.services.hosts.statuses().find((s) => s.hostId === hostId)?.hostKey?.fingerprint ?? '';
    const status = await app.services.hosts.acceptHostKey(hostId, fp);
    expect(status.state, JSON.stringify(status)).toBe('connected');
    expect(status.engine?.isBerth).toBe(true);
    const stored = await readFile(`${app.stateDir}/known_hosts`, 'utf8');
    expect(stored).toContain(sshd.hostKeyPublic);
    expect(stored.startsWith(`[127.0.0.1]:${sshd.port} `)).toBe(true);
    const remote = await app.services.containers.list(hostId);
    expect(remote.map((c) => c.id)).toContain(containerId);
    const persisted = JSON.parse(await readFile(`${app.stateDir}/hosts.json`, 'utf8')) as { hosts: { id: string; passphrase?: string }[] };
    expect(persisted.hosts.map((h) => h.id)).toEqual([hostId]);
  }, 30_000);

  it('opens a terminal through the SSH connection', async () => {
    const t = await openTerminal(app.services, { hostId, containerId });
    try {
      await t.waitStatus('attached');
      t.write('echo over-s""sh\r');
      await t.waitOutput(/over-ssh\r?\n/);
    } finally {
      t.close();
    }
  }, 30_000);

  it("opens a remote host's published port on the desktop through an SSH tunnel the app keeps", async () => {
    // A server on the remote host's loopback (sshd's host is this machine) plays a published port.
    const server = createServer((req, res) => res.end(`remote page ${req.url ?? ''}`));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as AddressInfo).port;
    try {
      const t = await app.services.portTunnels.open(hostId, port);
      expect(t.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(t.url).not.toBe(`http://127.0.0.1:${port}/`);
      expect(await (await fetch(`${t.url}a`)).text()).toBe('remote page /a');
      // The tunnel is kept: opening the port again gives the same address, and it keeps answering.
      expect((await app.services.portTunnels.open(hostId, port)).url).toBe(t.url);
      expect(await (await fetch(`${t.url}b`)).text()).toBe('remote page /b');
      // The local engine's ports need no tunnel.
      expect((await app.services.portTunnels.open('local', port)).url).toBe(`http://127.0.0.1:${port}/`);
      app.services.portTunnels.closeAll(hostId);
      await expect(fetch(t.url)).rejects.toThrow();
    } finally {
      server.close();
    }
  }, 30_000);

  it('reconnects with backoff when the link drops', async () => {
    const states: string[] = [];
    const off = app.services.hosts.onStatus((s) => {
      if (s.hostId === hostId) states.push(s.state);
    });
    // Kill sshd's per-connection children: the TCP link dies, the listener stays.
    const { stdout } = await execFileP('pgrep', ['-P', String(sshd.process.pid)]).catch(() => ({ stdout: '' }));
    const children = stdout.split('\n').filter(Boolean).map(Number);
    expect(children.length).toBeGreaterThan(0);
    for (const pid of children) process.kill(pid, 'SIGKILL');
    await waitForStatus(app.services, hostId, (s) => s.state === 'reconnecting');
    await waitForStatus(app.services, hostId, (s) => s.state === 'connected', 30_000);
    off();
    expect(states).toContain('reconnecting');
    expect((await app.services.containers.list(hostId)).map((c) => c.id)).toContain(containerId);
  }, 60_000);

  it('a changed host key is refused and cannot be accepted', async () => {
    const other = await startServices({ localSocket: '/nonexistent/berthd.sock', userKnownHosts: [sshd.wrongKnownHostsPath] });
    try {
      const h = await other.services.hosts.add({ name: 'mitm', host: '127.0.0.1', port: sshd.port, user: 'root', keyPath: sshd.clientKeyPath, remoteSocket: berthd.socket });
      const status = await other.services.hosts.connect(h.id);
      expect(status.state).toBe('failed');
      expect(status.lastError, JSON.stringify(status)).toMatchObject({ kind: 'Forbidden', code: 'HOST_KEY_CHANGED' });
      expect(status.hostKey?.reason).toBe('changed');
      expect(status.hostKey?.knownFingerprint).toBe(await fingerprintOfLine(sshd.wrongKnownHostsLine));
      await expect(other.services.hosts.acceptHostKey(h.id, status.hostKey?.fingerprint ?? '')).rejects.toMatchObject({ kind: 'Forbidden' });
      await expect(readFile(`${other.stateDir}/known_hosts`, 'utf8')).rejects.toThrow();
    } finally {
      await other.cleanup();
    }
  }, 30_000);

  it('an encrypted key asks for its passphrase; the agent works too', async () => {
    const other = await startServices({ localSocket: '/nonexistent/berthd.sock', userKnownHosts: [sshd.knownHostsPath] });
    const agent = await startSshAgent([sshd.clientKeyPath]);
    try {
      const h = await other.services.hosts.add({ name: 'enc', host: '127.0.0.1', port: sshd.port, user: 'root', keyPath: sshd.clientKeyEncryptedPath, useAgent: false, remoteSocket: berthd.socket });
      const first = await other.services.hosts.connect(h.id);
      expect(first.lastError?.code).toBe('PASSPHRASE_REQUIRED');
      const wrong = await other.services.hosts.connect(h.id, 'wrong');
      expect(wrong.lastError?.code).toBe('PASSPHRASE_INVALID');
      const ok = await other.services.hosts.connect(h.id, sshd.passphrase);
      expect(ok.state).toBe('connected');
      // Not saved unless asked.
      expect(await readFile(`${other.stateDir}/hosts.json`, 'utf8')).not.toContain(sshd.passphrase);
      other.services.close();
      const withAgent = await startServices({ localSocket: '/nonexistent/berthd.sock', userKnownHosts: [sshd.knownHostsPath], agentSocket: agent.socket });
      try {
        const a = await withAgent.services.hosts.add({ name: 'agent', host: '127.0.0.1', port: sshd.port, user: 'root', useAgent: true, remoteSocket: berthd.socket });
        const st = await withAgent.services.hosts.connect(a.id);
        expect(st.state).toBe('connected');
      } finally {
        await withAgent.cleanup();
      }
    } finally {
      await agent.stop();
      await other.cleanup();
    }
  }, 60_000);
});
