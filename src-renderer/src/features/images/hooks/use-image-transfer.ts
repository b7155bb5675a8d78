import { useCallback, useEffect, useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { ErrorEnvelope } from '../../../../../src-shared/errors/error-kind';
import type { StreamHandle } from '../../../../../src-shared/ipc/bridge';
import type { TransferProgressView } from '../../../../../src-shared/ipc/models/images';
import { useBridge } from '../../../lib/bridge-context';
import { imagesScope } from '../../../lib/image-queries';

export interface ImageTransfer {
  progress: TransferProgressView | null;
  running: boolean;
  /** Set when the stream ended with an error (the last snapshot may have more detail). */
  error: ErrorEnvelope | null;
  start: (ref: string) => void;
  cancel: () => void;
}

/**
 * A pull or push as a stream of progress snapshots. Main aggregates and throttles, so each
 * event simply replaces the previous snapshot. The image list refreshes when it ends.
 */
export function useImageTransfer(hostId: string, channel: 'images:pull' | 'images:push'): ImageTransfer {
  const bridge = useBridge();
  const qc = useQueryClient();
  const [progress, setProgress] = useState<TransferProgressView | null>(null);
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<ErrorEnvelope | null>(null);
  const handle = useRef<StreamHandle<typeof channel> | null>(null);

  const start = useCallback(
    (ref: string) => {
      handle.current?.close();
      setProgress(null);
      setError(null);
      setRunning(true);
      const h = bridge.open(
        channel,
        { hostId, ref },
        {
          onEvent: (p) => setProgress(p),
          onEnd: (err) => {
            if (handle.current === h) handle.current = null;
            setRunning(false);
            setError(err ?? null);
            void qc.invalidateQueries({ queryKey: imagesScope(hostId) });
          },
        },
      );
      handle.current = h;
    },
    [bridge, channel, hostId, qc],
  );
  const cancel = useCallback(() => {
    handle.current?.close();
    handle.current = null;
    setRunning(false);
  }, []);
  useEffect(() => () => handle.current?.close(), []);
  return { progress, running, error, start, cancel };
}
