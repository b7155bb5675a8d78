import { useMemo, useState, type ReactNode } from 'react';
import { FilterInput } from '../../../components/data-table';
import { ConfirmDialog } from '../../../components/confirm-dialog';
import { Dialog } from '../../../components/dialog';
import { PruneDialog } from '../../../components/prune-dialog';
import { EmptyState, InlineError, QueryView } from '../../../components/state-views';
import { useActiveHost } from '../../../lib/active-host';
import { useNow } from '../../../lib/use-now';
import { useImages } from '../../../lib/image-queries';
import { useDiskUsage } from '../../../lib/disk-usage-queries';
import { usePruneImages } from '../api/prune-images';
import { useRemoveImage } from '../api/remove-image';
import { useImageEvents } from '../hooks/use-image-events';
import { useImageTransfer } from '../../../lib/use-image-transfer';
import { imagePruneDetail, toImageRowViews, toImagesSummary, type ImageRowView } from '../model/image-mapper';
import { ImageTable, type ImageRowHandlers } from './image-table';
import { PullDialog } from './pull-dialog';
import { ImageArchiveActions } from './image-archive-actions';
import { TagDialog } from './tag-dialog';
import { TransferProgress } from '../../../components/transfer-progress';

function PushDialog({ hostId, ref, onClose }: { hostId: string; ref: string; onClose: () => void }): ReactNode {
  const push = useImageTransfer(hostId, 'images:push');
  return (
    <Dialog
      title={`Push ${ref}`}
      wide
      onClose={onClose}
      footer={
        <>
          <button type="button" onClick={onClose}>
            Close
          </button>
          <button type="button" className="primary" disabled={push.running} onClick={() => push.start(ref)}>
            {push.running ? 'Pushing…' : 'Push'}
          </button>
        </>
      }
    >
      <p className="hint">Pushes to the registry named in the reference (Docker Hub when it names none).</p>
      {push.progress ? <TransferProgress progress={push.progress} /> : null}
      <InlineError error={push.error && !push.progress?.error ? push.error : null} />
    </Dialog>
  );
}

export function ImagesView(): ReactNode {
  const { hostId } = useActiveHost();
  const query = useImages(hostId);
  useImageEvents(hostId);
  const now = useNow(60_000);
  const rows = useMemo(() => (query.data ? toImageRowViews(query.data, now) : []), [query.data, now]);
  const [pulling, setPulling] = useState(false);
  const [tagging, setTagging] = useState<ImageRowView | null>(null);
  const [pushing, setPushing] = useState<ImageRowView | null>(null);
  const [removing, setRemoving] = useState<ImageRowView | null>(null);
  const [pruning, setPruning] = useState(false);
  const [pruneAll, setPruneAll] = useState(false);
  const remove = useRemoveImage();
  const prune = usePruneImages();
  const handlers = useMemo<ImageRowHandlers>(() => ({ onTag: setTagging, onPush: setPushing, onRemove: setRemoving }), []);
  const df = useDiskUsage(hostId);
  const [filter, setFilter] = useState('');

  return (
    <section>
      <div className="view-header">
        <h1>Images</h1>
        {query.data ? (
          <span className="hint" data-testid="images-summary" data-disk-bytes={df.data?.images.size}>
            {toImagesSummary(query.data, df.data)}
          </span>
        ) : null}
        <div className="spacer" />
        <FilterInput label="Filter images" placeholder="Filter by name or ID" value={filter} onChange={setFilter} />
        <ImageArchiveActions hostId={hostId} refs={rows.filter((r) => !r.ref.startsWith('sha256:')).map((r) => r.ref)} />
        <button type="button" onClick={() => setPruning(true)}>
          Prune
        </button>
        <button type="button" className="primary" onClick={() => setPulling(true)}>
          Pull image
        </button>
      </div>
      <InlineError error={remove.error} />
      <QueryView
        query={query}
        loadingLabel="Loading images…"
        isEmpty={(d) => d.length === 0}
        empty={
          <EmptyState title="No images yet">
            Pull one with <em>Pull image</em>.
          </EmptyState>
        }
      >
        {() => <ImageTable hostId={hostId} rows={rows} handlers={handlers} filter={filter} />}
      </QueryView>
      {pulling ? <PullDialog hostId={hostId} onClose={() => setPulling(false)} /> : null}
      {tagging ? <TagDialog hostId={hostId} source={tagging.ref} onClose={() => setTagging(null)} /> : null}
      {pushing ? <PushDialog hostId={hostId} ref={pushing.ref} onClose={() => setPushing(null)} /> : null}
      {removing ? (
        <ConfirmDialog
          title={`Remove ${removing.repoTag}?`}
          confirmLabel="Remove"
          danger
          busy={remove.isPending}
          onClose={() => setRemoving(null)}
          onConfirm={() => {
            remove.mutate({ hostId, ref: removing.ref }, { onSettled: () => setRemoving(null) });
          }}
        >
          Untags it; its layers are deleted only when no other image uses them.
        </ConfirmDialog>
      ) : null}
      {pruning ? (
        <PruneDialog
          title="Prune images"
          removed={(n) => `Deleted ${n} image${n === 1 ? '' : 's'}`}
          detail={(r) => imagePruneDetail(r)}
          prune={prune}
          run={() => prune.mutate({ hostId, all: pruneAll })}
          onClose={() => setPruning(false)}
        >
          <p>Removes dangling images (no tag, not used by a container).</p>
          <label className="check">
            <input type="checkbox" checked={pruneAll} onChange={(e) => setPruneAll(e.target.checked)} /> Also remove every image no container uses
          </label>
        </PruneDialog>
      ) : null}
    </section>
  );
}
