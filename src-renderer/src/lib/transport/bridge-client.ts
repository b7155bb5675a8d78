import type { BerthBridge, BerthPort, StreamHandlers, StreamHandle } from '../../../../src-shared/ipc/bridge';
import type { InvokeArgs, InvokeChannel, InvokeResult, StreamArgs, StreamChannel, StreamInput } from '../../../../src-shared/ipc/contract';
import type { ClientMessage, ServerMessage } from '../../../../src-shared/ipc/wire';
import type { ErrorEnvelope, ErrorKind } from '../../../../src-shared/errors/error-kind';

/** A failed contract call, rebuilt from its envelope so the UI can branch on `kind`. */
export class BerthClientError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  constructor(envelope: ErrorEnvelope) {
    super(envelope.message);
    this.name = 'BerthClientError';
    this.kind = envelope.kind;
    this.code = envelope.code;
  }
}

const DISCONNECTED: ErrorEnvelope = { kind: 'Unavailable', code: 'APP_DISCONNECTED', message: 'lost the connection to the Berth app process' };

/**
 * The renderer side of the contract over any message port. Pending calls and open streams fail
 * with APP_DISCONNECTED when the port reports a disconnect, so no promise hangs forever.
 */
export function createBridge(port: BerthPort & { onDisconnect?: (listener: () => void) => void }): BerthBridge {
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  const streams = new Map<number, StreamHandlers<StreamChannel>>();

  port.onMessage((raw) => {
    const message = raw as ServerMessage;
    switch (message.t) {
      case 'result': {
        const call = pending.get(message.id);
        if (!call) return;
        pending.delete(message.id);
        if (message.ok) call.resolve(message.value);
        else call.reject(new BerthClientError(message.error));
        return;
      }
      case 'event':
        streams.get(message.id)?.onEvent(message.event as never);
        return;
      case 'end': {
        const handlers = streams.get(message.id);
        streams.delete(message.id);
        handlers?.onEnd?.(message.error);
        return;
      }
    }
  });

  port.onDisconnect?.(() => {
    for (const call of pending.values()) call.reject(new BerthClientError(DISCONNECTED));
    pending.clear();
    const open = [...streams.values()];
    streams.clear();
    for (const handlers of open) handlers.onEnd?.(DISCONNECTED);
  });

  const send = (message: ClientMessage): void => port.send(message);

  return {
    invoke<C extends InvokeChannel>(channel: C, args: InvokeArgs<C>): Promise<InvokeResult<C>> {
      const id = nextId++;
      return new Promise<InvokeResult<C>>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        send({ t: 'invoke', id, channel, args });
      });
    },
    open<C extends StreamChannel>(channel: C, args: StreamArgs<C>, handlers: StreamHandlers<C>): StreamHandle<C> {
      const id = nextId++;
      streams.set(id, handlers as unknown as StreamHandlers<StreamChannel>);
      send({ t: 'open', id, channel, args });
      return {
        write: (input: StreamInput<C>) => send({ t: 'input', id, data: input }),
        close: () => {
          if (streams.delete(id)) send({ t: 'close', id });
        },
      };
    },
  };
}
