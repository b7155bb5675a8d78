import type { ReactNode } from 'react';
import { TextField } from '../../../../components/fields';
import type { CoreSectionProps } from './section-props';

/** Image (with the host's local images as suggestions) and name. */
export function ImageSection({ form, set, error, suggestions, localImage }: CoreSectionProps & { suggestions: readonly string[]; localImage: string | null }): ReactNode {
  const typed = form.image.trim();
  return (
    <div className="field-row">
      <div>
        <TextField
          label="Image"
          value={form.image}
          onChange={(e) => set('image', e.target.value)}
          placeholder="busybox:latest"
          list="run-image-suggestions"
          error={error('image')}
          hint={typed === '' ? undefined : localImage ? 'On this host.' : 'Not on this host yet: it is pulled when you press Run.'}
        />
        <datalist id="run-image-suggestions" data-testid="run-image-suggestions">
          {suggestions.map((ref) => (
            <option key={ref} value={ref} />
          ))}
        </datalist>
      </div>
      <TextField label="Name" value={form.name} onChange={(e) => set('name', e.target.value)} placeholder="optional: generated if empty" error={error('name')} />
    </div>
  );
}
