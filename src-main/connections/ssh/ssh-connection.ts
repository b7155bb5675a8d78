import { readFile } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
// ssh2 is CommonJS: Node's ESM loader cannot see all its named exports (`utils`), so take the default.
import ssh2, { type ConnectConfig, type ServerHostKeyAlgorithm } from 'ssh2';
import { AppError } from '../../lib/app-error';
import type { EngineConnection, LinkState } from '../engine-connection';
import type { RemoteExecResult, RemoteShell } from '../remote-shell';
import type { HostKeyVerdict, KnownHostsStore } from './known-hosts';

export interface SshConnectionOptions {
  host: string;
  port: number;
  user: string;
  /** Private key file. */
  keyPath?: string;
  /** Read at each connect, so a passphrase entered later is used on the next attempt. */
  passphrase?: () => string | undefined;
  /** SSH agent socket (SSH_AUTH_SOCK, from the app config); used when set. */
  agentSocket?: string;
  /** Engine socket on the remote machine. */
  remoteSocket: string;
  knownHosts: KnownHostsStore;
  /** Handshake timeout. */
  readyTimeoutMs?: number;
  /** SSH keepalives: a dead link is noticed after interval * countMax. */
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
}

/** The server presented a host key that is not trusted. Carries what the UI needs to ask. */
const { Client, utils } = ssh2;
type Client = InstanceType<typeof Client>;

export class HostKeyError extends AppError {
  constructor(
    readonly verdict: Exclude<HostKeyVerdict, { result: 'known' }>,
    readonly keyBlob: Buffer,
  ) {
    super(
      verdict.result === 'unknown' ? 'Unauthorized' : 'Forbidden',
      verdict.result === 'unknown' ? 'HOST_KEY_UNKNOWN' : 'HOST_KEY_CHANGED',
      verdict.result === 'unknown'
        ? `The authenticity of host ${verdict.hostPattern} can't be established. ${verdict.keyType} key fingerprint is ${verdict.fingerprint}.`
        : `REMOTE HOST IDENTIFICATION HAS CHANGED for ${verdict.hostPattern}: it offered ${verdict.keyType} ${verdict.fingerprint}, ` +
            `but ${verdict.file}:${verdict.line} has ${verdict.knownFingerprint}. Refusing to connect; remove the old entry if the change is expected.`,
    );
  }
}

/** Server host key algorithms that carry each key type, so we can ask for the type we know. */
const ALGOS_FOR_TYPE: Record<string, ServerHostKeyAlgorithm[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

/**
 * One long-lived ssh2 session per host; each engine request gets its own
 * `direct-streamlocal@openssh.com` channel to the remote socket (`openssh_forwardOutStreamLocal`),
 * which is what `ssh -L /local:/remote` does, so no `docker system dial-stdio` or exec per call.
 */
export class SshConnection implements EngineConnection, RemoteShell {
  readonly address: string;
  private state: LinkState = 'down';
  private client: Client | null = null;
  private connecting: Promise<void> | null = null;
  private readonly listeners = new Set<(state: LinkState, error?: unknown) => void>();

  constructor(private readonly opts: SshConnectionOptions) {
    this.address = `ssh://${opts.user}@${opts.host}:${opts.port}${opts.remoteSocket}`;
  }

  get linkState(): LinkState {
    return this.state;
  }

  onLinkChange(listener: (state: LinkState, error?: unknown) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private setState(state: LinkState, error?: unknown): void {
    if (state === this.state) return;
    this.state = state;
    for (const l of this.listeners) l(state, error);
  }

  connect(): Promise<void> {
    if (this.state === 'up') return Promise.resolve();
    this.connecting ??= this.handshake().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async handshake(): Promise<void> {
    this.setState('connecting');
    let config: ConnectConfig;
    try {
      config = await this.buildConfig();
    } catch (err) {
      this.setState('down', err);
      throw err;
    }
    const client = new Client();
    let rejected: HostKeyError | null = null;
    const knownTypes = await this.opts.knownHosts.knownKeyTypes(this.opts.host, this.opts.port);
    const prefer = knownTypes.flatMap((t) => ALGOS_FOR_TYPE[t] ?? []);
    // ssh2's `prepend` skips algorithms already in the default list, so remove them first (key order matters).
    if (prefer.length > 0) config.algorithms = { serverHostKey: { remove: prefer, prepend: prefer, append: [] } };
    config.hostVerifier = (key: Buffer, verify: (ok: boolean) => void): void => {
      this.opts.knownHosts.verify(this.opts.host, this.opts.port, key).then(
        (verdict) => {
          if (verdict.result !== 'known') rejected = new HostKeyError(verdict, Buffer.from(key));
          verify(verdict.result === 'known');
        },
        () => verify(false),
      );
    };
    await new Promise<void>((resolve, reject) => {
      let ready = false;
      client.once('ready', () => {
        ready = true;
        this.client = client;
        resolve();
      });
      client.on('error', (err: Error & { level?: string }) => {
        if (!ready) reject(rejected ?? this.mapError(err));
      });
      client.once('close', () => {
        if (!ready) {
          reject(rejected ?? new AppError('Unavailable', 'SSH_CONNECT_FAILED', `SSH connection to ${this.opts.host}:${this.opts.port} closed during the handshake`));
          return;
        }
        if (this.client === client) {
          this.client = null;
          this.setState('down', new AppError('Unavailable', 'SSH_LINK_DOWN', `SSH connection to ${this.opts.host}:${this.opts.port} dropped`));
        }
      });
      client.connect(config);
    }).catch((err: unknown) => {
      client.end();
      this.setState('down', err);
      throw err;
    });
    this.setState('up');
  }

  private async buildConfig(): Promise<ConnectConfig> {
    const o = this.opts;
    const config: ConnectConfig = {
      host: o.host,
      port: o.port,
      username: o.user,
      readyTimeout: o.readyTimeoutMs ?? 15_000,
      keepaliveInterval: o.keepaliveIntervalMs ?? 5_000,
      keepaliveCountMax: o.keepaliveCountMax ?? 3,
    };
    if (o.keyPath) {
      let data: Buffer;
      try {
        data = await readFile(o.keyPath);
      } catch (err) {
        throw new AppError('InvalidArgument', 'SSH_KEY_UNREADABLE', `cannot read SSH key ${o.keyPath}: ${(err as Error).message}`, { cause: err });
      }
      const passphrase = o.passphrase?.();
      const parsed = utils.parseKey(data, passphrase);
      if (parsed instanceof Error) {
        if (/no passphrase given|encrypted/i.test(parsed.message) && !passphrase) {
          throw new AppError('Unauthorized', 'PASSPHRASE_REQUIRED', `the SSH key ${o.keyPath} is encrypted: enter its passphrase`);
        }
        if (passphrase) throw new AppError('Unauthorized', 'PASSPHRASE_INVALID', `wrong passphrase for the SSH key ${o.keyPath}`);
        throw new AppError('InvalidArgument', 'SSH_KEY_INVALID', `cannot parse SSH key ${o.keyPath}: ${parsed.message}`);
      }
      config.privateKey = data;
      if (passphrase) config.passphrase = passphrase;
    }
    if (o.agentSocket) config.agent = o.agentSocket;
    if (!config.privateKey && !config.agent) {
      throw new AppError('InvalidArgument', 'SSH_NO_CREDENTIALS', 'no SSH key file given and no SSH agent available (SSH_AUTH_SOCK)');
    }
    return config;
  }

  private mapError(err: Error & { level?: string; code?: string }): AppError {
    const where = `${this.opts.host}:${this.opts.port}`;
    if (err.level === 'client-authentication') {
      return new AppError('Unauthorized', 'SSH_AUTH_FAILED', `SSH authentication as ${this.opts.user}@${where} failed (${err.message})`, { cause: err });
    }
    if (err.level === 'client-timeout') return new AppError('Unavailable', 'SSH_CONNECT_FAILED', `SSH handshake with ${where} timed out`, { cause: err });
    return new AppError('Unavailable', 'SSH_CONNECT_FAILED', `cannot connect to SSH server ${where}: ${err.message}`, { cause: err });
  }

  openStream(): Promise<Duplex> {
    const client = this.client;
    if (!client || this.state !== 'up') {
      return Promise.reject(new AppError('Unavailable', 'HOST_NOT_CONNECTED', `not connected to ${this.opts.host}:${this.opts.port} over SSH`));
    }
    return new Promise((resolve, reject) => {
      client.openssh_forwardOutStreamLocal(this.opts.remoteSocket, (err, channel) => {
        if (err) {
          reject(
            new AppError('Unavailable', 'ENGINE_UNAVAILABLE', `the engine is not running on ${this.address} (${err.message})`, { cause: err }),
          );
          return;
        }
        resolve(asSocketLike(channel));
      });
    });
  }

  /**
   * A TCP stream to `host:port` as the remote host sees it (`direct-tcpip`, what `ssh -L` does):
   * how the app opens a remote container's published port on the desktop.
   */
  openTcp(host: string, port: number): Promise<Duplex> {
    const client = this.upClient();
    return new Promise((resolve, reject) => {
      client.forwardOut('127.0.0.1', 0, host, port, (err, channel) => {
        if (err) {
          reject(new AppError('Unavailable', 'PORT_FORWARD_FAILED', `cannot reach ${host}:${port} on ${this.opts.host} (${err.message})`, { cause: err }));
          return;
        }
        resolve(asSocketLike(channel));
      });
    });
  }

  private upClient(): Client {
    const client = this.client;
    if (!client || this.state !== 'up') {
      throw new AppError('Unavailable', 'HOST_NOT_CONNECTED', `not connected to ${this.opts.host}:${this.opts.port} over SSH`);
    }
    return client;
  }

  exec(command: string, opts: { stdin?: string | Buffer; onLine?: (line: string) => void } = {}): Promise<RemoteExecResult> {
    const client = this.upClient();
    return new Promise((resolve, reject) => {
      client.exec(command, (err, channel) => {
        if (err) {
          reject(new AppError('Unavailable', 'SSH_EXEC_FAILED', `cannot run a command on ${this.opts.host}: ${err.message}`, { cause: err }));
          return;
        }
        let stdout = '';
        let stderr = '';
        let partial = '';
        let code: number | undefined;
        channel.on('data', (d: Buffer) => {
          const text = d.toString();
          stdout += text;
          if (!opts.onLine) return;
          partial += text;
          const lines = partial.split('\n');
          partial = lines.pop() ?? '';
          for (const l of lines) opts.onLine(l);
        });
        channel.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        channel.on('exit', (c: number | null, signal?: string) => {
          code = c ?? (signal ? 128 + (SIGNALS[signal] ?? 0) : 255);
        });
        channel.on('close', () => {
          if (partial && opts.onLine) opts.onLine(partial);
          resolve({ code: code ?? 255, stdout, stderr });
        });
        channel.end(opts.stdin);
      });
    });
  }

  upload(localPath: string, remotePath: string, onProgress?: (sent: number, total: number) => void): Promise<void> {
    const client = this.upClient();
    return new Promise((resolve, reject) => {
      client.sftp((err, sftp) => {
        if (err) {
          reject(new AppError('Unavailable', 'SFTP_UNAVAILABLE', `SFTP is not available on ${this.opts.host}: ${err.message}`, { cause: err }));
          return;
        }
        sftp.fastPut(localPath, remotePath, { step: (sent, _chunk, total) => onProgress?.(sent, total) }, (putErr) => {
          sftp.end();
          if (putErr) reject(new AppError('Unavailable', 'UPLOAD_FAILED', `cannot upload ${localPath} to ${this.opts.host}:${remotePath}: ${putErr.message}`, { cause: putErr }));
          else resolve();
        });
      });
    });
  }

  close(): void {
    const client = this.client;
    this.client = null;
    client?.end();
    this.setState('down');
  }
}

const SIGNALS: Record<string, number> = { HUP: 1, INT: 2, QUIT: 3, KILL: 9, SEGV: 11, PIPE: 13, TERM: 15 };

/** node:http calls a few net.Socket methods on whatever createConnection returns. */
function asSocketLike(stream: Duplex): Duplex {
  const s = stream as Duplex & Record<string, unknown>;
  for (const name of ['setTimeout', 'setNoDelay', 'setKeepAlive', 'ref', 'unref']) {
    if (typeof s[name] !== 'function') s[name] = () => s;
  }
  return stream;
}
