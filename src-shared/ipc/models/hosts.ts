/**
 * Hosts as the renderer sees them. A host is one Engine API daemon (berthd or dockerd) reached
 * over a local unix socket or over SSH. Every host-scoped channel takes `hostId`.
 *
 * Identifiers: the local host is always present with id `local`; SSH hosts get an id chosen by
 * main when added (stable across restarts, persisted in `<stateDir>/hosts.json`).
 */
import type { ErrorEnvelope } from '../../errors/error-kind';

export const LOCAL_HOST_ID = 'local';

export type HostKind = 'local' | 'ssh';

export interface SshHostSettingsView {
  /** DNS name or IP of the SSH server. */
  host: string;
  port: number;
  user: string;
  /** Private key file on the machine running the app; absent when only the agent is used. */
  keyPath?: string;
  /** Offer the keys of the SSH agent (SSH_AUTH_SOCK). */
  useAgent: boolean;
  /** True when a passphrase was saved with the host (the user chose to); passphrases are otherwise kept in memory only. */
  hasSavedPassphrase: boolean;
  /** The engine socket path on the remote machine, e.g. `/run/berth/berthd.sock` or `/var/run/docker.sock`. */
  remoteSocket: string;
}

export interface HostView {
  id: string;
  name: string;
  kind: HostKind;
  /** Human-readable address: `unix:///run/berth/berthd.sock` or `ssh://user@host:22`. */
  address: string;
  /** Present for `kind: 'ssh'`. */
  ssh?: SshHostSettingsView;
}

/**
 * - `disconnected`: not connected and not trying (SSH host never connected, or user disconnected).
 * - `connecting`: first attempt in progress.
 * - `connected`: the engine answered `_ping`.
 * - `reconnecting`: the link dropped (or the daemon is down); retrying with exponential backoff,
 *   `attempt` and `nextRetryAt` say when.
 * - `failed`: gave up until the user acts (host key unknown/changed, auth failure). `lastError` says why.
 */
export type HostConnectionState = 'disconnected' | 'connecting' | 'connected' | 'reconnecting' | 'failed';

/** An SSH host key the user has to decide about. Set when `lastError.code` is `HOST_KEY_UNKNOWN` or `HOST_KEY_CHANGED`. */
export interface HostKeyPromptView {
  /** `host` or `[host]:port` as written in known_hosts. */
  hostPattern: string;
  /** e.g. `ssh-ed25519`. */
  keyType: string;
  /** OpenSSH style: `SHA256:<base64 without padding>`. */
  fingerprint: string;
  /** `unknown`: can be accepted with `hosts:acceptHostKey`. `changed`: refused; the old entry must be removed by hand. */
  reason: 'unknown' | 'changed';
  /** For `changed`: the fingerprint we had on record. */
  knownFingerprint?: string;
}

/** What the engine said about itself when the connection came up. */
export interface EngineSummaryView {
  /** `Name` of /version Platform or `berthd`/`dockerd`. */
  serverVersion: string;
  apiVersion: string;
  os: string;
  kernelVersion: string;
  /** True when the daemon serves Berth's extensions (`/berth/v1/...`). */
  isBerth: boolean;
}

export interface HostStatusView {
  hostId: string;
  state: HostConnectionState;
  /** Epoch ms of the last state change. */
  since: number;
  /**
   * Last failure. Codes: `ENGINE_UNAVAILABLE` (daemon not running / socket missing),
   * `HOST_KEY_UNKNOWN`, `HOST_KEY_CHANGED`, `SSH_AUTH_FAILED`, `PASSPHRASE_REQUIRED`,
   * `SSH_CONNECT_FAILED`, `SSH_REMOTE_SOCKET` (the remote socket could not be opened).
   */
  lastError?: ErrorEnvelope;
  /** Reconnect attempt number (1-based) while `reconnecting`. */
  attempt?: number;
  /** Epoch ms of the next retry while `reconnecting`. */
  nextRetryAt?: number;
  /** Set while a host key decision is pending. */
  hostKey?: HostKeyPromptView;
  /** Set while `connected`. */
  engine?: EngineSummaryView;
}

export interface AddSshHostArgs {
  name: string;
  host: string;
  /** Default 22. */
  port?: number;
  user: string;
  keyPath?: string;
  /** Default: true when no keyPath is given. */
  useAgent?: boolean;
  /** Passphrase of the key file. Kept in memory only unless `savePassphrase` is true. */
  passphrase?: string;
  savePassphrase?: boolean;
  /** Default `/run/berth/berthd.sock`. */
  remoteSocket?: string;
}

export interface UpdateSshHostArgs extends Partial<AddSshHostArgs> {
  hostId: string;
}
