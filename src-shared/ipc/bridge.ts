import type { InvokeArgs, InvokeChannel, InvokeResult, StreamArgs, StreamChannel, StreamEvent, StreamInput } from './contract';
import type { ErrorEnvelope } from '../errors/error-kind';

export interface StreamHandlers<C extends StreamChannel> {
  onEvent: (event: StreamEvent<C>) => void;
  /** Called once when the stream ends, with the error if it failed. */
  onEnd?: (error?: ErrorEnvelope) => void;
}

export interface StreamHandle<C extends StreamChannel> {
  write: (input: StreamInput<C>) => void;
  close: () => void;
}

/**
 * What the renderer sees of main, whatever the transport: the whole privileged surface.
 * `invoke` rejects with a BerthClientError carrying the envelope's kind and code.
 */
export interface BerthBridge {
  invoke<C extends InvokeChannel>(channel: C, args: InvokeArgs<C>): Promise<InvokeResult<C>>;
  open<C extends StreamChannel>(channel: C, args: StreamArgs<C>, handlers: StreamHandlers<C>): StreamHandle<C>;
}

/** The raw message port the preload exposes as `window.berthPort` in Electron. */
export interface BerthPort {
  send: (message: unknown) => void;
  onMessage: (listener: (message: unknown) => void) => () => void;
}
