import type { MirrorsHealthView } from '../../../../../src-shared/ipc/models/mirrors';
import type { BadgeTone } from '../../../components/badge';
import { formatLatency } from '../../../lib/format';

export interface HealthRowView {
  key: string;
  url: string;
  registry: string;
  reachableLabel: string;
  tone: BadgeTone;
  latency: string;
  detail: string;
}

export function toHealthRows(h: MirrorsHealthView): HealthRowView[] {
  return h.mirrors.map((m) => ({
    key: `${m.registry} ${m.url}`,
    url: m.url,
    registry: m.registry,
    reachableLabel: m.reachable ? 'Reachable' : 'Unreachable',
    tone: m.reachable ? 'ok' : 'danger',
    latency: formatLatency(m.latencyMs),
    detail: m.error ?? (m.status !== null ? `HTTP ${m.status}` : ''),
  }));
}
