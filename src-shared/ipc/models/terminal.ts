/**
 * Terminal sessions (`terminal:open` stream). Main attaches to the container's TTY when it has
 * one (Config.Tty), else execs `/bin/sh` (fallback `sh`) with a TTY. When the container stops or
 * restarts the session is kept: it reports `ended`/`reconnecting`, watches engine events, and
 * reattaches when the container runs again (`reconnected`). The stream ends only when the client
 * closes it, the container is removed, or (exec mode) the shell exits while the container keeps
 * running.
 */

export interface TerminalOpenArgs {
  hostId: string;
  containerId: string;
  /** `auto` (default): attach if the container has a TTY, else exec a shell. */
  mode?: 'auto' | 'attach' | 'exec';
  /** For exec: argv; default `/bin/sh`, falling back to `sh`. */
  command?: string[];
  cols: number;
  rows: number;
}

export type TerminalStatus =
  /** First connection in progress. */
  | 'connecting'
  /** Attached (first time). */
  | 'attached'
  /** The container stopped or the process exited; waiting for it to run again. */
  | 'ended'
  /** The container runs again; reattaching. */
  | 'reconnecting'
  /** Reattached after an `ended`. */
  | 'reconnected';

export type TerminalEvent =
  /** Output bytes decoded as UTF-8 (sequences split across chunks are kept whole). */
  | { t: 'data'; data: string }
  | {
      t: 'status';
      status: TerminalStatus;
      /** Which way the session is connected. */
      mode: 'attach' | 'exec';
      /** Human text for the banner, e.g. `container exited with code 137`. */
      message?: string;
      exitCode?: number;
      /**
       * With `ended`, why: the container stopped (or was not running), it closed its output, or
       * the link to the host was lost (the container may well run on). Absent: not said.
       */
      reason?: TerminalEndReason;
    };

export type TerminalEndReason = 'stopped' | 'output-closed' | 'link-lost' | 'shell-exited';

export type TerminalInput =
  /** Keystrokes or pasted text, as xterm's onData gives them (Ctrl-C is `\u0003`). */
  | { t: 'data'; data: string }
  /** Fit-to-window: forwarded to /containers/{id}/resize or /exec/{id}/resize. */
  | { t: 'resize'; cols: number; rows: number };
