import type { BerthBridge, StreamHandle, StreamHandlers } from '../../../src-shared/ipc/bridge';
import type { InvokeArgs, InvokeChannel, InvokeResult, StreamArgs, StreamChannel, StreamEvent, StreamInput } from '../../../src-shared/ipc/contract';
import type { ErrorEnvelope } from '../../../src-shared/errors/error-kind';
import { BerthClientError } from '../lib/transport/bridge-client';

type InvokeHandlers = { [C in InvokeChannel]?: (args: InvokeArgs<C>) => InvokeResult<C> | Promise<InvokeResult<C>> };

export interface OpenStream<C extends StreamChannel = StreamChannel> {
  channel: C;
  args: StreamArgs<C>;
  handlers: StreamHandlers<C>;
  inputs: StreamInput<C>[];
  closed: boolean;
}

/**
 * A BerthBridge for component tests: invoke answers from per-channel handlers (a missing one
 * rejects NotImplemented, as main does), streams are recorded so a test can push events into them.
 */
export class FakeBridge implements BerthBridge {
  readonly calls: { channel: InvokeChannel; args: unknown }[] = [];
  readonly streams: OpenStream[] = [];
  constructor(public handlers: InvokeHandlers = {}) {}

  on<C extends InvokeChannel>(channel: C, handler: (args: InvokeArgs<C>) => InvokeResult<C> | Promise<InvokeResult<C>>): this {
    (this.handlers as Record<string, unknown>)[channel] = handler;
    return this;
  }

  invoke<C extends InvokeChannel>(channel: C, args: InvokeArgs<C>): Promise<InvokeResult<C>> {
    this.calls.push({ channel, args });
    const handler = this.handlers[channel] as ((a: InvokeArgs<C>) => InvokeResult<C> | Promise<InvokeResult<C>>) | undefined;
    if (!handler) return Promise.reject(new BerthClientError({ kind: 'NotImplemented', code: 'NOT_IMPLEMENTED', message: `${channel} not faked` }));
    return Promise.resolve().then(() => handler(args));
  }

  open<C extends StreamChannel>(channel: C, args: StreamArgs<C>, handlers: StreamHandlers<C>): StreamHandle<C> {
    const stream: OpenStream<C> = { channel, args, handlers, inputs: [], closed: false };
    this.streams.push(stream as unknown as OpenStream);
    return {
      write: (input) => {
        stream.inputs.push(input);
      },
      close: () => {
        stream.closed = true;
      },
    };
  }

  open_<C extends StreamChannel>(channel: C): OpenStream<C>[] {
    return this.streams.filter((s) => s.channel === channel && !s.closed) as unknown as OpenStream<C>[];
  }

  emit<C extends StreamChannel>(channel: C, event: StreamEvent<C>): void {
    for (const s of this.open_(channel)) s.handlers.onEvent(event);
  }

  end<C extends StreamChannel>(channel: C, error?: ErrorEnvelope): void {
    for (const s of this.open_(channel)) {
      s.closed = true;
      s.handlers.onEnd?.(error);
    }
  }

  count(channel: InvokeChannel): number {
    return this.calls.filter((c) => c.channel === channel).length;
  }
}

export function unavailable(message = 'cannot reach berthd at /run/berth/berthd.sock'): BerthClientError {
  return new BerthClientError({ kind: 'Unavailable', code: 'ENGINE_UNAVAILABLE', message });
}
