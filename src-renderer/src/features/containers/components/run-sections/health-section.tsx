import type { ReactNode } from 'react';
import { FormSection, TextField } from '../../../../components/fields';
import type { CoreSectionProps } from './section-props';

/** `--health-cmd`, `--health-interval`, `--health-retries`, and json-file log rotation. */
export function HealthSection({ form, set, error }: CoreSectionProps): ReactNode {
  return (
    <FormSection title="Health and logs">
      <TextField
        label="Health check command"
        className="mono"
        value={form.healthCmd}
        onChange={(e) => set('healthCmd', e.target.value)}
        placeholder="wget -qO- http://localhost/ || exit 1"
        hint="Run in the container by /bin/sh -c; exit 0 means healthy. Empty: the image's own check, if it has one."
      />
      <div className="field-row">
        <TextField label="Check every (seconds)" value={form.healthInterval} onChange={(e) => set('healthInterval', e.target.value)} placeholder="30" inputMode="decimal" />
        <TextField label="Unhealthy after (failures)" value={form.healthRetries} onChange={(e) => set('healthRetries', e.target.value)} placeholder="3" inputMode="numeric" />
      </div>
      {error('health') ? <div className="field-error">{error('health')}</div> : null}
      <div className="field-row">
        <TextField label="Rotate logs at" value={form.logMaxSize} onChange={(e) => set('logMaxSize', e.target.value)} placeholder="no rotation (e.g. 10m)" />
        <TextField label="Log files kept" value={form.logMaxFile} onChange={(e) => set('logMaxFile', e.target.value)} placeholder="1" inputMode="numeric" />
      </div>
      {error('logs') ? <div className="field-error">{error('logs')}</div> : null}
    </FormSection>
  );
}
