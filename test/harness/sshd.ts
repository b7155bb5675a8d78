/**
 * A real OpenSSH server on a random loopback port, with a throwaway host key and throwaway client
 * keys (one plain, one passphrase-protected), for the remote-host (ssh2 stream-local tunnel) tests.
 *
 * The server logs in as root with public keys only and allows stream-local (unix socket)
 * forwarding, which is how the app reaches a remote berthd socket. Everything lives in one temp
 * dir removed by `stop()`. `startSshAgent()` gives an ssh-agent holding the plain client key.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './registry';

const execFileP = promisify(execFile);

export const SSHD_BIN = '/usr/sbin/sshd';

export interface SshdHandle {
  port: number;
  host: '127.0.0.1';
  user: 'root';
  dir: string;
  /** `ssh-ed25519 AAAA…` (no host name). */
  hostKeyPublic: string;
  /** `[127.0.0.1]:PORT ssh-ed25519 AAAA…`, one known_hosts line. */
  knownHostsLine: string;
  /** A known_hosts file holding `knownHostsLine`. */
  knownHostsPath: string;
  /** A known_hosts file for the same host/port with a DIFFERENT key (host-key mismatch tests). */
  wrongKnownHostsPath: string;
  wrongKnownHostsLine: string;
  clientKeyPath: string;
  clientKeyEncryptedPath: string;
  passphrase: string;
  /** A key that is NOT authorized (auth-failure tests). */
  unauthorizedKeyPath: string;
  process: ChildProcess;
  logs: () => string;
  stop: () => Promise<void>;
}

async function keygen(path: string, passphrase = '', comment = 'berth-test'): Promise<string> {
  await execFileP('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', comment, '-f', path]);
  return (await readFile(`${path}.pub`, 'utf8')).trim();
}

export async function startSshd(): Promise<SshdHandle> {
  // sshd refuses to start without its privilege-separation directory.
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = await mkdtemp(join(tmpdir(), 'berth-sshd-'));
  const passphrase = 'berth-test-passphrase';
  const hostKey = join(dir, 'ssh_host_ed25519_key');
  const clientKeyPath = join(dir, 'client_ed25519');
  const clientKeyEncryptedPath = join(dir, 'client_ed25519_enc');
  const unauthorizedKeyPath = join(dir, 'unauthorized_ed25519');
  const wrongHostKey = join(dir, 'wrong_host_ed25519_key');
  const [hostPub, clientPub, clientEncPub, , wrongHostPub] = await Promise.all([
    keygen(hostKey, '', 'berth-test-host'),
    keygen(clientKeyPath),
    keygen(clientKeyEncryptedPath, passphrase),
    keygen(unauthorizedKeyPath),
    keygen(wrongHostKey, '', 'berth-test-wrong-host'),
  ]);
  const authorizedKeys = join(dir, 'authorized_keys');
  await writeFile(authorizedKeys, `${clientPub}\n${clientEncPub}\n`, { mode: 0o600 });
  const hostKeyPublic = hostPub.split(' ').slice(0, 2).join(' ');
  const wrongKeyPublic = wrongHostPub.split(' ').slice(0, 2).join(' ');

  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const knownHostsLine = `[127.0.0.1]:${port} ${hostKeyPublic}`;
    const wrongKnownHostsLine = `[127.0.0.1]:${port} ${wrongKeyPublic}`;
    const knownHostsPath = join(dir, 'known_hosts');
    const wrongKnownHostsPath = join(dir, 'known_hosts_wrong');
    await writeFile(knownHostsPath, knownHostsLine + '\n');
    await writeFile(wrongKnownHostsPath, wrongKnownHostsLine + '\n');
    const configFile = join(dir, 'sshd_config');
    await writeFile(
      configFile,
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${hostKey}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${authorizedKeys}`,
        'PermitRootLogin prohibit-password',
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'StrictModes no',
        'AllowStreamLocalForwarding yes',
        'AllowTcpForwarding yes',
        'StreamLocalBindUnlink yes',
        'X11Forwarding no',
        'PrintMotd no',
        'UseDNS no',
        'MaxStartups 100',
        'LogLevel VERBOSE',
        'Subsystem sftp internal-sftp',
        '',
      ].join('\n'),
    );
    const child = spawn(SSHD_BIN, ['-D', '-e', '-f', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise<void>((res) => child.once('exit', () => res()));
    const ok = await waitForBanner(port, child, 10_000);
    if (!ok) {
      child.kill('SIGKILL');
      await exited;
      if (attempt < 2 && /Address already in use/i.test(log)) continue;
      await rm(dir, { recursive: true, force: true });
      throw new Error(`sshd did not come up on 127.0.0.1:${port}:\n${log}`);
    }
    return {
      port,
      host: '127.0.0.1',
      user: 'root',
      dir,
      hostKeyPublic,
      knownHostsLine,
      knownHostsPath,
      wrongKnownHostsPath,
      wrongKnownHostsLine,
      clientKeyPath,
      clientKeyEncryptedPath,
      passphrase,
      unauthorizedKeyPath,
      process: child,
      logs: () => log,
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) {
          // SIGTERM stops the listener; per-connection children exit when their clients go away.
          child.kill('SIGTERM');
          await exited;
        }
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
}

/** Resolves true once the port answers with an SSH identification string. */
function waitForBanner(port: number, child: ChildProcess, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const once = () =>
    new Promise<boolean>((resolve) => {
      const sock = connect(port, '127.0.0.1');
      let buf = '';
      const done = (v: boolean) => {
        sock.destroy();
        resolve(v);
      };
      sock.setTimeout(2000, () => done(false));
      sock.on('data', (d: Buffer) => {
        buf += d.toString();
        if (buf.startsWith('SSH-')) done(true);
      });
      sock.on('error', () => done(false));
    });
  return (async () => {
    while (Date.now() < deadline) {
      if (child.exitCode !== null) return false;
      if (await once()) return true;
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  })();
}

export interface SshAgentHandle {
  /** SSH_AUTH_SOCK value. */
  socket: string;
  stop: () => Promise<void>;
}

/** An ssh-agent on a temp socket, loaded with the given private key(s) (unencrypted). */
export async function startSshAgent(keyPaths: string[]): Promise<SshAgentHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-agent-'));
  const socket = join(dir, 'agent.sock');
  const child = spawn('ssh-agent', ['-D', '-a', socket], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((res) => child.once('exit', () => res()));
  const deadline = Date.now() + 10_000;
  let added = false;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      for (const k of keyPaths) await execFileP('ssh-add', [k], { env: { ...process.env, SSH_AUTH_SOCK: socket } });
      added = true;
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  if (!added) {
    await stop();
    throw new Error('ssh-agent did not accept the keys');
  }
  return { socket, stop };
}
