import type { ReactNode } from 'react';
import type { TransferProgressView } from '../../../src-shared/ipc/models/images';
import { toTransferView } from '../lib/transfer-mapper';
import type { TransferOutcome } from '../lib/use-image-transfer';
import { ProgressBar } from './progress-bar';

/** Per-layer progress bars, the overall bar, and which mirror served the pull. */
export function TransferProgress({ progress, outcome }: { progress: TransferProgressView; outcome?: TransferOutcome | null }): ReactNode {
  const v = toTransferView(progress, outcome);
  return (
    <div className="transfer" data-testid="transfer-progress" data-state={v.state}>
      <div className="toolbar">
        <strong>{v.ref}</strong>
        <span className={`hint transfer-state-${v.state}`} data-testid="transfer-state">
          {v.stateLabel}
        </span>
        <div className="spacer" />
        <span className="hint">{v.overallText}</span>
      </div>
      <ProgressBar fraction={v.overall} label="Overall progress" tone={v.state === 'error' ? 'danger' : v.state === 'cancelled' ? 'muted' : undefined} />
      {v.servedBy ? (
        <div className="banner banner-info" data-testid="served-by">
          {v.servedBy}
        </div>
      ) : null}
      {v.failures.map((f) => (
        <div key={f} className="banner banner-warn" data-testid="mirror-failure">
          {f}
        </div>
      ))}
      <div style={{ marginTop: 10 }}>
        {v.layers.map((l) => (
          <div className="pull-layer" key={l.id} data-testid="layer-progress">
            <span className="mono">{l.id}</span>
            <ProgressBar fraction={l.fraction} label={`Layer ${l.id}`} tone={v.state === 'cancelled' || v.state === 'error' ? 'muted' : undefined} />
            <span className="hint">
              {l.status}
              {l.detail ? ` · ${l.detail}` : ''}
            </span>
          </div>
        ))}
      </div>
      {v.lastMessage ? <div className="hint">{v.lastMessage}</div> : null}
      {v.error ? (
        <div className="inline-error" role="alert" data-testid="transfer-error">
          {v.error}
        </div>
      ) : null}
    </div>
  );
}
