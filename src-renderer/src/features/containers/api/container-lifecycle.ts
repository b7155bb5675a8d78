import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { ContainerUpdateSpec } from '../../../../../src-shared/ipc/models/containers';
import { useBridge } from '../../../lib/bridge-context';
import { containersScope } from './get-containers';

/** Pause, unpause, rename and update of one container; each refreshes the host's container queries. */
export function useContainerLifecycle() {
  const bridge = useBridge();
  const qc = useQueryClient();
  const refresh = (hostId: string): Promise<void> => qc.invalidateQueries({ queryKey: containersScope(hostId) });
  return {
    pause: useMutation({
      mutationFn: (a: { hostId: string; id: string }): Promise<void> => bridge.invoke('containers:pause', a),
      onSettled: (_r, _e, a) => refresh(a.hostId),
    }),
    unpause: useMutation({
      mutationFn: (a: { hostId: string; id: string }): Promise<void> => bridge.invoke('containers:unpause', a),
      onSettled: (_r, _e, a) => refresh(a.hostId),
    }),
    rename: useMutation({
      mutationFn: (a: { hostId: string; id: string; name: string }): Promise<void> => bridge.invoke('containers:rename', a),
      onSettled: (_r, _e, a) => refresh(a.hostId),
    }),
    update: useMutation({
      mutationFn: (a: { hostId: string; id: string; update: ContainerUpdateSpec }): Promise<{ warnings: string[] }> => bridge.invoke('containers:update', a),
      onSettled: (_r, _e, a) => refresh(a.hostId),
    }),
  };
}
