/**
 * The typed contract between the renderer and main, after podman-desktop's ipc-invoke channel map:
 * channel names are the keys of these interfaces, and the same maps type the dispatcher in main
 * (src-main/ipc) and the transports in the renderer (src-renderer/src/lib/transport). Renaming a
 * channel here breaks both sides at compile time. There is no untyped fallback.
 *
 * `InvokeContract[C]` = { args; result } for request/response calls.
 * `StreamContract[C]` = { args; event; input } for streams (input is `never` when read-only).
 */
import type { AppInfo } from './models/app';

export interface InvokeContract {
  /** Which build and mode is serving the UI. */
  'app:info': { args: Record<string, never>; result: AppInfo };
}

export interface StreamContract {
  /** A heartbeat every `intervalMs`: lets the UI tell a dead main process from a dead daemon. */
  'app:heartbeat': { args: { intervalMs: number }; event: { at: number }; input: never };
}

export type InvokeChannel = keyof InvokeContract;
export type StreamChannel = keyof StreamContract;
export type InvokeArgs<C extends InvokeChannel> = InvokeContract[C]['args'];
export type InvokeResult<C extends InvokeChannel> = InvokeContract[C]['result'];
export type StreamArgs<C extends StreamChannel> = StreamContract[C]['args'];
export type StreamEvent<C extends StreamChannel> = StreamContract[C]['event'];
export type StreamInput<C extends StreamChannel> = StreamContract[C]['input'];

export const INVOKE_CHANNELS = ['app:info'] as const satisfies readonly InvokeChannel[];
export const STREAM_CHANNELS = ['app:heartbeat'] as const satisfies readonly StreamChannel[];
