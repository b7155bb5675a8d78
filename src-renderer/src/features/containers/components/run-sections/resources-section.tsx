import type { ReactNode } from 'react';
import { FormSection, TextField } from '../../../../components/fields';
import type { CoreSectionProps } from './section-props';

export function ResourcesSection({ form, set, error }: CoreSectionProps): ReactNode {
  return (
    <FormSection title="Resource limits" description="Empty = unlimited.">
      <div className="field-row">
        <TextField label="Memory limit" value={form.memory} onChange={(e) => set('memory', e.target.value)} placeholder="e.g. 64m" error={error('memory')} />
        <TextField label="CPUs" value={form.cpus} onChange={(e) => set('cpus', e.target.value)} placeholder="e.g. 0.5" error={error('cpus')} />
        <TextField label="PIDs limit" value={form.pidsLimit} onChange={(e) => set('pidsLimit', e.target.value)} placeholder="e.g. 100" error={error('pidsLimit')} />
      </div>
    </FormSection>
  );
}
