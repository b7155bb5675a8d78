import { useRef, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { HostConnectionState } from '../../../../../src-shared/ipc/models/hosts';
import { useBridge } from '../../../lib/bridge-context';
import { hostScope } from '../../../lib/query-keys';
import { useStream } from '../../../lib/use-stream';
import { getHostStatusesQueryOptions } from '../../../lib/host-status';
import { mergeHostStatus } from '../model/host-mapper';

/**
 * Keeps the status cache current from `host:status`, and when a host goes down or comes back
 * invalidates everything under its scope, so views show "daemon down" at once and recover
 * without a page reload. If the stream itself ends (the app process went
 * away) it reopens after a short delay and resyncs.
 */
export function useHostStatusSync(): void {
  const bridge = useBridge();
  const qc = useQueryClient();
  const previous = useRef(new Map<string, HostConnectionState>());
  const [generation, setGeneration] = useState(0);
  const statusesKey = getHostStatusesQueryOptions(bridge).queryKey;

  useStream(
    'host:status',
    {},
    {
      onEvent: (status) => {
        qc.setQueryData(statusesKey, (old) => mergeHostStatus(old, status));
        const before = previous.current.get(status.hostId);
        previous.current.set(status.hostId, status.state);
        // Into `connected`: refetch what failed while it was down. Out of it: refetch now, so views
        // show the daemon-down state (with stale data kept) instead of silently stale lists.
        const changed = before !== undefined && (before === 'connected') !== (status.state === 'connected');
        if (changed) void qc.invalidateQueries({ queryKey: hostScope(status.hostId) });
      },
      onEnd: () => {
        setTimeout(() => {
          setGeneration((g) => g + 1);
          // Calls in flight failed with APP_DISCONNECTED: refetch everything once the link is back.
          void qc.invalidateQueries();
        }, 1000);
      },
    },
    generation,
  );
}
