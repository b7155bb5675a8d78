import { useRef } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useBridge } from '../../../lib/bridge-context';
import { diskUsageQueryOptions } from '../../../lib/disk-usage-queries';
import { useStream } from '../../../lib/use-stream';
import { engineInfoQueryOptions } from '../api/get-engine-info';

const COALESCE_MS = 300;

/**
 * Container, image and volume events refresh the counts and disk figures while the dashboard is
 * open (the engine info is otherwise cached for 30 s, too stale right after a `docker run`).
 */
export function useDashboardEvents(hostId: string): void {
  const qc = useQueryClient();
  const bridge = useBridge();
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useStream(
    'engine:events',
    { hostId, types: ['container', 'image', 'volume'] },
    {
      onEvent: () => {
        if (timer.current !== undefined) return;
        timer.current = setTimeout(() => {
          timer.current = undefined;
          void qc.invalidateQueries({ queryKey: engineInfoQueryOptions(bridge, hostId).queryKey });
          void qc.invalidateQueries({ queryKey: diskUsageQueryOptions(bridge, hostId).queryKey });
        }, COALESCE_MS);
      },
    },
  );
}
