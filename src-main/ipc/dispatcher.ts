import type { ErrorEnvelope } from '../../src-shared/errors/error-kind';
import type {
  InvokeArgs,
  InvokeChannel,
  InvokeResult,
  StreamArgs,
  StreamChannel,
  StreamEvent,
  StreamInput,
} from '../../src-shared/ipc/contract';
import type { ClientMessage, ServerMessage } from '../../src-shared/ipc/wire';
import { AppError, toEnvelope } from '../lib/app-error';

export type InvokeHandlerMap = {
  [C in InvokeChannel]: (args: InvokeArgs<C>) => Promise<InvokeResult<C>> | InvokeResult<C>;
};

export interface StreamSink<C extends StreamChannel> {
  emit: (event: StreamEvent<C>) => void;
  /** Ends the stream; further emits are dropped. */
  end: (error?: unknown) => void;
  /** Aborted when the client closes the stream or disconnects. */
  signal: AbortSignal;
}

export interface StreamSession<C extends StreamChannel> {
  input?: (input: StreamInput<C>) => void;
}

export type StreamHandlerMap = {
  [C in StreamChannel]: (args: StreamArgs<C>, sink: StreamSink<C>) => StreamSession<C> | void | Promise<StreamSession<C> | void>;
};

export interface ContractHandlers {
  invoke: InvokeHandlerMap;
  streams: StreamHandlerMap;
}

export interface ContractConnection {
  receive: (message: unknown) => void;
  /** The peer went away: abort every open stream. */
  dispose: () => void;
}

/**
 * Serves the typed contract over any message transport (Electron IPC or WebSocket). One
 * connection per renderer; streams are keyed by the client's ids.
 */
export function connectContract(handlers: ContractHandlers, send: (message: ServerMessage) => void): ContractConnection {
  const open = new Map<number, { controller: AbortController; session?: StreamSession<StreamChannel> }>();

  const fail = (id: number, err: unknown): void => send({ t: 'result', id, ok: false, error: toEnvelope(err) });

  const startStream = async (id: number, channel: string, args: unknown): Promise<void> => {
    const handler = (handlers.streams as Record<string, StreamHandlerMap[StreamChannel] | undefined>)[channel];
    if (!handler || !Object.hasOwn(handlers.streams, channel)) {
      send({ t: 'end', id, error: { kind: 'NotFound', code: 'UNKNOWN_CHANNEL', message: `unknown stream channel ${channel}` } });
      return;
    }
    const controller = new AbortController();
    const entry: { controller: AbortController; session?: StreamSession<StreamChannel> } = { controller };
    open.set(id, entry);
    let ended = false;
    const sink: StreamSink<StreamChannel> = {
      emit: (event) => {
        if (!ended) send({ t: 'event', id, event });
      },
      end: (error) => {
        if (ended) return;
        ended = true;
        open.delete(id);
        controller.abort();
        const envelope: ErrorEnvelope | undefined = error === undefined ? undefined : toEnvelope(error);
        send(envelope ? { t: 'end', id, error: envelope } : { t: 'end', id });
      },
      signal: controller.signal,
    };
    try {
      const session = await handler(args as never, sink as never);
      if (session) entry.session = session as StreamSession<StreamChannel>;
    } catch (err) {
      sink.end(err);
    }
  };

  return {
    receive: (raw) => {
      const message = raw as ClientMessage;
      if (typeof message !== 'object' || message === null || typeof message.id !== 'number') return;
      switch (message.t) {
        case 'invoke': {
          const handler = (handlers.invoke as Record<string, ((a: unknown) => unknown) | undefined>)[message.channel];
          if (!handler || !Object.hasOwn(handlers.invoke, message.channel)) {
            fail(message.id, new AppError('NotFound', 'UNKNOWN_CHANNEL', `unknown channel ${message.channel}`));
            return;
          }
          Promise.resolve()
            .then(() => handler(message.args))
            .then(
              (value) => send({ t: 'result', id: message.id, ok: true, value }),
              (err: unknown) => fail(message.id, err),
            );
          return;
        }
        case 'open':
          void startStream(message.id, message.channel, message.args);
          return;
        case 'input':
          open.get(message.id)?.session?.input?.(message.data as never);
          return;
        case 'close': {
          const entry = open.get(message.id);
          if (entry) {
            open.delete(message.id);
            entry.controller.abort();
            send({ t: 'end', id: message.id });
          }
          return;
        }
        default:
          return;
      }
    },
    dispose: () => {
      for (const entry of open.values()) entry.controller.abort();
      open.clear();
    },
  };
}
