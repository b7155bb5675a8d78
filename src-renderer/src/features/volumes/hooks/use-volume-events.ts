import { useRef } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useStream } from '../../../lib/use-stream';
import { volumesScope } from '../api/volume-queries';

const COALESCE_MS = 200;

/** Volume events, and container create/destroy/die (users and sizes change), refresh the list. */
export function useVolumeEvents(hostId: string): void {
  const qc = useQueryClient();
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useStream(
    'engine:events',
    { hostId, types: ['volume', 'container'] },
    {
      onEvent: (event) => {
        if (event.type === 'container' && !['create', 'destroy', 'die', 'start'].includes(event.action)) return;
        if (timer.current !== undefined) return;
        timer.current = setTimeout(() => {
          timer.current = undefined;
          void qc.invalidateQueries({ queryKey: volumesScope(hostId) });
        }, COALESCE_MS);
      },
    },
  );
}
