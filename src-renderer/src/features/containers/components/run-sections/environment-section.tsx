import type { ReactNode } from 'react';
import { FormSection, TextAreaField } from '../../../../components/fields';
import type { CoreSectionProps } from './section-props';

export function EnvironmentSection({ form, set, error }: CoreSectionProps): ReactNode {
  return (
    <FormSection title="Environment and labels">
      <div className="field-row">
        <TextAreaField label="Environment (one KEY=value per line)" rows={3} value={form.env} onChange={(e) => set('env', e.target.value)} error={error('env')} className="mono" />
        <TextAreaField label="Labels (one key=value per line)" rows={3} value={form.labels} onChange={(e) => set('labels', e.target.value)} error={error('labels')} className="mono" />
      </div>
    </FormSection>
  );
}
