import type { ReactNode } from 'react';
import { FormSection, TextAreaField } from '../../../../components/fields';
import type { CoreSectionProps } from './section-props';

export function MountsSection({ form, set, error }: CoreSectionProps): ReactNode {
  return (
    <FormSection title="Volumes and bind mounts">
      <TextAreaField label="Volumes and bind mounts (one volume:/container/path or /host/path:/container/path, [:ro], per line)" rows={2} value={form.binds} onChange={(e) => set('binds', e.target.value)} error={error('binds')} className="mono" />
    </FormSection>
  );
}
