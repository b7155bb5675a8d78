import type { ReactNode } from 'react';
import { FormSection, SelectField } from '../../../../components/fields';
import type { RunForm } from '../../model/run-form';
import type { CoreSectionProps } from './section-props';

export function NetworkSection({ form, set }: CoreSectionProps): ReactNode {
  return (
    <FormSection title="Network">
      <SelectField<RunForm['network']>
        label="Network"
        value={form.network}
        onValueChange={(v) => set('network', v)}
        options={[
          { value: 'default', label: 'Default' },
          { value: 'none', label: 'None (no network)' },
          { value: 'host', label: 'Host' },
        ]}
      />
    </FormSection>
  );
}
