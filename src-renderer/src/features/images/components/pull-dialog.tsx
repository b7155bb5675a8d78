import { useState, type ReactNode } from 'react';
import { Dialog } from '../../../components/dialog';
import { ErrorState } from '../../../components/state-views';
import { useImageTransfer } from '../hooks/use-image-transfer';
import { TransferProgress } from './transfer-progress';

/** Pull with progress. Docker Hub names (`busybox`) go through the configured mirrors in order. */
export function PullDialog({ hostId, onClose }: { hostId: string; onClose: () => void }): ReactNode {
  const [ref, setRef] = useState('');
  const pull = useImageTransfer(hostId, 'images:pull');
  const done = pull.progress?.state === 'done';
  return (
    <Dialog
      title="Pull an image"
      wide
      onClose={onClose}
      footer={
        <>
          {pull.running ? (
            <button type="button" onClick={pull.cancel}>
              Cancel pull
            </button>
          ) : null}
          <button type="button" onClick={onClose}>
            {done ? 'Close' : 'Cancel'}
          </button>
          <button type="submit" form="pull-form" className="primary" disabled={pull.running || ref.trim() === ''}>
            {pull.running ? 'Pulling…' : 'Pull'}
          </button>
        </>
      }
    >
      <form
        id="pull-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (ref.trim() !== '') pull.start(ref.trim());
        }}
      >
        <label className="field">
          <span>Image reference</span>
          <input aria-label="Image reference" className="mono" value={ref} onChange={(e) => setRef(e.target.value)} placeholder="busybox:latest or 127.0.0.1:5000/app:1.0" />
        </label>
      </form>
      {pull.progress ? <TransferProgress progress={pull.progress} /> : null}
      {pull.error && !pull.progress?.error ? <ErrorState error={pull.error} onRetry={() => pull.start(ref.trim())} /> : null}
    </Dialog>
  );
}
