import { useState, type ReactNode } from 'react';
import type { ContainerDetailView, ContainerUpdateSpec } from '../../../../../src-shared/ipc/models/containers';
import { Button } from '../../../components/button';
import { Dialog } from '../../../components/dialog';
import { SelectField, TextField } from '../../../components/fields';
import { InlineError } from '../../../components/state-views';
import { RESTART_POLICY_OPTIONS } from '../model/restart-policies';
import { toUpdateSpec, updateFormOf, type UpdateForm } from '../model/update-form';

/** `docker update` of a container's limits and restart policy, applied live to its cgroup. */
export function UpdateDialog({ detail, busy, error, onUpdate, onClose }: { detail: ContainerDetailView; busy: boolean; error: unknown; onUpdate: (u: ContainerUpdateSpec) => void; onClose: () => void }): ReactNode {
  const [form, setForm] = useState<UpdateForm>(() => updateFormOf(detail));
  const [touched, setTouched] = useState(false);
  const spec = toUpdateSpec(form);
  const set = <K extends keyof UpdateForm>(k: K, v: UpdateForm[K]): void => setForm((f) => ({ ...f, [k]: v }));
  return (
    <Dialog
      title={`Edit limits of ${detail.name.replace(/^\//, '')}`}
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" form="update-form" variant="primary" busy={busy}>
            Apply
          </Button>
        </>
      }
    >
      <form
        id="update-form"
        onSubmit={(e) => {
          e.preventDefault();
          setTouched(true);
          if (typeof spec !== 'string') onUpdate(spec);
        }}
      >
        <TextField label="Memory limit" value={form.memory} onChange={(e) => set('memory', e.target.value)} placeholder="unlimited" hint="64m, 1g… empty = unlimited" />
        <TextField label="CPUs" value={form.cpus} onChange={(e) => set('cpus', e.target.value)} placeholder="unlimited" inputMode="decimal" />
        <TextField label="PIDs limit" value={form.pidsLimit} onChange={(e) => set('pidsLimit', e.target.value)} placeholder="unlimited" inputMode="numeric" />
        <SelectField label="Restart policy" options={RESTART_POLICY_OPTIONS} value={form.restartPolicy} onValueChange={(v) => set('restartPolicy', v)} />
        {form.restartPolicy === 'on-failure' ? <TextField label="Maximum retries" value={form.maxRetries} onChange={(e) => set('maxRetries', e.target.value)} placeholder="unlimited" inputMode="numeric" /> : null}
        {touched && typeof spec === 'string' ? <div className="field-error" role="alert">{spec}</div> : null}
      </form>
      <InlineError error={error} />
    </Dialog>
  );
}
