import type { Duplex } from 'node:stream';

/**
 * Link state of a connection: `up` when streams can be opened (a unix socket is always `up`
 * at this level — whether a daemon listens is only known when a stream is opened), `down` when
 * the transport (the SSH session) is gone.
 */
export type LinkState = 'down' | 'connecting' | 'up';

/**
 * A way to reach one Engine API socket. Every HTTP request (and every hijacked attach/exec) runs
 * over its own duplex stream from `openStream()`, so the same engine-client works over a local
 * unix socket and over SSH stream-local forwarding.
 *
 * Lifecycle: `connect()` brings the link up (no-op for unix sockets; the SSH handshake for SSH)
 * and may be called again after the link went down; `close()` tears it down for good until the
 * next `connect()`. Link changes are reported to `onLinkChange` listeners; reconnect policy is the
 * caller's (services/host-session), so there is one backoff loop per host, not one per layer.
 *
 * Errors are AppErrors: `Unavailable`/`ENGINE_UNAVAILABLE` when the engine socket does not answer
 * (with the socket's address in the message), `Unavailable`/`HOST_NOT_CONNECTED` when the link is
 * down, and the SSH-specific kinds of `connect()` (see ssh-errors).
 */
export interface EngineConnection {
  /** `unix:///run/berth/berthd.sock` or `ssh://user@host:port` + remote socket. */
  readonly address: string;
  readonly linkState: LinkState;
  connect(): Promise<void>;
  openStream(): Promise<Duplex>;
  close(): void;
  /** Returns an unsubscribe function. */
  onLinkChange(listener: (state: LinkState, error?: unknown) => void): () => void;
}
