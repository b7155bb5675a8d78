import type { ErrorEnvelope } from '../../../../../src-shared/errors/error-kind';
import type { TerminalEvent, TerminalStatus } from '../../../../../src-shared/ipc/models/terminal';

type StatusEvent = Extract<TerminalEvent, { t: 'status' }>;

export interface TerminalBannerView {
  tone: 'info' | 'warn' | 'danger';
  text: string;
  /** Offer a manual reconnect (the stream itself ended). */
  canReconnect: boolean;
}

export interface TerminalStateView {
  status: TerminalStatus | 'closed';
  mode: 'attach' | 'exec' | null;
  banner: TerminalBannerView | null;
  modeLabel: string;
}

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
      banner = { tone: 'warn', text: `Container stopped — will reconnect when it runs again${detail}`, canReconnect: false };
      break;
    case 'reconnecting':
      banner = { tone: 'info', text: 'Container is running again — reconnecting…', canReconnect: false };
      break;
    case 'reconnected':
      banner = { tone: 'info', text: 'Reconnected.', canReconnect: false };
      break;
  }
  return { status: event.status, mode: event.mode, banner, modeLabel: modeLabel(event.mode) };
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
 * The banner to show, given the session state and the container's state from engine events.
 * Both report a stop; whichever arrives first wins, so the status line never claims a live
 * session on a container that has exited.
 */
export function terminalBanner(state: TerminalStateView, containerRunning: boolean): TerminalBannerView | null {
  const live = state.status === 'attached' || state.status === 'reconnected' || state.status === 'reconnecting';
  if (!containerRunning && live) return { tone: 'warn', text: 'Container stopped — will reconnect when it runs again', canReconnect: false };
  return state.banner;
}
