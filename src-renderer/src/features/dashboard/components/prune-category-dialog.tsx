import { useState, type ReactNode } from 'react';
import { CheckboxField } from '../../../components/fields';
import { PruneDialog } from '../../../components/prune-dialog';
import { useToast } from '../../../components/toast';
import { usePruneDiskCategory } from '../api/prune-disk-category';
import type { DiskCategory } from '../model/dashboard-mapper';

interface PruneCopy {
  title: string;
  noun: string;
  what: string;
  /** The wider prune the CLI offers with `-a`, if any. */
  allLabel?: string;
}

// Same wording as the Images and Volumes views' prune dialogs, so both places promise the same thing.
const COPY: Record<DiskCategory, PruneCopy> = {
  containers: { title: 'Prune containers', noun: 'container', what: 'Removes every stopped container.' },
  images: { title: 'Prune images', noun: 'image', what: 'Removes dangling images (no tag, not used by a container).', allLabel: 'Also remove every image no container uses' },
  volumes: { title: 'Prune volumes', noun: 'volume', what: 'Removes anonymous volumes that no container uses.', allLabel: 'Also remove named volumes no container uses' },
  buildCache: { title: 'Prune build cache', noun: 'build cache record', what: 'Removes the build cache records no build is using.' },
};

/** Asks, prunes one `system df` category of the host and reports what went. */
export function PruneCategoryDialog({ hostId, category, onClose }: { hostId: string; category: DiskCategory; onClose: () => void }): ReactNode {
  const prune = usePruneDiskCategory();
  const toast = useToast();
  const [all, setAll] = useState(false);
  const copy = COPY[category];
  const run = (): void =>
    prune.mutate(
      { hostId, category, all },
      { onError: (err) => toast.error(`${copy.title} failed`, err) },
    );
  return (
    <PruneDialog
      title={copy.title}
      removed={(n) => `Removed ${n} ${copy.noun}${n === 1 ? '' : 's'}`}
      detail={(r) => (r.layersDeleted ? `${r.layersDeleted} layer${r.layersDeleted === 1 ? '' : 's'}` : null)}
      prune={prune}
      run={run}
      onClose={onClose}
    >
      <p>{copy.what}</p>
      {copy.allLabel ? <CheckboxField label={copy.allLabel} checked={all} onCheckedChange={setAll} /> : null}
    </PruneDialog>
  );
}
