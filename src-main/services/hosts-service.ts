import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import {
  LOCAL_HOST_ID,
  type AddSshHostArgs,
  type HostStatusView,
  type HostView,
  type UpdateSshHostArgs,
} from '../../src-shared/ipc/models/hosts';
import type { EngineConnection } from '../connections/engine-connection';
import type { KnownHostsStore } from '../connections/ssh/known-hosts';
import { SshConnection } from '../connections/ssh/ssh-connection';
import { UnixSocketConnection } from '../connections/unix-socket-connection';
import type { EngineClient } from '../engine-client/engine-client';
import { AppError } from '../lib/app-error';
import type { BackoffPolicy } from '../lib/backoff';
import { HostSession } from './host-session';

export const DEFAULT_REMOTE_SOCKET = '/run/berth/berthd.sock';

const SshHostRecordSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  user: z.string().min(1),
  keyPath: z.string().min(1).optional(),
  useAgent: z.boolean(),
  remoteSocket: z.string().min(1),
  /** Only present when the user chose to save it (file is 0600). */
  passphrase: z.string().optional(),
});
type SshHostRecord = z.infer<typeof SshHostRecordSchema>;

const HostsFileSchema = z.object({ version: z.literal(1), hosts: z.array(SshHostRecordSchema) });

export const AddSshHostSchema = z
  .object({
    name: z.string().trim().min(1, 'name is required').max(100),
    host: z.string().trim().min(1, 'host is required').regex(/^[^\s/@]+$/, 'host must be a host name or IP address'),
    port: z.number().int().min(1).max(65535).optional(),
    user: z.string().trim().min(1, 'user is required').regex(/^[^\s@]+$/, 'user must not contain spaces or @'),
    keyPath: z.string().trim().min(1).optional(),
    useAgent: z.boolean().optional(),
    passphrase: z.string().optional(),
    savePassphrase: z.boolean().optional(),
    remoteSocket: z.string().trim().startsWith('/', 'remote socket must be an absolute path').optional(),
  })
  .strict();

export interface HostsServiceOptions {
  stateDir: string;
  /** The local engine socket. */
  localSocket: string;
  knownHosts: KnownHostsStore;
  /** SSH_AUTH_SOCK as read by the config, if any. */
  agentSocket?: string;
  backoff?: BackoffPolicy;
  /** Builds the SSH connection (injectable for tests). */
  sshConnectionFactory?: (record: SshHostRecord, passphrase: () => string | undefined) => EngineConnection;
}

/**
 * The hosts the app manages: the local engine (always present, id `local`) and SSH hosts
 * persisted in `<stateDir>/hosts.json` (written atomically, mode 0600). Passphrases are kept in
 * memory for the session; they are written to hosts.json only when the user ticks "save
 * passphrase" (`savePassphrase`), because that file is plain text.
 *
 * Each host has one HostSession (connection state machine, events fan-out). Every host-scoped
 * service call goes through `client(hostId)`.
 */
export class HostsService {
  private records: SshHostRecord[] = [];
  private readonly sessions = new Map<string, HostSession>();
  private readonly passphrases = new Map<string, string>();
  private readonly statusListeners = new Set<(s: HostStatusView) => void>();
  private readonly file: string;

  constructor(private readonly opts: HostsServiceOptions) {
    this.file = join(opts.stateDir, 'hosts.json');
  }

  /** Loads hosts.json and starts connecting every host. */
  async start(): Promise<void> {
    this.records = await this.load();
    this.addSession(LOCAL_HOST_ID, new UnixSocketConnection(this.opts.localSocket));
    for (const r of this.records) this.addSession(r.id, this.sshConnection(r));
    for (const s of this.sessions.values()) void s.connect();
  }

  close(): void {
    for (const s of this.sessions.values()) s.dispose();
    this.sessions.clear();
  }

  private async load(): Promise<SshHostRecord[]> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      return [];
    }
    const parsed = HostsFileSchema.safeParse(JSON.parse(text));
    if (!parsed.success) {
      // Never lose a file we cannot read: set it aside and start empty.
      await rename(this.file, `${this.file}.invalid-${Date.now()}`).catch(() => {});
      return [];
    }
    return parsed.data.hosts;
  }

  private async save(): Promise<void> {
    await mkdir(this.opts.stateDir, { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, JSON.stringify({ version: 1, hosts: this.records }, null, 2) + '\n', { mode: 0o600 });
    await rename(tmp, this.file);
  }

  private sshConnection(r: SshHostRecord): EngineConnection {
    const passphrase = (): string | undefined => this.passphrases.get(r.id) ?? r.passphrase;
    if (this.opts.sshConnectionFactory) return this.opts.sshConnectionFactory(r, passphrase);
    return new SshConnection({
      host: r.host,
      port: r.port,
      user: r.user,
      ...(r.keyPath ? { keyPath: r.keyPath } : {}),
      ...(r.useAgent && this.opts.agentSocket ? { agentSocket: this.opts.agentSocket } : {}),
      passphrase,
      remoteSocket: r.remoteSocket,
      knownHosts: this.opts.knownHosts,
    });
  }

  private addSession(id: string, connection: EngineConnection): HostSession {
    const session = new HostSession({ hostId: id, connection, ...(this.opts.backoff ? { backoff: this.opts.backoff } : {}) });
    session.onStatus((s) => {
      for (const l of this.statusListeners) l(s);
    });
    this.sessions.set(id, session);
    return session;
  }

  list(): HostView[] {
    const local: HostView = { id: LOCAL_HOST_ID, name: 'Local', kind: 'local', address: `unix://${this.opts.localSocket}` };
    return [local, ...this.records.map((r) => this.view(r))];
  }

  private view(r: SshHostRecord): HostView {
    return {
      id: r.id,
      name: r.name,
      kind: 'ssh',
      address: `ssh://${r.user}@${r.host}:${r.port}`,
      ssh: {
        host: r.host,
        port: r.port,
        user: r.user,
        ...(r.keyPath ? { keyPath: r.keyPath } : {}),
        useAgent: r.useAgent,
        hasSavedPassphrase: r.passphrase !== undefined,
        remoteSocket: r.remoteSocket,
      },
    };
  }

  statuses(): HostStatusView[] {
    return [...this.sessions.values()].map((s) => s.status);
  }

  onStatus(listener: (s: HostStatusView) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  session(hostId: string): HostSession {
    const s = this.sessions.get(hostId);
    if (!s) throw new AppError('NotFound', 'HOST_NOT_FOUND', `no host with id ${hostId}`);
    return s;
  }

  client(hostId: string): EngineClient {
    return this.session(hostId).client;
  }

  async add(input: AddSshHostArgs): Promise<HostView> {
    const args = parse(AddSshHostSchema, input);
    if (!args.keyPath && args.useAgent === false) throw new AppError('InvalidArgument', 'SSH_NO_CREDENTIALS', 'give a key file or use the SSH agent');
    const id = `ssh-${randomBytes(6).toString('hex')}`;
    const record: SshHostRecord = {
      id,
      name: args.name,
      host: args.host,
      port: args.port ?? 22,
      user: args.user,
      ...(args.keyPath ? { keyPath: args.keyPath } : {}),
      useAgent: args.useAgent ?? !args.keyPath,
      remoteSocket: args.remoteSocket ?? DEFAULT_REMOTE_SOCKET,
      ...(args.passphrase !== undefined && args.savePassphrase ? { passphrase: args.passphrase } : {}),
    };
    if (args.passphrase !== undefined) this.passphrases.set(id, args.passphrase);
    this.records.push(record);
    await this.save();
    this.addSession(id, this.sshConnection(record));
    return this.view(record);
  }

  async update(input: UpdateSshHostArgs): Promise<HostView> {
    const { hostId, ...rest } = input;
    const index = this.records.findIndex((r) => r.id === hostId);
    const old = this.records[index];
    if (!old) throw hostId === LOCAL_HOST_ID ? new AppError('InvalidArgument', 'LOCAL_HOST_FIXED', 'the local host cannot be edited') : notFound(hostId);
    const args = parse(AddSshHostSchema.partial(), rest);
    const record: SshHostRecord = {
      ...old,
      ...(args.name !== undefined ? { name: args.name } : {}),
      ...(args.host !== undefined ? { host: args.host } : {}),
      ...(args.port !== undefined ? { port: args.port } : {}),
      ...(args.user !== undefined ? { user: args.user } : {}),
      ...(args.keyPath !== undefined ? { keyPath: args.keyPath } : {}),
      ...(args.useAgent !== undefined ? { useAgent: args.useAgent } : {}),
      ...(args.remoteSocket !== undefined ? { remoteSocket: args.remoteSocket } : {}),
    };
    if (args.passphrase !== undefined) {
      this.passphrases.set(hostId, args.passphrase);
      if (args.savePassphrase) record.passphrase = args.passphrase;
    }
    if (args.savePassphrase === false) delete record.passphrase;
    this.records[index] = record;
    await this.save();
    const wasWanted = this.session(hostId).status.state !== 'disconnected';
    this.session(hostId).dispose();
    const session = this.addSession(hostId, this.sshConnection(record));
    if (wasWanted) void session.connect();
    return this.view(record);
  }

  async remove(hostId: string): Promise<void> {
    if (hostId === LOCAL_HOST_ID) throw new AppError('InvalidArgument', 'LOCAL_HOST_FIXED', 'the local host cannot be removed');
    const index = this.records.findIndex((r) => r.id === hostId);
    if (index < 0) throw notFound(hostId);
    this.records.splice(index, 1);
    await this.save();
    this.sessions.get(hostId)?.dispose();
    this.sessions.delete(hostId);
    this.passphrases.delete(hostId);
  }

  async connect(hostId: string, passphrase?: string, savePassphrase?: boolean): Promise<HostStatusView> {
    const session = this.session(hostId);
    if (passphrase !== undefined) {
      this.passphrases.set(hostId, passphrase);
      const record = this.records.find((r) => r.id === hostId);
      if (record && savePassphrase) {
        record.passphrase = passphrase;
        await this.save();
      }
    }
    return session.connect();
  }

  disconnect(hostId: string): HostStatusView {
    return this.session(hostId).disconnect();
  }

  /** Stores the pending unknown host key if its fingerprint is the one the user saw, then connects. */
  async acceptHostKey(hostId: string, fingerprint: string): Promise<HostStatusView> {
    const session = this.session(hostId);
    const record = this.records.find((r) => r.id === hostId);
    if (!record) throw new AppError('InvalidArgument', 'NOT_SSH_HOST', 'only SSH hosts have host keys');
    if (session.status.hostKey?.reason === 'changed') {
      throw new AppError('Forbidden', 'HOST_KEY_CHANGED', 'a changed host key cannot be accepted from the app; remove the old known_hosts entry first');
    }
    const pending = session.pendingHostKey;
    if (!pending) throw new AppError('Conflict', 'NO_PENDING_HOST_KEY', 'there is no host key waiting for a decision; connect first');
    if (pending.verdict.fingerprint !== fingerprint) {
      throw new AppError('Conflict', 'HOST_KEY_MISMATCH', `the pending host key is ${pending.verdict.fingerprint}, not ${fingerprint}`);
    }
    const verdict = await this.opts.knownHosts.accept(record.host, record.port, pending.keyBlob);
    if (verdict.result === 'changed') throw new AppError('Forbidden', 'HOST_KEY_CHANGED', `a different ${verdict.keyType} key is on record for ${verdict.hostPattern}`);
    return session.connect();
  }
}

function notFound(hostId: string): AppError {
  return new AppError('NotFound', 'HOST_NOT_FOUND', `no host with id ${hostId}`);
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    throw new AppError('InvalidArgument', 'INVALID_HOST', `${where}${issue?.message ?? 'invalid host'}`);
  }
  return r.data;
}
