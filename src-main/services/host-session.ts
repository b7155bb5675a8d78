import type { Duplex } from 'node:stream';
import type { EventMessageDto } from '../../src-shared/docker-api/containers';
import type { ErrorEnvelope } from '../../src-shared/errors/error-kind';
import type { EngineSummaryView, HostKeyPromptView, HostStatusView } from '../../src-shared/ipc/models/hosts';
import type { EngineConnection, LinkState } from '../connections/engine-connection';
import type { RemoteShell } from '../connections/remote-shell';
import { HostKeyError } from '../connections/ssh/ssh-connection';
import { EngineClient } from '../engine-client/engine-client';
import { AppError, toEnvelope } from '../lib/app-error';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from '../lib/backoff';

export interface HostSessionOptions {
  hostId: string;
  connection: EngineConnection;
  backoff?: BackoffPolicy;
  now?: () => number;
}

/** Errors the user must act on: retrying cannot fix them. */
function isPermanent(err: unknown): boolean {
  if (err instanceof HostKeyError) return true;
  const kind = (err as { kind?: string }).kind;
  return kind === 'Unauthorized' || kind === 'Forbidden' || kind === 'InvalidArgument';
}

/**
 * One host's connection lifecycle: brings the link up, pings the engine, keeps one `/events`
 * stream open and fans it out, and when anything says the engine or link is gone (link down,
 * events stream broken, a request failing with Unavailable) goes to `reconnecting` and retries
 * with exponential backoff until it answers again, or to `failed` for errors retrying cannot fix
 * (host key, authentication). The one state machine per host; no other layer retries.
 *
 * Invariants: at most one attempt runs at a time; at most one retry timer; `status` changes are
 * reported to every `onStatus` listener in order; event subscribers survive reconnects.
 */
export class HostSession {
  readonly hostId: string;
  readonly client: EngineClient;
  private readonly connection: EngineConnection;
  private readonly backoff: BackoffPolicy;
  private readonly now: () => number;
  private current: HostStatusView;
  private wanted = false;
  private attempt = 0;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private eventsAbort: AbortController | null = null;
  private readonly statusListeners = new Set<(s: HostStatusView) => void>();
  private readonly eventListeners = new Set<(e: EventMessageDto) => void>();
  private readonly unlink: () => void;
  /** The engine socket as raw streams (what the local docker socket forwards), watched like requests. */
  private readonly engineConnection: EngineConnection;
  /** Set when the last attempt failed on an untrusted host key: what `acceptHostKey` may store. */
  pendingHostKey: HostKeyError | null = null;

  constructor(opts: HostSessionOptions) {
    this.hostId = opts.hostId;
    this.connection = opts.connection;
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.now = opts.now ?? Date.now;
    this.current = { hostId: this.hostId, state: 'disconnected', since: this.now() };
    // Requests run over a monitored view of the connection: an Unavailable failure of any
    // request is the cheapest "daemon went away" signal there is.
    const monitored: EngineConnection = {
      address: this.connection.address,
      get linkState(): LinkState {
        return opts.connection.linkState;
      },
      connect: () => this.connection.connect(),
      close: () => this.connection.close(),
      onLinkChange: (l) => this.connection.onLinkChange(l),
      openStream: async (): Promise<Duplex> => {
        try {
          return await this.connection.openStream();
        } catch (err) {
          if ((err as { kind?: string }).kind === 'Unavailable') this.lost(err);
          throw err;
        }
      },
    };
    this.engineConnection = monitored;
    this.client = new EngineClient(monitored);
    this.unlink = this.connection.onLinkChange((state, error) => {
      if (state === 'down' && this.current.state === 'connected') this.lost(error ?? new AppError('Unavailable', 'SSH_LINK_DOWN', 'the link dropped'));
    });
  }

  get status(): HostStatusView {
    return this.current;
  }

  get address(): string {
    return this.connection.address;
  }

  /**
   * The host's shell over its SSH link (brought up if needed), for provisioning: it works while the
   * engine is missing. Undefined for hosts reached over a local socket.
   */
  async remoteShell(): Promise<RemoteShell | undefined> {
    const c = this.connection as EngineConnection & Partial<RemoteShell>;
    if (typeof c.exec !== 'function' || typeof c.upload !== 'function') return undefined;
    await this.connection.connect();
    return c as EngineConnection & RemoteShell;
  }

  /**
   * Opens TCP connections on the host's side of its SSH link (brought up if needed); undefined for
   * hosts reached over a local socket, whose ports are this machine's own.
   */
  async tcpOpener(): Promise<((host: string, port: number) => Promise<Duplex>) | undefined> {
    const c = this.connection as EngineConnection & { openTcp?: (host: string, port: number) => Promise<Duplex> };
    if (typeof c.openTcp !== 'function') return undefined;
    await this.connection.connect();
    return (host, port) => c.openTcp!(host, port);
  }

  /** One raw stream to the engine's socket (HTTP, or a hijacked attach, as the caller speaks it). */
  openEngineStream(): Promise<Duplex> {
    return this.engineConnection.openStream();
  }

  onStatus(listener: (s: HostStatusView) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Subscribes to the host's engine events (raw DTOs); the one upstream stream is shared. */
  onEvent(listener: (e: EventMessageDto) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  private setStatus(next: Omit<HostStatusView, 'hostId' | 'since'>): void {
    this.current = { hostId: this.hostId, since: next.state === this.current.state ? this.current.since : this.now(), ...next };
    for (const l of this.statusListeners) l(this.current);
  }

  /** Connect now (resetting backoff). Resolves with the status after this attempt. */
  async connect(): Promise<HostStatusView> {
    this.wanted = true;
    this.clearTimer();
    this.attempt = 0;
    await this.tryOnce();
    return this.current;
  }

  disconnect(): HostStatusView {
    this.wanted = false;
    this.clearTimer();
    this.stopEvents();
    this.connection.close();
    this.setStatus({ state: 'disconnected' });
    return this.current;
  }

  dispose(): void {
    this.disconnect();
    this.unlink();
    this.statusListeners.clear();
    this.eventListeners.clear();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private tryOnce(): Promise<void> {
    this.running ??= this.doAttempt().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async doAttempt(): Promise<void> {
    const retrying = this.attempt > 0;
    this.setStatus({
      state: retrying ? 'reconnecting' : 'connecting',
      ...(retrying ? { attempt: this.attempt } : {}),
      ...(this.current.lastError ? { lastError: this.current.lastError } : {}),
    });
    try {
      await this.connection.connect();
      await this.client.ping();
      const engine = await this.describeEngine();
      if (!this.wanted) return;
      this.pendingHostKey = null;
      this.attempt = 0;
      this.setStatus({ state: 'connected', engine });
      this.startEvents();
    } catch (err) {
      if (!this.wanted) return;
      this.failed(err);
    }
  }

  private failed(err: unknown): void {
    const lastError: ErrorEnvelope = toEnvelope(err);
    if (isPermanent(err)) {
      this.pendingHostKey = err instanceof HostKeyError && err.verdict.result === 'unknown' ? err : null;
      const hostKey = err instanceof HostKeyError ? promptOf(err) : undefined;
      this.setStatus({ state: 'failed', lastError, ...(hostKey ? { hostKey } : {}) });
      return;
    }
    this.attempt += 1;
    const delay = backoffDelay(this.attempt, this.backoff);
    this.setStatus({ state: 'reconnecting', lastError, attempt: this.attempt, nextRetryAt: this.now() + delay });
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.wanted) void this.tryOnce();
    }, delay);
    this.timer.unref?.();
  }

  /** Something says the engine or link is gone: start the reconnect loop (once). */
  lost(err: unknown): void {
    if (!this.wanted || this.current.state !== 'connected') return;
    this.stopEvents();
    this.attempt = 0;
    this.failed(err);
  }

  private async describeEngine(): Promise<EngineSummaryView> {
    const [version, mirrors] = await Promise.all([
      this.client.version(),
      this.client.mirrorsConfig().catch(() => null),
    ]);
    return {
      serverVersion: version.Version,
      apiVersion: version.ApiVersion,
      os: version.Os,
      kernelVersion: version.KernelVersion,
      isBerth: mirrors !== null,
    };
  }

  private startEvents(): void {
    this.stopEvents();
    const abort = new AbortController();
    this.eventsAbort = abort;
    this.client
      .events({ signal: abort.signal }, (e) => {
        for (const l of this.eventListeners) l(e);
      })
      .then(
        () => {
          if (!abort.signal.aborted) this.lost(new AppError('Unavailable', 'ENGINE_UNAVAILABLE', `the engine on ${this.address} closed its event stream`));
        },
        (err: unknown) => {
          if (!abort.signal.aborted) this.lost(err);
        },
      );
  }

  private stopEvents(): void {
    this.eventsAbort?.abort();
    this.eventsAbort = null;
  }
}

function promptOf(err: HostKeyError): HostKeyPromptView {
  const v = err.verdict;
  return {
    hostPattern: v.hostPattern,
    keyType: v.keyType,
    fingerprint: v.fingerprint,
    reason: v.result,
    ...(v.result === 'changed' ? { knownFingerprint: v.knownFingerprint } : {}),
  };
}
