import { useMutation } from '@tanstack/react-query';
import type { BerthBridge } from '../../../../../src-shared/ipc/bridge';
import type { MirrorsUpdate, MirrorsValidationView } from '../../../../../src-shared/ipc/models/mirrors';
import { useBridge } from '../../../lib/bridge-context';

/** A dry run on the daemon: never changes anything. */
export function validateMirrors(bridge: BerthBridge, hostId: string, update: MirrorsUpdate): Promise<MirrorsValidationView> {
  return bridge.invoke('mirrors:validate', { hostId, update });
}

export function useValidateMirrors() {
  const bridge = useBridge();
  return useMutation({ mutationFn: (args: { hostId: string; update: MirrorsUpdate }) => validateMirrors(bridge, args.hostId, args.update) });
}
