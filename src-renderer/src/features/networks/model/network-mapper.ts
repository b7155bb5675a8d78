import type { NetworkView } from '../../../../../src-shared/ipc/models/networks';
import { formatAgo } from '../../../lib/format';

export interface NetworkRowView {
  id: string;
  shortId: string;
  name: string;
  driver: string;
  predefined: boolean;
  internal: boolean;
  /** `172.18.0.0/16` (several joined by ", "); `—` for host and none. */
  subnet: string;
  gateway: string;
  /** `web 172.18.0.2, db 172.18.0.3`. */
  containers: string;
  containerCount: number;
  created: string;
  createdMs: number;
  /** Why it cannot be removed now, or null. */
  removeBlocker: string | null;
}

export function toNetworkRowView(n: NetworkView, now: number): NetworkRowView {
  const dash = (s: string): string => (s === '' ? '—' : s);
  return {
    id: n.id,
    shortId: n.id.slice(0, 12),
    name: n.name,
    driver: n.driver,
    predefined: n.predefined,
    internal: n.internal,
    subnet: dash(n.subnets.map((s) => s.subnet).filter(Boolean).join(', ')),
    gateway: dash(n.subnets.map((s) => s.gateway).filter(Boolean).join(', ')),
    containers: n.endpoints.map((e) => (e.ipv4 ? `${e.containerName} ${e.ipv4}` : e.containerName)).join(', '),
    containerCount: n.endpoints.length,
    created: n.created > 0 ? formatAgo(n.created, now) : '—',
    createdMs: n.created,
    removeBlocker: n.predefined
      ? 'A predefined network cannot be removed.'
      : n.endpoints.length > 0
        ? `In use by ${n.endpoints.length} container${n.endpoints.length === 1 ? '' : 's'}: disconnect or remove them first.`
        : null,
  };
}
