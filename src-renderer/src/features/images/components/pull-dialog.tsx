import { useState, type ReactNode } from 'react';
import { Download } from 'lucide-react';
import { Button } from '../../../components/button';
import { Dialog } from '../../../components/dialog';
import { TextField } from '../../../components/fields';
import { ErrorState } from '../../../components/state-views';
import { TransferProgress } from '../../../components/transfer-progress';
import { useToast } from '../../../components/toast';
import { useImageTransfer } from '../../../lib/use-image-transfer';

/**
 * Pull with progress. Docker Hub names (`busybox`) go through the configured mirrors in order.
 * Cancelling closes the stream, which aborts the engine's pull; the view says "Cancelled" and
 * the bars stop. A finished pull leaves only Close.
 */
export function PullDialog({ hostId, onClose }: { hostId: string; onClose: () => void }): ReactNode {
  const [ref, setRef] = useState('');
  const pull = useImageTransfer(hostId, 'images:pull');
  const toast = useToast();
  const done = pull.outcome === 'done';
  const start = (): void => {
    const r = ref.trim();
    if (r === '') return;
    pull.start(r, { onDone: (ok) => (ok ? toast.success(`Pulled ${r}`) : undefined) });
  };
  return (
    <Dialog
      title="Pull an image"
      wide
      onClose={onClose}
      footer={
        pull.running ? (
          <Button onClick={pull.cancel}>Cancel pull</Button>
        ) : done ? (
          <Button variant="primary" onClick={onClose}>
            Close
          </Button>
        ) : (
          <>
            <Button onClick={onClose}>Cancel</Button>
            <Button type="submit" form="pull-form" variant="primary" icon={Download} disabled={ref.trim() === ''}>
              {pull.outcome === 'failed' || pull.outcome === 'cancelled' ? 'Pull again' : 'Pull'}
            </Button>
          </>
        )
      }
    >
      <form
        id="pull-form"
        onSubmit={(e) => {
          e.preventDefault();
          start();
        }}
      >
        <TextField label="Image reference" className="mono" value={ref} onChange={(e) => setRef(e.target.value)} placeholder="busybox:latest or 127.0.0.1:5000/app:1.0" disabled={pull.running} />
      </form>
      {pull.progress ? <TransferProgress progress={pull.progress} outcome={pull.outcome} /> : null}
      {/* No Retry in the alert: the footer's Pull again is the one way to try again. */}
      {pull.error && !pull.progress?.error ? <ErrorState error={pull.error} /> : null}
    </Dialog>
  );
}
