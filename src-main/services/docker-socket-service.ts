import { createHash } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import type { Server, Socket } from 'node:net';
import { join } from 'node:path';
import { createForwardingServer } from '../connections/forwarding-server';
import { AppError } from '../lib/app-error';
import type { HostsService } from './hosts-service';

export interface ExposedSocket {
  hostId: string;
  /** The local unix socket a docker CLI can use (`DOCKER_HOST=unix://…`). */
  socket: string;
  /** The docker context written for it (`docker --context NAME …`). */
  context: string;
}

export interface DockerSocketServiceOptions {
  /** Where the local sockets live (0700, the person's). */
  socketDir: string;
  /** The docker CLI's config dir ($DOCKER_CONFIG, else ~/.docker), where contexts are written. */
  dockerConfigDir: string;
}

/**
 * Serves a local unix socket per host that forwards every connection, byte for byte, to that
 * host's engine socket through the app's own connection (for an SSH host or a machine VM, one
 * stream-local channel of the app's SSH session per connection), and writes a docker context for
 * it. So a stock docker CLI on the desktop drives a remote berthd with no SSH setup of its own, and
 * hijacked streams (attach, exec, half-close) pass through untouched.
 */
export class DockerSocketService {
  private readonly servers = new Map<string, { server: Server; info: ExposedSocket; conns: Set<Socket> }>();

  constructor(
    private readonly hosts: HostsService,
    private readonly opts: DockerSocketServiceOptions,
  ) {}

  list(): ExposedSocket[] {
    return [...this.servers.values()].map((s) => s.info);
  }

  async expose(hostId: string, contextName: string): Promise<ExposedSocket> {
    const existing = this.servers.get(hostId);
    if (existing) return existing.info;
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.+-]*$/.test(contextName)) throw new AppError('InvalidArgument', 'CONTEXT_NAME_INVALID', `"${contextName}" is not a valid docker context name`);
    const session = this.hosts.session(hostId);
    await mkdir(this.opts.socketDir, { recursive: true, mode: 0o700 });
    const socket = join(this.opts.socketDir, `${hostId}.sock`);
    await rm(socket, { force: true });
    const conns = new Set<Socket>();
    const server = createForwardingServer(() => session.openEngineStream(), conns);
    await new Promise<void>((res, rej) => {
      server.once('error', rej);
      server.listen(socket, () => res());
    });
    const info: ExposedSocket = { hostId, socket, context: contextName };
    this.servers.set(hostId, { server, info, conns });
    await this.writeContext(contextName, `unix://${socket}`);
    return info;
  }

  async unexpose(hostId: string): Promise<void> {
    const s = this.servers.get(hostId);
    if (!s) return;
    this.servers.delete(hostId);
    for (const c of s.conns) c.destroy();
    await new Promise<void>((res) => s.server.close(() => res()));
    await rm(s.info.socket, { force: true });
    await rm(this.contextDir(s.info.context), { recursive: true, force: true });
  }

  async close(): Promise<void> {
    for (const id of [...this.servers.keys()]) await this.unexpose(id);
  }

  /** The docker CLI's context store: meta/<sha256 of the name>/meta.json. */
  private contextDir(name: string): string {
    return join(this.opts.dockerConfigDir, 'contexts', 'meta', createHash('sha256').update(name).digest('hex'));
  }

  private async writeContext(name: string, host: string): Promise<void> {
    const dir = this.contextDir(name);
    await mkdir(dir, { recursive: true });
    const meta = { Name: name, Metadata: { Description: 'Berth: forwarded by the Berth app' }, Endpoints: { docker: { Host: host, SkipTLSVerify: false } } };
    const tmp = join(dir, `meta.json.tmp-${process.pid}`);
    await writeFile(tmp, JSON.stringify(meta));
    await rename(tmp, join(dir, 'meta.json'));
  }
}
