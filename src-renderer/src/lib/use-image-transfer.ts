import { useCallback, useEffect, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { ErrorEnvelope } from '../../../src-shared/errors/error-kind';
import type { StreamHandle } from '../../../src-shared/ipc/bridge';
import type { TransferProgressView } from '../../../src-shared/ipc/models/images';
import { useBridge } from './bridge-context';
import { imagesScope } from './image-queries';

/** How the transfer ended, as the person sees it ('cancelled' is the person's own doing). */
export type TransferOutcome = 'running' | 'done' | 'failed' | 'cancelled';

export interface ImageTransfer {
  progress: TransferProgressView | null;
  running: boolean;
  outcome: TransferOutcome | null;
  /** Set when the stream ended with an error (the last snapshot may have more detail). */
  error: ErrorEnvelope | null;
  /** `onDone(true)` after a complete transfer, `onDone(false)` after a failure or cancel. */
  start: (ref: string, opts?: { onDone?: (ok: boolean) => void }) => void;
  cancel: () => void;
}

/**
 * A pull or push as a stream of progress snapshots. Main aggregates and throttles, so each
 * event simply replaces the previous snapshot. The image list refreshes when it ends. Closing
 * the stream (cancel) aborts the engine's request, so the transfer really stops.
 */
export function useImageTransfer(hostId: string, channel: 'images:pull' | 'images:push'): ImageTransfer {
  const bridge = useBridge();
  const qc = useQueryClient();
  const [progress, setProgress] = useState<TransferProgressView | null>(null);
  const [outcome, setOutcome] = useState<TransferOutcome | null>(null);
  const [error, setError] = useState<ErrorEnvelope | null>(null);
  const handle = useRef<StreamHandle<typeof channel> | null>(null);
  const onDone = useRef<((ok: boolean) => void) | undefined>(undefined);

  const start = useCallback<ImageTransfer['start']>(
    (ref, opts) => {
      handle.current?.close();
      setProgress(null);
      setError(null);
      setOutcome('running');
      onDone.current = opts?.onDone;
      let last: TransferProgressView | null = null;
      const h = bridge.open(
        channel,
        { hostId, ref },
        {
          onEvent: (p) => {
            last = p;
            setProgress(p);
          },
          onEnd: (err) => {
            if (handle.current !== h) return;
            handle.current = null;
            const failed = err !== undefined || last?.state === 'error';
            setOutcome(failed ? 'failed' : 'done');
            setError(err ?? null);
            void qc.invalidateQueries({ queryKey: imagesScope(hostId) });
            onDone.current?.(!failed);
          },
        },
      );
      handle.current = h;
    },
    [bridge, channel, hostId, qc],
  );
  const cancel = useCallback(() => {
    if (!handle.current) return;
    handle.current.close();
    handle.current = null;
    setOutcome('cancelled');
    void qc.invalidateQueries({ queryKey: imagesScope(hostId) });
    onDone.current?.(false);
  }, [hostId, qc]);
  useEffect(() => () => handle.current?.close(), []);
  return { progress, running: outcome === 'running', outcome, error, start, cancel };
}
