import { useState } from 'react';
import type { StatsSummaryView } from '../../../../../src-shared/ipc/models/containers';
import { useStream } from '../../../lib/use-stream';

/** Latest CPU/memory of every running container, pushed by main about every 2 s. */
export function useStatsSummary(hostId: string, enabled = true): StatsSummaryView['byId'] {
  const [byId, setById] = useState<StatsSummaryView['byId']>({});
  useStream('containers:stats-summary', enabled ? { hostId } : null, { onEvent: (e) => setById(e.byId) });
  return byId;
}
