import type { ReactNode } from 'react';
import type { HostKeyPromptView } from '../../../../../src-shared/ipc/models/hosts';
import { InlineError } from '../../../components/state-views';
import { useActiveHost } from '../../../lib/active-host';
import { useAcceptHostKey } from '../api/accept-host-key';
import { useDisconnectHost } from '../api/disconnect-host';

/**
 * An unknown key is never accepted silently: the user compares the fingerprint and decides.
 * A changed key is refused outright (it may be a man in the middle); there is no button to
 * override it, only instructions.
 */
export function HostKeyPrompt({ hostId, prompt }: { hostId: string; prompt: HostKeyPromptView }): ReactNode {
  const accept = useAcceptHostKey();
  const reject = useDisconnectHost();
  const { setHostId } = useActiveHost();
  if (prompt.reason === 'changed') {
    return (
      <div className="danger-box" role="alert" data-testid="host-key-changed">
        <strong>Host key changed — connection refused</strong>
        <p>
          The {prompt.keyType} key that {prompt.hostPattern} presented is not the one on record. Someone could be intercepting the connection
          (man in the middle), or the server was reinstalled.
        </p>
        <p className="mono">Presented: {prompt.fingerprint}</p>
        {prompt.knownFingerprint ? <p className="mono">On record: {prompt.knownFingerprint}</p> : null}
        <p>If the change is expected, remove the old entry for {prompt.hostPattern} from known_hosts by hand, then connect again.</p>
      </div>
    );
  }
  return (
    <div className="warning-box" role="alertdialog" aria-label="Unknown host key" data-testid="host-key-unknown">
      <strong>Unknown host key</strong>
      <p>
        The authenticity of {prompt.hostPattern} can’t be established. Check that this {prompt.keyType} fingerprint matches the server’s before
        accepting:
      </p>
      <p className="mono" data-testid="host-key-fingerprint">
        {prompt.fingerprint}
      </p>
      <div className="toolbar">
        <button type="button" className="primary" disabled={accept.isPending} onClick={() =>
            // mutateAsync, not mutate's callbacks: this prompt unmounts as soon as the key is accepted.
            void accept
              .mutateAsync({ hostId, fingerprint: prompt.fingerprint })
              .then((s) => (s.state === 'connected' || s.state === 'connecting' ? setHostId(hostId) : undefined))
              .catch(() => undefined)
          }>
          Accept and connect
        </button>
        <button type="button" className="danger" disabled={reject.isPending} onClick={() => reject.mutate(hostId)}>
          Reject
        </button>
      </div>
      <InlineError error={accept.error ?? reject.error} />
    </div>
  );
}
