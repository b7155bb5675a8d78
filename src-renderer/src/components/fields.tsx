import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';
import { RadioGroup as RRadio, Switch as RSwitch } from 'radix-ui';

/**
 * Form fields: the visible label names the control, the hint and error are tied to it with
 * aria-describedby, and an error sets aria-invalid. Errors are passed in (shown once touched by
 * the caller's rule), never computed here.
 */
interface FieldChrome {
  label: string;
  hint?: ReactNode;
  error?: string | null | undefined;
  className?: string;
}

function describedBy(id: string, hint: unknown, error: unknown): string | undefined {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

function Chrome({ id, hint, error }: { id: string; hint?: ReactNode; error?: string | null }): ReactNode {
  return (
    <>
      {hint ? (
        <div className="hint" id={`${id}-hint`}>
          {hint}
        </div>
      ) : null}
      {error ? (
        <div className="field-error" id={`${id}-error`}>
          {error}
        </div>
      ) : null}
    </>
  );
}

export function TextField({ label, hint, error, className, ...input }: FieldChrome & InputHTMLAttributes<HTMLInputElement>): ReactNode {
  const id = useId();
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-invalid={error ? true : undefined} aria-describedby={describedBy(id, hint, error)} {...input} />
      <Chrome id={id} hint={hint} error={error} />
    </div>
  );
}

export function TextAreaField({ label, hint, error, className, ...area }: FieldChrome & TextareaHTMLAttributes<HTMLTextAreaElement>): ReactNode {
  const id = useId();
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={id}>{label}</label>
      <textarea id={id} aria-invalid={error ? true : undefined} aria-describedby={describedBy(id, hint, error)} {...area} />
      <Chrome id={id} hint={hint} error={error} />
    </div>
  );
}

export interface Option<V extends string> {
  value: V;
  label: string;
  hint?: ReactNode;
}

export function SelectField<V extends string>({
  label,
  hint,
  error,
  className,
  options,
  value,
  onValueChange,
  ...select
}: FieldChrome & Omit<SelectHTMLAttributes<HTMLSelectElement>, 'value' | 'onChange'> & { options: readonly Option<V>[]; value: V; onValueChange: (v: V) => void }): ReactNode {
  const id = useId();
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={id}>{label}</label>
      <select id={id} value={value} onChange={(e) => onValueChange(e.target.value as V)} aria-describedby={describedBy(id, hint, error)} {...select}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <Chrome id={id} hint={hint} error={error} />
    </div>
  );
}

/** A checkbox with its label beside it (and an optional hint under it). */
export function CheckboxField({
  label,
  hint,
  checked,
  onCheckedChange,
  disabled,
}: {
  label: ReactNode;
  hint?: ReactNode;
  checked: boolean;
  onCheckedChange: (checked: boolean) => void;
  disabled?: boolean;
}): ReactNode {
  const id = useId();
  return (
    <div className="check-field">
      <input id={id} type="checkbox" checked={checked} disabled={disabled} onChange={(e) => onCheckedChange(e.target.checked)} aria-describedby={hint ? `${id}-hint` : undefined} />
      <div>
        <label htmlFor={id}>{label}</label>
        {hint ? (
          <div className="hint" id={`${id}-hint`}>
            {hint}
          </div>
        ) : null}
      </div>
    </div>
  );
}

/** Radio choices (Radix: arrow keys move the choice, one tab stop for the group). */
export function RadioGroupField<V extends string>({
  label,
  options,
  value,
  onValueChange,
  orientation = 'vertical',
}: {
  label: string;
  options: readonly Option<V>[];
  value: V;
  onValueChange: (v: V) => void;
  orientation?: 'vertical' | 'horizontal';
}): ReactNode {
  const id = useId();
  return (
    <div className="field">
      <div className="field-label" id={`${id}-label`}>
        {label}
      </div>
      <RRadio.Root className={`radio-group radio-${orientation}`} value={value} onValueChange={(v) => onValueChange(v as V)} aria-labelledby={`${id}-label`} orientation={orientation}>
        {options.map((o) => (
          <div className="radio-option" key={o.value}>
            <RRadio.Item className="radio" value={o.value} id={`${id}-${o.value}`} aria-describedby={o.hint ? `${id}-${o.value}-hint` : undefined}>
              <RRadio.Indicator className="radio-dot" />
            </RRadio.Item>
            <div>
              <label htmlFor={`${id}-${o.value}`}>{o.label}</label>
              {o.hint ? (
                <div className="hint" id={`${id}-${o.value}-hint`}>
                  {o.hint}
                </div>
              ) : null}
            </div>
          </div>
        ))}
      </RRadio.Root>
    </div>
  );
}

/** An on/off switch (Radix Switch: role="switch", Space toggles). */
export function SwitchField({ label, hint, checked, onCheckedChange }: { label: string; hint?: ReactNode; checked: boolean; onCheckedChange: (v: boolean) => void }): ReactNode {
  const id = useId();
  return (
    <div className="check-field">
      <RSwitch.Root id={id} className="switch" checked={checked} onCheckedChange={onCheckedChange} aria-describedby={hint ? `${id}-hint` : undefined}>
        <RSwitch.Thumb className="switch-thumb" />
      </RSwitch.Root>
      <div>
        <label htmlFor={id}>{label}</label>
        {hint ? (
          <div className="hint" id={`${id}-hint`}>
            {hint}
          </div>
        ) : null}
      </div>
    </div>
  );
}

/** A titled group of fields (the run dialog's sections, settings groups). */
export function FormSection({ title, description, children }: { title: string; description?: ReactNode; children: ReactNode }): ReactNode {
  return (
    <fieldset className="form-section">
      <legend>{title}</legend>
      {description ? <div className="hint form-section-desc">{description}</div> : null}
      {children}
    </fieldset>
  );
}
