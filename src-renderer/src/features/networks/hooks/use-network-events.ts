import { useRef } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useStream } from '../../../lib/use-stream';
import { networksScope } from '../../../lib/network-queries';

const COALESCE_MS = 200;

/** Network events (create, destroy, connect, disconnect) and container starts and exits refresh the list. */
export function useNetworkEvents(hostId: string): void {
  const qc = useQueryClient();
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useStream(
    'engine:events',
    { hostId, types: ['network', 'container'] },
    {
      onEvent: (event) => {
        if (event.type === 'container' && !['destroy', 'die', 'start'].includes(event.action)) return;
        if (timer.current !== undefined) return;
        timer.current = setTimeout(() => {
          timer.current = undefined;
          void qc.invalidateQueries({ queryKey: networksScope(hostId) });
        }, COALESCE_MS);
      },
    },
  );
}
