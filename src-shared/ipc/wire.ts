import type { ErrorEnvelope } from '../errors/error-kind';

/**
 * The one message protocol between renderer and main. Electron IPC (preload) and web mode
 * (WebSocket) both carry exactly these messages, so the dispatcher in src-main/ipc serves both.
 *
 * - `invoke` is request/response, answered by one `result`.
 * - `open` starts a stream (logs, terminal, pull progress, events): the server answers with any
 *   number of `event`s and finally one `end`; the client may send `input` (terminal keystrokes,
 *   resizes) and `close` it early. Stream ids are chosen by the client and unique per connection.
 */
export type ClientMessage =
  | { t: 'invoke'; id: number; channel: string; args: unknown }
  | { t: 'open'; id: number; channel: string; args: unknown }
  | { t: 'input'; id: number; data: unknown }
  | { t: 'close'; id: number };

export type ServerMessage =
  | { t: 'result'; id: number; ok: true; value: unknown }
  | { t: 'result'; id: number; ok: false; error: ErrorEnvelope }
  | { t: 'event'; id: number; event: unknown }
  | { t: 'end'; id: number; error?: ErrorEnvelope };

export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorEnvelope };
