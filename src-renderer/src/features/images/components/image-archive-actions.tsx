import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type ReactNode } from 'react';
import { Dialog } from '../../../components/dialog';
import { InlineError } from '../../../components/state-views';
import { useBridge } from '../../../lib/bridge-context';
import { fileToBase64, saveDownload } from '../../../lib/download';
import { parseTagTarget } from '../model/tag-target';

/**
 * The Images view's data actions: commit a container to a new image, save images to an archive
 * (downloaded), load an archive (uploaded). All through the engine API of the active host.
 */
export function ImageArchiveActions({ hostId, refs }: { hostId: string; refs: readonly string[] }): ReactNode {
  const bridge = useBridge();
  const qc = useQueryClient();
  const [dialog, setDialog] = useState<'commit' | 'save' | undefined>();
  const [busy, setBusy] = useState<string | undefined>();
  const [error, setError] = useState<unknown>();
  const [result, setResult] = useState<string | undefined>();
  const loadInput = useRef<HTMLInputElement>(null);

  const run = async (label: string, work: () => Promise<string | undefined>): Promise<boolean> => {
    setBusy(label);
    setError(undefined);
    setResult(undefined);
    try {
      setResult(await work());
      await qc.invalidateQueries({ queryKey: ['hosts', hostId] });
      return true;
    } catch (err) {
      setError(err);
      return false;
    } finally {
      setBusy(undefined);
    }
  };

  const onLoad = (files: FileList | null): void => {
    const file = files?.[0];
    if (!file) return;
    void run(`Loading ${file.name}`, async () => {
      const { lines } = await bridge.invoke('images:load', { hostId, base64: await fileToBase64(file) });
      return lines.join('\n');
    });
    if (loadInput.current) loadInput.current.value = '';
  };

  return (
    <>
      <button type="button" onClick={() => setDialog('commit')}>
        Commit container…
      </button>
      <button type="button" disabled={refs.length === 0} onClick={() => setDialog('save')}>
        Save…
      </button>
      <label className="button">
        Load…
        <input ref={loadInput} type="file" aria-label="Load image archive" hidden accept=".tar,.tar.gz,.tgz,application/x-tar" onChange={(e) => onLoad(e.currentTarget.files)} />
      </label>
      {busy || result || error ? (
        <div className="archive-status" role="status" aria-live="polite">
          {busy ? <span className="hint">{busy}…</span> : null}
          {result ? <pre className="hint mono">{result}</pre> : null}
          <InlineError error={error} />
        </div>
      ) : null}
      {dialog === 'commit' ? <CommitDialog hostId={hostId} busy={busy !== undefined} onClose={() => setDialog(undefined)} onCommit={(id, target, message) => run('Committing', async () => `Created ${(await bridge.invoke('containers:commit', { hostId, id, ...target, ...(message ? { comment: message } : {}) })).imageId}`).then((ok) => ok && setDialog(undefined))} /> : null}
      {dialog === 'save' ? (
        <SaveDialog
          refs={refs}
          busy={busy !== undefined}
          onClose={() => setDialog(undefined)}
          onSave={(chosen) =>
            run(`Saving ${chosen.join(', ')}`, async () => {
              saveDownload(await bridge.invoke('images:save', { hostId, refs: chosen }));
              return `Saved ${chosen.join(', ')}`;
            }).then((ok) => ok && setDialog(undefined))
          }
        />
      ) : null}
    </>
  );
}

function CommitDialog({ hostId, busy, onClose, onCommit }: { hostId: string; busy: boolean; onClose: () => void; onCommit: (id: string, target: { repo?: string; tag?: string }, message: string) => void }): ReactNode {
  const bridge = useBridge();
  const containers = useQuery({ queryKey: ['hosts', hostId, 'containers', 'commit-choices'], queryFn: () => bridge.invoke('containers:list', { hostId, all: true }) });
  const [id, setId] = useState('');
  const [target, setTarget] = useState('');
  const [message, setMessage] = useState('');
  const parsed = parseTagTarget(target);
  const ok = id !== '' && (target === '' || parsed.ok);
  return (
    <Dialog
      title="Commit a container to an image"
      onClose={onClose}
      footer={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="commit-form" className="primary" disabled={!ok || busy}>
            Commit
          </button>
        </>
      }
    >
      <form
        id="commit-form"
        onSubmit={(e) => {
          e.preventDefault();
          if (ok) onCommit(id, target !== '' && parsed.ok ? { repo: parsed.repo, ...(parsed.tag ? { tag: parsed.tag } : {}) } : {}, message);
        }}
      >
        <label className="field">
          <span>Container</span>
          <select aria-label="Container" value={id} onChange={(e) => setId(e.target.value)}>
            <option value="">Choose…</option>
            {(containers.data ?? []).map((c) => (
              <option key={c.id} value={c.id}>
                {c.name} ({c.image})
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>New image (repo[:tag], optional)</span>
          <input aria-label="New image" className="mono" value={target} onChange={(e) => setTarget(e.target.value)} placeholder="myapp:snapshot" />
          {target !== '' && !parsed.ok ? <div className="field-error">{parsed.error}</div> : null}
        </label>
        <label className="field">
          <span>Message</span>
          <input aria-label="Commit message" value={message} onChange={(e) => setMessage(e.target.value)} />
        </label>
        <InlineError error={containers.error} />
      </form>
    </Dialog>
  );
}

function SaveDialog({ refs, busy, onClose, onSave }: { refs: readonly string[]; busy: boolean; onClose: () => void; onSave: (chosen: string[]) => void }): ReactNode {
  const [chosen, setChosen] = useState<ReadonlySet<string>>(new Set());
  return (
    <Dialog
      title="Save images to an archive"
      onClose={onClose}
      footer={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="primary" disabled={chosen.size === 0 || busy} onClick={() => onSave([...chosen])}>
            Save
          </button>
        </>
      }
    >
      <p className="hint">One archive in the docker save format; images that share layers store them once.</p>
      {refs.map((r) => (
        <label key={r} className="checkbox">
          <input
            type="checkbox"
            checked={chosen.has(r)}
            onChange={(e) => {
              const next = new Set(chosen);
              if (e.target.checked) next.add(r);
              else next.delete(r);
              setChosen(next);
            }}
          />
          <span className="mono">{r}</span>
        </label>
      ))}
    </Dialog>
  );
}
