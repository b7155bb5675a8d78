import { useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { Dialog } from '../../../components/dialog';
import { Pid1Warning } from '../../../components/pid1-warning';
import { InlineError } from '../../../components/state-views';
import { describeError } from '../../../lib/describe-error';
import { hrefFor, navigate } from '../../../lib/navigation';
import { useImage, useImages } from '../../../lib/image-queries';
import { useRunContainer } from '../api/run-container';
import { commandOf, EMPTY_RUN_FORM, toRunSpec, validateRunForm, type RunForm, type RunFormErrors } from '../model/run-form';
import { matchLocalImage, toImageSuggestions, toRunPid1View } from '../model/run-image';

/**
 * `docker run -d` as a form. The Image field suggests the host's local images. The command
 * defaults to an argument list (exec form); the shell form is available but comes with the PID 1
 * explanation, as does a local image whose own CMD/ENTRYPOINT is in shell form.
 */
export function RunDialog({ hostId, onClose, initialImage }: { hostId: string; onClose: () => void; initialImage?: string }): ReactNode {
  const [form, setForm] = useState<RunForm>({ ...EMPTY_RUN_FORM, image: initialImage ?? '' });
  const [touched, setTouched] = useState(false);
  const run = useRunContainer();
  const errors = validateRunForm(form);
  const set = <K extends keyof RunForm>(key: K, value: RunForm[K]): void => setForm((f) => ({ ...f, [key]: value }));
  const cmd = commandOf(form);
  // A failing list only costs the suggestions: the run itself says when an image is missing.
  const images = useImages(hostId);
  const suggestions = useMemo(() => toImageSuggestions(images.data ?? []), [images.data]);
  const localRef = matchLocalImage(form.image, images.data ?? []);
  const image = useImage(hostId, localRef);
  const pid1 = toRunPid1View({ init: form.init, cmd }, localRef ? (image.data ?? null) : null, form.image.trim());

  const submit = (e: FormEvent): void => {
    e.preventDefault();
    setTouched(true);
    if (Object.keys(errors).length > 0) return;
    run.mutate(
      { hostId, spec: toRunSpec(form) },
      {
        onSuccess: (result) => {
          onClose();
          navigate('containers', result.id);
        },
      },
    );
  };
  const err = (k: keyof RunFormErrors): ReactNode => (touched && errors[k] ? <div className="field-error">{errors[k]}</div> : null);
  const setArg = (i: number, value: string): void => set('args', form.args.map((a, j) => (j === i ? value : a)));

  return (
    <Dialog
      title="Run a container"
      wide
      onClose={onClose}
      footer={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="run-form" className="primary" disabled={run.isPending}>
            {run.isPending ? 'Starting…' : 'Run'}
          </button>
        </>
      }
    >
      <form id="run-form" onSubmit={submit} noValidate>
        <div className="field-row">
          <label className="field">
            <span>Image</span>
            <input value={form.image} onChange={(e) => set('image', e.target.value)} placeholder="busybox:latest" aria-label="Image" list="run-image-suggestions" />
            <datalist id="run-image-suggestions" data-testid="run-image-suggestions">
              {suggestions.map((ref) => (
                <option key={ref} value={ref} />
              ))}
            </datalist>
            {err('image')}
          </label>
          <label className="field">
            <span>Name (optional)</span>
            <input value={form.name} onChange={(e) => set('name', e.target.value)} placeholder="generated" aria-label="Name" />
            {err('name')}
          </label>
        </div>

        <fieldset className="field">
          <legend className="hint">Command (empty = the image’s default)</legend>
          <label className="check">
            <input type="radio" name="cmd-mode" checked={form.commandMode === 'exec'} onChange={() => set('commandMode', 'exec')} /> Argument list (exec form,
            recommended: the program is PID 1 and receives signals)
          </label>
          <label className="check">
            <input type="radio" name="cmd-mode" checked={form.commandMode === 'shell'} onChange={() => set('commandMode', 'shell')} /> Shell command (
            <code>/bin/sh -c</code>)
          </label>
          {form.commandMode === 'exec' ? (
            <div>
              {form.args.map((arg, i) => (
                <div className="mirror-row" key={i}>
                  <input
                    aria-label={`Argument ${i + 1}`}
                    placeholder={i === 0 ? 'program, e.g. sleep' : `argument ${i}`}
                    value={arg}
                    onChange={(e) => setArg(i, e.target.value)}
                    className="mono"
                  />
                  <button
                    type="button"
                    className="small"
                    aria-label={`Remove argument ${i + 1}`}
                    disabled={form.args.length === 1}
                    onClick={() => set('args', form.args.filter((_, j) => j !== i))}
                  >
                    ×
                  </button>
                </div>
              ))}
              <button type="button" className="small" onClick={() => set('args', [...form.args, ''])}>
                Add argument
              </button>
              {cmd ? <div className="hint mono">argv: {JSON.stringify(cmd)}</div> : null}
            </div>
          ) : (
            <input aria-label="Shell command" className="mono" value={form.script} onChange={(e) => set('script', e.target.value)} placeholder="sleep 1000" />
          )}
          {err('command')}
          {pid1?.note ? (
            <div className="hint" data-testid="pid1-source">
              {pid1.note}
            </div>
          ) : null}
          {pid1 ? <Pid1Warning warning={pid1.warning} /> : null}
        </fieldset>

        <label className="field">
          <span>Environment (one KEY=value per line)</span>
          <textarea rows={3} value={form.env} onChange={(e) => set('env', e.target.value)} aria-label="Environment" />
          {err('env')}
        </label>

        <div className="field-row">
          <label className="field">
            <span>Memory limit</span>
            <input value={form.memory} onChange={(e) => set('memory', e.target.value)} placeholder="e.g. 64m" aria-label="Memory limit" />
            {err('memory')}
          </label>
          <label className="field">
            <span>CPUs</span>
            <input value={form.cpus} onChange={(e) => set('cpus', e.target.value)} placeholder="e.g. 0.5" aria-label="CPUs" />
            {err('cpus')}
          </label>
          <label className="field">
            <span>PIDs limit</span>
            <input value={form.pidsLimit} onChange={(e) => set('pidsLimit', e.target.value)} placeholder="e.g. 100" aria-label="PIDs limit" />
            {err('pidsLimit')}
          </label>
        </div>

        <div className="field-row">
          <div>
            <label className="check">
              <input type="checkbox" checked={form.tty} onChange={(e) => set('tty', e.target.checked)} /> Allocate a TTY and keep stdin open (-it)
            </label>
            <label className="check">
              <input type="checkbox" checked={form.init} onChange={(e) => set('init', e.target.checked)} /> --init (a tiny init as PID 1 forwards signals
              and reaps zombies)
            </label>
            <label className="check">
              <input type="checkbox" checked={form.autoRemove} onChange={(e) => set('autoRemove', e.target.checked)} /> Remove when it exits (--rm)
            </label>
          </div>
          <label className="field">
            <span>Network</span>
            <select value={form.network} onChange={(e) => set('network', e.target.value as RunForm['network'])} aria-label="Network">
              <option value="default">Default</option>
              <option value="none">None (no network)</option>
              <option value="host">Host</option>
            </select>
          </label>
        </div>

        <label className="field">
          <span>Bind mounts (one /host/path:/container/path[:ro] per line)</span>
          <textarea rows={2} value={form.binds} onChange={(e) => set('binds', e.target.value)} aria-label="Bind mounts" />
          {err('binds')}
        </label>
        <InlineError error={run.error} />
        {run.error && describeError(run.error).code === 'IMAGE_NOT_FOUND' ? (
          <div className="hint">
            The image is not on this host yet: pull it in <a href={hrefFor('images')}>Images</a> first.
          </div>
        ) : null}
      </form>
    </Dialog>
  );
}
