import { useEffect, useRef } from 'react';
import type { ErrorEnvelope } from '../../../src-shared/errors/error-kind';
import type { StreamHandle } from '../../../src-shared/ipc/bridge';
import type { StreamArgs, StreamChannel, StreamEvent } from '../../../src-shared/ipc/contract';
import { useBridge } from './bridge-context';

export interface UseStreamHandlers<C extends StreamChannel> {
  onEvent: (event: StreamEvent<C>) => void;
  onEnd?: (error?: ErrorEnvelope) => void;
  onOpen?: (handle: StreamHandle<C>) => void;
}

/**
 * Keeps one contract stream open while the component is mounted and `args` is not null. The
 * stream reopens only when the args' JSON changes (or `generation` is bumped), never because the
 * handlers changed: they are read through a ref so callers can pass inline closures.
 */
export function useStream<C extends StreamChannel>(channel: C, args: StreamArgs<C> | null, handlers: UseStreamHandlers<C>, generation = 0): void {
  const bridge = useBridge();
  const ref = useRef(handlers);
  ref.current = handlers;
  const key = args === null ? null : JSON.stringify(args);
  useEffect(() => {
    if (key === null) return;
    let ended = false;
    const handle = bridge.open(channel, JSON.parse(key) as StreamArgs<C>, {
      onEvent: (event) => ref.current.onEvent(event),
      onEnd: (error) => {
        ended = true;
        ref.current.onEnd?.(error);
      },
    });
    ref.current.onOpen?.(handle);
    return () => {
      if (!ended) handle.close();
    };
  }, [bridge, channel, key, generation]);
}
