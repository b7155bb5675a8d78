import { memo, useMemo, useState, type ReactNode } from 'react';
import { Badge } from '../../../components/badge';
import { ConfirmDialog } from '../../../components/confirm-dialog';
import { Dialog } from '../../../components/dialog';
import { PruneDialog } from '../../../components/prune-dialog';
import { EmptyState, InlineError, QueryView } from '../../../components/state-views';
import { useActiveHost } from '../../../lib/active-host';
import { formatBytes } from '../../../lib/format';
import { hrefFor } from '../../../lib/navigation';
import { useNow } from '../../../lib/use-now';
import { useImage, useImages } from '../../../lib/image-queries';
import { usePruneImages } from '../api/prune-images';
import { useRemoveImage } from '../api/remove-image';
import { useImageEvents } from '../hooks/use-image-events';
import { useImageTransfer } from '../../../lib/use-image-transfer';
import { toImageRowViews, toShellFormFlag, type ImageRowView } from '../model/image-mapper';
import { PullDialog } from './pull-dialog';
import { ImageArchiveActions } from './image-archive-actions';
import { TagDialog } from './tag-dialog';
import { TransferProgress } from '../../../components/transfer-progress';

interface RowHandlers {
  onTag: (row: ImageRowView) => void;
  onPush: (row: ImageRowView) => void;
  onRemove: (row: ImageRowView) => void;
}

/**
 * Flags an image whose CMD/ENTRYPOINT is in shell form. The list carries no config, so each image
 * is inspected once (by ID, whatever its tags); the full warning is on its details page.
 */
function ShellFormFlag({ hostId, imageId }: { hostId: string; imageId: string }): ReactNode {
  const flag = toShellFormFlag(useImage(hostId, imageId).data);
  if (!flag) return null;
  return (
    <span data-testid="shell-form-flag" aria-label={flag.title}>
      <Badge tone="warn" title={flag.title}>
        {flag.label}
      </Badge>
    </span>
  );
}

const ImageRow = memo(function ImageRow({ hostId, row, handlers }: { hostId: string; row: ImageRowView; handlers: RowHandlers }): ReactNode {
  return (
    <tr data-image-ref={row.ref}>
      <td>
        <a className="link-button mono" href={hrefFor('images', row.ref)}>
          {row.repoTag}
        </a>{' '}
        {row.dangling ? <Badge tone="muted">dangling</Badge> : null} <ShellFormFlag hostId={hostId} imageId={row.id} />
      </td>
      <td className="mono">{row.shortId}</td>
      <td className="num">{row.size}</td>
      <td className="num">{row.sharedSize}</td>
      <td className="num">{row.uniqueSize}</td>
      <td>{row.created}</td>
      <td className="num">{row.containers}</td>
      <td className="actions">
        <a className="link-button small" href={hrefFor('containers', 'new', row.ref)}>
          Run
        </a>{' '}
        <button type="button" className="small" onClick={() => handlers.onTag(row)}>
          Tag
        </button>
        {!row.dangling ? (
          <button type="button" className="small" onClick={() => handlers.onPush(row)}>
            Push
          </button>
        ) : null}
        <button type="button" className="small danger" onClick={() => handlers.onRemove(row)}>
          Remove
        </button>
      </td>
    </tr>
  );
});

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
  const handlers = useMemo<RowHandlers>(() => ({ onTag: setTagging, onPush: setPushing, onRemove: setRemoving }), []);
  const total = query.data?.reduce((sum, i) => sum + (i.uniqueSize ?? i.size), 0) ?? 0;

  return (
    <section>
      <div className="view-header">
        <h1>Images</h1>
        {query.data ? <span className="hint">{`${query.data.length} image${query.data.length === 1 ? '' : 's'}, ${formatBytes(total)} on disk`}</span> : null}
        <div className="spacer" />
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
        {() => (
          <table className="list" aria-label="Images">
            <thead>
              <tr>
                <th>Repository:tag</th>
                <th>ID</th>
                <th style={{ textAlign: 'right' }}>Size</th>
                <th style={{ textAlign: 'right' }}>Shared</th>
                <th style={{ textAlign: 'right' }}>Unique</th>
                <th>Created</th>
                <th style={{ textAlign: 'right' }}>Containers</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <ImageRow key={row.key} hostId={hostId} row={row} handlers={handlers} />
              ))}
            </tbody>
          </table>
        )}
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
