import type { ReactNode } from 'react';
import { CheckboxField, FormSection, SelectField, TextField } from '../../../../components/fields';
import { RESTART_POLICY_OPTIONS } from '../../model/restart-policies';
import type { CoreSectionProps } from './section-props';

/** TTY, --init, --rm and the restart policy. */
export function OptionsSection({ form, set, error }: CoreSectionProps): ReactNode {
  return (
    <FormSection title="Options">
      <div className="field-row">
        <div>
          <CheckboxField label="Allocate a TTY and keep stdin open (-it)" checked={form.tty} onCheckedChange={(v) => set('tty', v)} />
          <CheckboxField
            label="--init"
            hint="A tiny init runs as PID 1: it forwards stop signals to your program and reaps zombies."
            checked={form.init}
            onCheckedChange={(v) => set('init', v)}
          />
          <CheckboxField label="Remove when it exits (--rm)" checked={form.autoRemove} onCheckedChange={(v) => set('autoRemove', v)} />
        </div>
        <div>
          <SelectField label="Restart policy" options={RESTART_POLICY_OPTIONS} value={form.restartPolicy} onValueChange={(v) => set('restartPolicy', v)} />
          {form.restartPolicy === 'on-failure' ? (
            <TextField label="Maximum retries (empty = unlimited)" value={form.maxRetries} onChange={(e) => set('maxRetries', e.target.value)} inputMode="numeric" error={error('maxRetries')} />
          ) : error('maxRetries') ? (
            <div className="field-error">{error('maxRetries')}</div>
          ) : null}
        </div>
      </div>
    </FormSection>
  );
}
