import type { HostConnectionState, HostKeyPromptView, HostStatusView, HostView } from '../../../../../src-shared/ipc/models/hosts';
import type { BadgeTone } from '../../../components/badge';

export interface HostRowView {
  id: string;
  name: string;
  address: string;
  kind: 'local' | 'ssh';
  state: HostConnectionState | 'unknown';
  stateLabel: string;
  tone: BadgeTone;
  /** One line under the status: the error, the retry time, the engine version. */
  detail: string;
  isActive: boolean;
  canConnect: boolean;
  canDisconnect: boolean;
  canRemove: boolean;
  hostKey: HostKeyPromptView | null;
  /** The key file needs a passphrase before a connect can succeed. */
  needsPassphrase: boolean;
  /**
   * SSH reaches the host but no engine answers on its socket (berthd not installed or stopped):
   * offer to set it up. `manage` when connected to berthd (upgrade, uninstall).
   */
  setUp: 'install' | 'manage' | null;
}

const LABELS: Record<HostConnectionState, string> = {
  disconnected: 'Disconnected',
  connecting: 'Connecting',
  connected: 'Connected',
  reconnecting: 'Reconnecting',
  failed: 'Failed',
};

const TONES: Record<HostConnectionState, BadgeTone> = {
  disconnected: 'muted',
  connecting: 'info',
  connected: 'ok',
  reconnecting: 'warn',
  failed: 'danger',
};

/** "in 4 s" for the next retry; `now` injected for tests. */
export function retryIn(nextRetryAt: number | undefined, now: number): string {
  if (nextRetryAt === undefined) return '';
  const s = Math.max(0, Math.ceil((nextRetryAt - now) / 1000));
  return s === 0 ? 'now' : `in ${s} s`;
}

export function statusDetail(status: HostStatusView | undefined, now: number): string {
  if (!status) return '';
  switch (status.state) {
    case 'connected':
      return status.engine ? `${status.engine.isBerth ? 'berthd' : 'Engine'} ${status.engine.serverVersion} · API ${status.engine.apiVersion}` : '';
    case 'reconnecting': {
      const why = status.lastError?.message ?? 'connection lost';
      const when = retryIn(status.nextRetryAt, now);
      return `${why} — retry${status.attempt ? ` #${status.attempt}` : ''}${when ? ` ${when}` : ''}`;
    }
    case 'failed':
    case 'disconnected':
    case 'connecting':
      return status.lastError?.message ?? '';
  }
}

export function toHostRowView(host: HostView, status: HostStatusView | undefined, activeHostId: string, now: number): HostRowView {
  const state = status?.state ?? 'unknown';
  return {
    id: host.id,
    name: host.name,
    address: host.address,
    kind: host.kind,
    state,
    stateLabel: state === 'unknown' ? 'Unknown' : LABELS[state],
    tone: state === 'unknown' ? 'muted' : TONES[state],
    detail: statusDetail(status, now),
    isActive: host.id === activeHostId,
    canConnect: state !== 'connected' && state !== 'connecting',
    canDisconnect: state === 'connected' || state === 'reconnecting' || state === 'connecting',
    canRemove: host.kind === 'ssh',
    hostKey: status?.hostKey ?? null,
    needsPassphrase: status?.lastError?.code === 'PASSPHRASE_REQUIRED' || status?.lastError?.code === 'PASSPHRASE_INVALID',
    setUp: host.kind !== 'ssh' ? null : state === 'connected' ? (status?.engine?.isBerth ? 'manage' : null) : status?.lastError?.code === 'ENGINE_UNAVAILABLE' ? 'install' : null,
  };
}

export function toHostRowViews(hosts: readonly HostView[], statuses: readonly HostStatusView[] | undefined, activeHostId: string, now: number): HostRowView[] {
  const byId = new Map((statuses ?? []).map((s) => [s.hostId, s]));
  return hosts.map((h) => toHostRowView(h, byId.get(h.id), activeHostId, now));
}

/** Replaces one host's status in the cached list (or appends it). */
export function mergeHostStatus(list: readonly HostStatusView[] | undefined, status: HostStatusView): HostStatusView[] {
  const out = (list ?? []).filter((s) => s.hostId !== status.hostId);
  out.push(status);
  return out;
}

/** What to check, by the failure's code (never its text): an SSH port that refuses is not a stopped berthd. */
export function linkHint(kind: 'local' | 'ssh', code: string | undefined): string {
  switch (code) {
    case 'SSH_CONNECT_FAILED':
      return 'The SSH server does not answer: check the host address and port, and that sshd runs there. Berth keeps retrying.';
    case 'SSH_REMOTE_SOCKET':
      return 'SSH works, but no engine answers on the remote socket: check that berthd runs there (Hosts → Set up).';
    case 'ENGINE_UNAVAILABLE':
      return kind === 'ssh'
        ? 'SSH works, but no engine answers on the remote socket: check that berthd runs there (Hosts → Set up).'
        : 'Check that berthd is running. Views recover by themselves when it is back.';
    default:
      return 'Views recover by themselves when it is back.';
  }
}

/** The banner above every view while the active host is not connected; null when all is well. */
export interface HostBannerView {
  tone: 'warn' | 'danger' | 'info';
  text: string;
}

export function toHostBanner(host: HostView | undefined, status: HostStatusView | undefined, now: number): HostBannerView | null {
  if (!status || status.state === 'connected') return null;
  const name = host?.name ?? status.hostId;
  switch (status.state) {
    case 'connecting':
      return { tone: 'info', text: `Connecting to ${name}…` };
    case 'reconnecting':
      return { tone: 'warn', text: `${name}: ${statusDetail(status, now)}. ${linkHint(host?.kind ?? 'local', status.lastError?.code)}` };
    case 'failed':
      if (status.hostKey?.reason === 'unknown') return { tone: 'warn', text: `${name}: unknown host key — compare its fingerprint in Hosts before connecting.` };
      if (status.hostKey?.reason === 'changed') return { tone: 'danger', text: `${name}: the host key changed — connection refused. See Hosts.` };
      return { tone: 'danger', text: `${name}: connection failed — ${status.lastError?.message ?? 'unknown error'}. See Hosts.` };
    case 'disconnected':
      return { tone: 'warn', text: `${name} is disconnected. Connect it from Hosts.` };
  }
}
