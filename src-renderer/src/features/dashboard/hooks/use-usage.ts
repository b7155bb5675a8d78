import { useMemo, useState } from 'react';
import type { StatsSummaryView } from '../../../../../src-shared/ipc/models/containers';
import { useStream } from '../../../lib/use-stream';
import { useEngineInfo } from '../api/get-engine-info';
import { toUsageView, type UsageView } from '../model/usage';

/** Engine facts plus live CPU/memory of its running containers (the stats-summary stream). */
export function useUsage(hostId: string, enabled: boolean) {
  const info = useEngineInfo(hostId);
  const [byId, setById] = useState<StatsSummaryView['byId']>({});
  useStream('containers:stats-summary', enabled && info.isSuccess ? { hostId } : null, { onEvent: (e) => setById(e.byId) });
  const usage = useMemo<UsageView>(() => toUsageView(byId, info.data?.ncpu, info.data?.memTotal), [byId, info.data?.ncpu, info.data?.memTotal]);
  return { info, usage };
}
