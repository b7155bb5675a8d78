import { useRef } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useStream } from '../../../lib/use-stream';
import { containersScope } from '../api/get-containers';
import { isListChangingEvent } from '../model/container-events';

const COALESCE_MS = 200;

/**
 * Live list without polling: container events invalidate the host's container queries. A burst
 * (prune of 50 containers, a restart = die+start) becomes one refetch per COALESCE_MS window.
 */
export function useContainerEvents(hostId: string): void {
  const qc = useQueryClient();
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useStream(
    'engine:events',
    { hostId, types: ['container'] },
    {
      onEvent: (event) => {
        if (!isListChangingEvent(event) || timer.current !== undefined) return;
        timer.current = setTimeout(() => {
          timer.current = undefined;
          void qc.invalidateQueries({ queryKey: containersScope(hostId) });
        }, COALESCE_MS);
      },
    },
  );
}
