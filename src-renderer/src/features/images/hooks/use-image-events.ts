import { useRef } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useStream } from '../../../lib/use-stream';
import { imagesScope } from '../../../lib/image-queries';

const COALESCE_MS = 200;

/** Image events (pull, tag, untag, delete, and container create/destroy changing usage counts) refresh the list. */
export function useImageEvents(hostId: string): void {
  const qc = useQueryClient();
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useStream(
    'engine:events',
    { hostId, types: ['image', 'container'] },
    {
      onEvent: (event) => {
        if (event.type === 'container' && event.action !== 'create' && event.action !== 'destroy') return;
        if (timer.current !== undefined) return;
        timer.current = setTimeout(() => {
          timer.current = undefined;
          void qc.invalidateQueries({ queryKey: imagesScope(hostId) });
        }, COALESCE_MS);
      },
    },
  );
}
