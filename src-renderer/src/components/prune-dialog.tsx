import type { ReactNode } from 'react';
import type { PruneResultView } from '../../../src-shared/ipc/models/containers';
import { formatBytes } from '../lib/format';
import { ConfirmDialog } from './confirm-dialog';
import { InlineError } from './state-views';

/** The slice of a prune mutation (React Query's `useMutation` result) the dialog reads. */
export interface PruneState {
  isPending: boolean;
  isSuccess: boolean;
  data: PruneResultView | undefined;
  error: unknown;
  reset: () => void;
}

/**
 * Asks before a prune, runs it, then reports how many went and the space reclaimed, with the
 * confirm button turned into "Done". `children` says what will be removed (shown until it ran).
 * Closing resets the mutation, so the next prune starts from the question again.
 */
export function PruneDialog({
  title,
  removed,
  detail,
  prune,
  run,
  onClose,
  children,
  reportsSpace = true,
}: {
  title: string;
  /** The report's start for `count` items, e.g. "Removed 2 containers". */
  removed: (count: number) => string;
  /** More of the report after the count (e.g. an image prune's layers), null for nothing more. */
  detail?: (result: PruneResultView) => string | null;
  prune: PruneState;
  run: () => void;
  onClose: () => void;
  children: ReactNode;
  /** False for things that take no disk space (networks): the report then names no bytes. */
  reportsSpace?: boolean;
}): ReactNode {
  const close = (): void => {
    prune.reset();
    onClose();
  };
  return (
    <ConfirmDialog title={title} confirmLabel={prune.isSuccess ? 'Done' : 'Prune'} busy={prune.isPending} done={prune.isSuccess} onClose={close} onConfirm={prune.isSuccess ? close : run}>
      {prune.data ? (
        <p role="status">
          {removed(prune.data.deleted.length)}
          {detail?.(prune.data) ? ` (${detail(prune.data)})` : ''}
          {reportsSpace ? `, reclaimed ${formatBytes(prune.data.spaceReclaimed)}` : ''}.
        </p>
      ) : (
        children
      )}
      <InlineError error={prune.error} />
    </ConfirmDialog>
  );
}
