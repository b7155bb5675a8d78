import { useState, type ReactNode } from 'react';
import { Dialog } from '../../../components/dialog';
import { InlineError } from '../../../components/state-views';
import { useTagImage } from '../api/tag-image';
import { parseTagTarget } from '../model/tag-target';

export function TagDialog({ hostId, source, onClose }: { hostId: string; source: string; onClose: () => void }): ReactNode {
  const [target, setTarget] = useState('');
  const tag = useTagImage();
  const parsed = parseTagTarget(target);
  return (
    <Dialog
      title={`Tag ${source}`}
      onClose={onClose}
      footer={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="tag-form" className="primary" disabled={!parsed.ok || tag.isPending}>
            Tag
          </button>
        </>
      }
    >
      <form
        id="tag-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (parsed.ok) tag.mutate({ hostId, ref: source, repo: parsed.repo, tag: parsed.tag }, { onSuccess: onClose });
        }}
      >
        <label className="field">
          <span>New reference (repo[:tag])</span>
          <input aria-label="New reference" className="mono" value={target} onChange={(e) => setTarget(e.target.value)} placeholder="127.0.0.1:5000/busybox:v1" />
          {target !== '' && !parsed.ok ? <div className="field-error">{parsed.error}</div> : null}
        </label>
        <InlineError error={tag.error} />
      </form>
    </Dialog>
  );
}
