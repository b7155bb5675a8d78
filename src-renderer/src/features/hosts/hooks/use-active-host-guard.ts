import { useEffect } from 'react';
import { LOCAL_HOST_ID } from '../../../../../src-shared/ipc/models/hosts';
import { useActiveHost } from '../../../lib/active-host';
import { useHosts } from '../api/get-hosts';

/**
 * The active host must exist. A stored id of a host removed meanwhile (another window, an older
 * session, a hand-edited file) falls back to this machine, and the fallback is stored, so a
 * reload never shows "no host with id …".
 */
export function useActiveHostGuard(): void {
  const hosts = useHosts();
  const { hostId, setHostId } = useActiveHost();
  const known = hosts.data?.some((h) => h.id === hostId);
  useEffect(() => {
    if (hosts.data && !known) setHostId(LOCAL_HOST_ID);
  }, [hosts.data, known, setHostId]);
}
