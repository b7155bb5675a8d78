import type { ErrorEnvelope } from '../../../../../src-shared/errors/error-kind';
import type { TerminalEndReason, TerminalEvent, TerminalStatus } from '../../../../../src-shared/ipc/models/terminal';

type StatusEvent = Extract<TerminalEvent, { t: 'status' }>;

export interface TerminalBannerView {
  tone: 'info' | 'warn' | 'danger';
  text: string;
  /** Offer a manual reconnect (the stream itself ended). */
  canReconnect: boolean;
}

export interface TerminalStateView {
  status: TerminalStatus | 'closed';
  /** Why the last `ended` came (a lost link is not a stopped container). */
  reason?: TerminalEndReason;
  mode: 'attach' | 'exec' | null;
  banner: TerminalBannerView | null;
  modeLabel: string;
}

const LINK_LOST = 'Connection to the host lost — the terminal reattaches when the host is back';

export const INITIAL_TERMINAL_STATE: TerminalStateView = { status: 'connecting', mode: null, banner: { tone: 'info', text: 'Connecting…', canReconnect: false }, modeLabel: '' };

function modeLabel(mode: 'attach' | 'exec' | null): string {
  if (mode === 'attach') return "Attached to the container's TTY";
  if (mode === 'exec') return 'Shell started with exec';
  return '';
}

export function onTerminalStatus(event: StatusEvent): TerminalStateView {
  const detail = event.message ? ` (${event.message})` : event.exitCode !== undefined ? ` (exit code ${event.exitCode})` : '';
  let banner: TerminalBannerView | null = null;
  switch (event.status) {
    case 'connecting':
      banner = { tone: 'info', text: 'Connecting…', canReconnect: false };
      break;
    case 'attached':
      banner = null;
      break;
    case 'ended':
      banner =
        event.reason === 'link-lost'
          ? { tone: 'warn', text: LINK_LOST, canReconnect: false }
          : event.reason === 'output-closed'
            ? { tone: 'warn', text: `The container closed its terminal — will reconnect when it runs again${detail}`, canReconnect: false }
            : { tone: 'warn', text: `Container stopped — will reconnect when it runs again${detail}`, canReconnect: false };
      break;
    case 'reconnecting':
      banner = { tone: 'info', text: 'Container is running again — reconnecting…', canReconnect: false };
      break;
    case 'reconnected':
      banner = { tone: 'info', text: 'Reconnected.', canReconnect: false };
      break;
  }
  return { status: event.status, mode: event.mode, banner, modeLabel: modeLabel(event.mode), ...(event.reason ? { reason: event.reason } : {}) };
}

/** The stream ended for good: the container was removed, the shell exited, or the link broke. */
export function onTerminalEnd(prev: TerminalStateView, error: ErrorEnvelope | undefined): TerminalStateView {
  let text: string;
  if (!error) text = prev.mode === 'exec' ? 'The shell exited.' : 'The terminal session ended.';
  else if (error.code === 'CONTAINER_REMOVED' || error.code === 'CONTAINER_NOT_FOUND' || error.kind === 'NotFound') text = 'The container was removed.';
  else if (error.kind === 'Unavailable') text = `Lost the connection: ${error.message}`;
  else text = `Terminal closed: ${error.message}`;
  return { ...prev, status: 'closed', banner: { tone: error ? 'danger' : 'warn', text, canReconnect: true } };
}

/**
 * The banner to show, given the session state, the container's state from engine events and
 * the host's link. Both report a stop; whichever arrives first wins, so the status line never
 * claims a live session on a container that has exited. While the host is unreachable nothing is
 * known about the container: the banner says the link is down (with the host's next retry), never
 * "Container stopped".
 */
export function terminalBanner(state: TerminalStateView, containerRunning: boolean, link: HostLinkView = { connected: true }): TerminalBannerView | null {
  const live = state.status === 'attached' || state.status === 'reconnected' || state.status === 'reconnecting';
  const lost = state.status === 'ended' && state.reason === 'link-lost';
  if (!link.connected && (live || lost || state.status === 'ended')) return { tone: 'warn', text: `${LINK_LOST}${link.retry ? ` (${link.retry})` : ''}`, canReconnect: false };
  if (lost) return { tone: 'info', text: 'The host is back — reattaching…', canReconnect: false };
  if (!containerRunning && live) return { tone: 'warn', text: 'Container stopped — will reconnect when it runs again', canReconnect: false };
  return state.banner;
}

/** The host's link as the terminal tells it: up, or down with "retry #2 in 3 s". */
export interface HostLinkView {
  connected: boolean;
  retry?: string;
}

/** From the host's status: `undefined` (not known yet) counts as connected, so nothing flashes at start. */
export function toHostLink(status: { state: string; attempt?: number; nextRetryAt?: number } | undefined, now: number): HostLinkView {
  if (!status || status.state === 'connected') return { connected: true };
  const parts: string[] = [];
  if (status.state === 'reconnecting') {
    if (status.attempt) parts.push(`retry #${status.attempt}`);
    if (status.nextRetryAt !== undefined) {
      const s = Math.max(0, Math.ceil((status.nextRetryAt - now) / 1000));
      parts.push(s === 0 ? 'now' : `in ${s} s`);
    }
  } else parts.push(status.state);
  return { connected: false, ...(parts.length > 0 ? { retry: parts.join(' ') } : {}) };
}
